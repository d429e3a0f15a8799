// swift-tools-version:6.2
//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "AnyIO",
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11)],
    products: [
        .library(name: "AnyIO", targets: ["AnyIO"]),
        .library(name: "AnyIOTesting", targets: ["AnyIOTesting"]),
        .library(name: "AnyIONet", targets: ["AnyIONet"]),
        .library(name: "AnyIOProcess", targets: ["AnyIOProcess"]),
        .executable(name: "anyio-demo", targets: ["anyio-demo"]),
    ],
    dependencies: [
        // Documentation only (`swift package generate-documentation --target AnyIO`); no target
        // depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
    ],
    targets: [
        // The core: standard library, Synchronization, the platform C library and its own C shims only.
        .target(name: "AnyIO", dependencies: ["_AnyIOCShims"], swiftSettings: strictSettings),
        // C helpers of the core (header-only): see `include/AnyIOCShims.h`.
        .target(name: "_AnyIOCShims"),
        // Networking on SwiftNIO: TCP sockets and listeners.
        .target(
            name: "AnyIONet",
            dependencies: [
                "AnyIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // Subprocesses: posix_spawn with a clean child, pidfd + Dispatch for exits, non-blocking pipes.
        .target(name: "AnyIOProcess", dependencies: ["AnyIO", "_AnyIOProcessCShims"], swiftSettings: strictSettings),
        // C helpers of AnyIOProcess: posix_spawn set-up and the pidfd system calls.
        .target(name: "_AnyIOProcessCShims"),
        // Test support: Swift Testing helpers built on the core's package-level hooks.
        .target(name: "AnyIOTesting", dependencies: ["AnyIO"], swiftSettings: strictSettings),
        .executableTarget(name: "anyio-demo", dependencies: ["AnyIO", "AnyIONet"], swiftSettings: strictSettings),
        .testTarget(name: "AnyIOTests", dependencies: ["AnyIO", "AnyIOTesting"], swiftSettings: strictSettings),
        .testTarget(
            name: "AnyIONetTests", dependencies: ["AnyIONet", "AnyIO", "AnyIOTesting"], swiftSettings: strictSettings),
        .testTarget(
            name: "AnyIOProcessTests", dependencies: ["AnyIOProcess", "AnyIO", "AnyIOTesting"],
            swiftSettings: strictSettings),
        .testTarget(name: "AnyIOTestingTests", dependencies: ["AnyIO", "AnyIOTesting"], swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
