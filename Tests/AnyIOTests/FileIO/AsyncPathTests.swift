//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing

@testable import AnyIO

@Suite("FileIO: AsyncPath algebra")
struct AsyncPathAlgebraTests {
    @Test("description is the normalized path")
    func normalization() {
        #expect(AsyncPath("/foo").description == "/foo")
        #expect(AsyncPath("a//b/./c/").description == "a/b/c")
        #expect(AsyncPath("").description == ".")
        #expect(AsyncPath("./").description == ".")
        #expect(AsyncPath("///").description == "/")
        #expect(AsyncPath("a/../b").description == "a/../b")
        let literal: AsyncPath = "/x/y"
        #expect(literal == AsyncPath("/x//y/"))
    }
    // Ported from test_fileio.py::TestPath::test_repr

    @Test("equal paths hash alike")
    func hashing() {
        #expect(Set([AsyncPath("a/b"), AsyncPath("a//b"), AsyncPath("a/b/")]).count == 1)
        #expect(AsyncPath("a") != AsyncPath("/a"))
    }
    // Ported from test_fileio.py::TestPath::test_hash and test_comparison

    @Test("/ joins, and an absolute right side replaces the left")
    func join() {
        #expect((AsyncPath("/foo") / "bar").description == "/foo/bar")
        #expect((AsyncPath("/foo") / "bar/baz").description == "/foo/bar/baz")
        #expect((AsyncPath("/") / "x").description == "/x")
        #expect((AsyncPath(".") / "x").description == "x")
        #expect((AsyncPath("/foo") / "/etc").description == "/etc")
        #expect((AsyncPath("foo") / "").description == "foo")
    }
    // Ported from test_fileio.py::TestPath::test_truediv and test_joinpath

    @Test("parts")
    func parts() {
        #expect(AsyncPath("/abc/xyz/foo.txt").parts == ["/", "abc", "xyz", "foo.txt"])
        #expect(AsyncPath("abc/xyz").parts == ["abc", "xyz"])
        #expect(AsyncPath(".").parts == [])
        #expect(AsyncPath("/").parts == ["/"])
    }
    // Ported from test_fileio.py::TestPath::test_parts_property

    @Test("parent")
    func parent() {
        #expect(AsyncPath("/abc/xyz/foo.txt").parent.description == "/abc/xyz")
        #expect(AsyncPath("/abc").parent.description == "/")
        #expect(AsyncPath("/").parent.description == "/")
        #expect(AsyncPath("a").parent.description == ".")
        #expect(AsyncPath(".").parent.description == ".")
        #expect(AsyncPath("..").parent.description == ".")
        #expect(AsyncPath("a/b").parent.description == "a")
    }
    // Ported from test_fileio.py::TestPath::test_parent_property and test_parents_property

    @Test("name, suffix and stem")
    func nameSuffixStem() {
        let path = AsyncPath("/abc/xyz/foo.txt.zip")
        #expect(path.name == "foo.txt.zip")
        #expect(path.suffix == ".zip")
        #expect(path.stem == "foo.txt")
        let tarball = AsyncPath("/a/b.tar.gz")
        #expect(tarball.name == "b.tar.gz")
        #expect(tarball.suffix == ".gz")
        #expect(tarball.stem == "b.tar")
        #expect(AsyncPath(".bashrc").suffix == "")
        #expect(AsyncPath(".bashrc").stem == ".bashrc")
        #expect(AsyncPath("name.").suffix == "")
        #expect(AsyncPath("name.").stem == "name.")
        #expect(AsyncPath("noext").suffix == "")
        #expect(AsyncPath("/").name == "")
        #expect(AsyncPath(".").name == "")
    }
    // Ported from test_fileio.py::TestPath::test_name_property, test_suffix_property and test_stem_property

    @Test("suffixes")
    func suffixes() {
        #expect(AsyncPath("/abc/xyz/foo.tar.gz").suffixes == [".tar", ".gz"])
        #expect(AsyncPath("noext").suffixes == [])
        #expect(AsyncPath(".bashrc").suffixes == [])
        #expect(AsyncPath("name.").suffixes == [])
    }
    // Ported from test_fileio.py::TestPath::test_suffixes_property

    @Test("parents")
    func parents() {
        #expect(AsyncPath("/abc/xyz/foo.txt").parents.map(\.description) == ["/abc/xyz", "/abc", "/"])
        #expect(AsyncPath("a/b").parents.map(\.description) == ["a", "."])
        #expect(AsyncPath("/").parents == [])
    }
    // Ported from test_fileio.py::TestPath::test_parents_property

    @Test("withName, withSuffix")
    func withNameAndSuffix() throws {
        #expect(try AsyncPath("/a/b.txt").withName("c.md").description == "/a/c.md")
        #expect(try AsyncPath("/a/b.txt").withSuffix(".md").description == "/a/b.md")
        #expect(try AsyncPath("/a/b").withSuffix(".md").description == "/a/b.md")
        #expect(try AsyncPath("/a/b.tar.gz").withSuffix("").description == "/a/b.tar")
        #expect(throws: InvalidArgumentError.self) { try AsyncPath("/").withName("x") }
        #expect(throws: InvalidArgumentError.self) { try AsyncPath("a").withName("x/y") }
        #expect(throws: InvalidArgumentError.self) { try AsyncPath("a").withSuffix("md") }
        #expect(throws: InvalidArgumentError.self) { try AsyncPath("a").withSuffix(".") }
    }
    // Ported from test_fileio.py::TestPath::test_with_name and test_with_suffix

    @Test("relative(to:)")
    func relativeTo() throws {
        #expect(try AsyncPath("/etc/ssh/sshd_config").relative(to: "/etc").description == "ssh/sshd_config")
        #expect(try AsyncPath("a/b").relative(to: "a/b").description == ".")
        #expect(throws: InvalidArgumentError.self) { try AsyncPath("/etc/x").relative(to: "/usr") }
        #expect(throws: InvalidArgumentError.self) { try AsyncPath("/etc").relative(to: "etc") }
    }
    // Ported from test_fileio.py::TestPath::test_relative_to_subpath and test_relative_to_sibling

    @Test("absolute prefixes the current directory")
    func absolute() async throws {
        let cwd = try await AsyncPath.cwd()
        #expect(AsyncPath("../foo/bar").absolute() == cwd / "../foo/bar")
        #expect(AsyncPath("/x").absolute() == AsyncPath("/x"))
        #expect(cwd.isAbsolute)
    }
    // Ported from test_fileio.py::TestPath::test_absolute and test_cwd

    @Test("home is $HOME")
    func home() async throws {
        let expected = String(cString: getenv("HOME"))
        #expect(try await AsyncPath.home() == AsyncPath(expected))
    }
    // Ported from test_fileio.py::TestPath::test_home
}

@Suite("FileIO: AsyncPath operations", .timeLimit(.minutes(1)))
struct AsyncPathTests {
    /// AnyIO's `populated_tmpdir` fixture: two files, two directories with two `.txt` files each,
    /// and `subdir/symlink` pointing at `sibdir`.
    func populate(_ directory: AsyncPath) async throws {
        try await (directory / "testfile").touch()
        try await (directory / "testfile2").touch()
        for name in ["subdir", "sibdir"] {
            let subpath = directory / name
            try await subpath.mkdir()
            try await (subpath / "dummyfile1.txt").touch()
            try await (subpath / "dummyfile2.txt").touch()
        }
        #expect(symlink((directory / "sibdir").description, (directory / "subdir" / "symlink").description) == 0)
    }

    func collect(_ sequence: some AsyncSequence<AsyncPath, any Error>) async throws -> [AsyncPath] {
        var result: [AsyncPath] = []
        for try await path in sequence { result.append(path) }
        return result
    }

    @Test("exists, isFile and isDirectory")
    func queries() async throws {
        try await withFileTestDirectory { directory throws in
            let file = directory / "file"
            testWriteFile(file, "x")
            let missing = directory / "missing"
            #expect(try await directory.exists())
            #expect(try await file.exists())
            #expect(try await !missing.exists())
            #expect(try await !(file / "below").exists(), "ENOTDIR means not there")
            #expect(try await file.isFile())
            #expect(try await !directory.isFile())
            #expect(try await !missing.isFile())
            #expect(try await directory.isDirectory())
            #expect(try await !file.isDirectory())
            #expect(try await !missing.isDirectory())
        }
    }
    // Ported from test_fileio.py::TestPath::test_exists, test_is_dir and test_is_file

    @Test("exists, isFile and isDirectory follow symbolic links")
    func queriesFollowLinks() async throws {
        try await withFileTestDirectory { directory throws in
            let file = directory / "file"
            testWriteFile(file, "x")
            #expect(symlink(file.description, (directory / "fileLink").description) == 0)
            #expect(symlink(directory.description, (directory / "dirLink").description) == 0)
            #expect(symlink((directory / "nowhere").description, (directory / "dangling").description) == 0)
            #expect(try await (directory / "fileLink").isFile())
            #expect(try await (directory / "dirLink").isDirectory())
            #expect(try await !(directory / "dangling").exists())
            #expect(try await (directory / "fileLink").lstat().kind == .symbolicLink)
            #expect(try await (directory / "fileLink").stat().kind == .file)
        }
    }
    // Ported from test_fileio.py::TestPath::test_exists_follow_symlinks, test_is_file_follow_symlinks and test_is_dir_follow_symlinks

    @Test("symlink(to:) and isSymbolicLink")
    func symbolicLinks() async throws {
        try await withFileTestDirectory { directory throws in
            let link = directory / "link"
            try await link.symlink(to: directory / "target")
            #expect(try await link.isSymbolicLink())
            #expect(try await !link.exists(), "dangling")
            #expect(try await !(directory / "missing").isSymbolicLink())
            #expect(try await !directory.isSymbolicLink())
            let error = await #expect(throws: FileSystemError.self) { try await link.symlink(to: directory) }
            #expect(error?.code == EEXIST)
        }
    }
    // Ported from test_fileio.py::TestPath::test_symlink_to and test_is_symlink

    @Test("glob with ** finds the .txt files without following the symbolic link")
    func glob() async throws {
        try await withFileTestDirectory { directory throws in
            try await populate(directory)
            let found = try await collect(directory.glob("**/*.txt")).map(\.description).sorted()
            #expect(found == [
                (directory / "sibdir/dummyfile1.txt").description,
                (directory / "sibdir/dummyfile2.txt").description,
                (directory / "subdir/dummyfile1.txt").description,
                (directory / "subdir/dummyfile2.txt").description,
            ])
        }
    }
    // Ported from test_fileio.py::TestPath::test_glob

    @Test("glob wildcards: *, ?, [..], literal components and a trailing **")
    func globWildcards() async throws {
        try await withFileTestDirectory { directory throws in
            try await populate(directory)
            try await (directory / ".hidden").touch()
            func names(_ pattern: String) async throws -> [String] {
                try await collect(directory.glob(pattern)).map { String($0.description.dropFirst(directory.description.count + 1)) }.sorted()
            }
            #expect(try await names("testfile?") == ["testfile2"])
            #expect(try await names("test*") == ["testfile", "testfile2"])
            #expect(try await names("*/dummyfile[1]*") == ["sibdir/dummyfile1.txt", "subdir/dummyfile1.txt"])
            #expect(try await names("*/*/dummyfile1.txt") == ["subdir/symlink/dummyfile1.txt"], "a wildcard follows a link")
            #expect(try await names("subdir/dummyfile2.txt") == ["subdir/dummyfile2.txt"])
            #expect(try await names("subdir/missing") == [])
            #expect(try await names(".h*") == [".hidden"])
            #expect(try await names("subdir/**") == ["subdir/dummyfile1.txt", "subdir/dummyfile2.txt", "subdir/symlink"])
            #expect(try await names("*").count == 5)
        }
    }

    @Test("an empty or absolute glob pattern throws InvalidArgumentError", arguments: ["", "/etc/*"])
    func globInvalidPattern(pattern: String) async throws {
        try await withFileTestDirectory { directory throws in
            await #expect(throws: InvalidArgumentError.self) { _ = try await collect(directory.glob(pattern)) }
        }
    }

    @Test("iterdir lists the entries")
    func iterdir() async throws {
        try await withFileTestDirectory { directory throws in
            try await populate(directory)
            let found = try await collect(directory.iterdir())
            #expect(found.map(\.name) == ["sibdir", "subdir", "testfile", "testfile2"])
            #expect(found.allSatisfy { $0.parent == directory })
        }
    }
    // Ported from test_fileio.py::TestPath::test_iterdir

    @Test("iterdir of a missing directory throws naming it")
    func iterdirMissing() async throws {
        try await withFileTestDirectory { directory throws in
            let missing = directory / "missing"
            let error = await #expect(throws: FileSystemError.self) { _ = try await collect(missing.iterdir()) }
            #expect(error?.code == ENOENT)
            #expect(error?.path == missing.description)
        }
    }

    @Test("mkdir, with parents and existOK")
    func mkdir() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "testdir"
            try await path.mkdir()
            #expect(testIsDirectory(path))
            let exists = await #expect(throws: FileSystemError.self) { try await path.mkdir() }
            #expect(exists?.code == EEXIST)
            try await path.mkdir(existOK: true)
            let deep = directory / "a/b/c"
            let missing = await #expect(throws: FileSystemError.self) { try await deep.mkdir() }
            #expect(missing?.code == ENOENT)
            try await deep.mkdir(parents: true)
            #expect(testIsDirectory(deep))
            try await deep.mkdir(parents: true, existOK: true)
            let file = directory / "file"
            testWriteFile(file, "x")
            await #expect(throws: FileSystemError.self) { try await file.mkdir(existOK: true) }
        }
    }
    // Ported from test_fileio.py::TestPath::test_mkdir

    @Test("open returns an AsyncFile on the path")
    func open() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "testfile"
            testWriteFile(path, "bibbitibobbitiboo")
            let file = try await path.open(mode: "rb")
            #expect(file.path == path.description)
            #expect(try await file.readText() == "bibbitibobbitiboo")
            await file.close()
        }
    }
    // Ported from test_fileio.py::TestPath::test_open

    @Test("readBytes, readText, writeBytes and writeText")
    func readWrite() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "testfile"
            try await path.writeBytes(Array("bibbitibobbitiboo".utf8))
            #expect(testReadFile(path) == Array("bibbitibobbitiboo".utf8))
            #expect(try await path.readBytes() == Array("bibbitibobbitiboo".utf8))
            try await path.writeText("some text ✓")
            #expect(try await path.readText() == "some text ✓")
            try await path.writeBytes([])
            #expect(try await path.readBytes() == [])
            let error = await #expect(throws: FileSystemError.self) { try await (directory / "missing").readBytes() }
            #expect(error?.description.contains((directory / "missing").description) == true)
            // A directory opens read-only, then is refused: the descriptor must be closed again.
            let isDirectory = await #expect(throws: FileSystemError.self) { try await directory.readBytes() }
            #expect(isDirectory?.code == EISDIR)
            await #expect(throws: FileSystemError.self) { try await directory.writeText("x") }
        }
    }
    // Ported from test_fileio.py::TestPath::test_read_bytes, test_read_text, test_write_bytes and test_write_text

    @Test("rename returns the target and replaces a file there")
    func rename() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "somefile"
            testWriteFile(path, "hello")
            let target = directory / "anotherfile"
            testWriteFile(target, "world")
            let result = try await path.rename(to: target)
            #expect(result == target)
            #expect(!testExists(path))
            #expect(testReadFile(target) == Array("hello".utf8))
            let error = await #expect(throws: FileSystemError.self) { try await path.rename(to: target) }
            #expect(error?.description.contains(path.description) == true)
            #expect(error?.description.contains(target.description) == true)
        }
    }
    // Ported from test_fileio.py::TestPath::test_rename and test_replace

    @Test("resolve removes .. and follows links, also past a missing end")
    func resolve() async throws {
        try await withFileTestDirectory { directory throws in
            let real = try await directory.resolve()
            #expect(try await (directory / "somedir" / ".." / "somefile").resolve() == real / "somefile")
            testMakeDirectory(directory / "target")
            #expect(symlink((directory / "target").description, (directory / "link").description) == 0)
            #expect(try await (directory / "link" / "x" / "y").resolve() == real / "target/x/y")
        }
    }
    // Ported from test_fileio.py::TestPath::test_resolve

    @Test("rmdir removes an empty directory and refuses a full one")
    func rmdir() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "somedir"
            testMakeDirectory(path)
            testWriteFile(path / "file", "x")
            let error = await #expect(throws: FileSystemError.self) { try await path.rmdir() }
            #expect(error?.code == ENOTEMPTY || error?.code == EEXIST)
            try await (path / "file").unlink()
            try await path.rmdir()
            #expect(!testExists(path))
        }
    }
    // Ported from test_fileio.py::TestPath::test_rmdir

    @Test("stat reports size, kind, permissions and modification time")
    func stat() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "file"
            testWriteFile(path, "12345")
            #expect(chmod(path.description, 0o640) == 0)
            let status = try await path.stat()
            #expect(status.size == 5)
            #expect(status.kind == .file)
            #expect(status.permissions == 0o640)
            #expect(status.modificationTime > 1_600_000_000)
            #expect(try await directory.stat().kind == .directory)
            let error = await #expect(throws: FileSystemError.self) { try await (directory / "missing").stat() }
            #expect(error?.code == ENOENT)
        }
    }
    // Ported from test_fileio.py::TestPath::test_stat

    @Test("touch creates a file and keeps an existing one")
    func touch() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "testfile"
            try await path.touch()
            #expect(try await path.isFile())
            testWriteFile(path, "keep")
            try await path.touch()
            #expect(testReadFile(path) == Array("keep".utf8))
        }
    }
    // Ported from test_fileio.py::TestPath::test_touch

    @Test("unlink removes a file")
    func unlink() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "testfile"
            try await path.touch()
            try await path.unlink()
            #expect(!testExists(path))
        }
    }
    // Ported from test_fileio.py::TestPath::test_unlink

    @Test("unlink of a missing file: fine with missingOK, else ENOENT")
    func unlinkMissing() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "testfile"
            try await path.unlink(missingOK: true)
            let error = await #expect(throws: FileSystemError.self) { try await path.unlink() }
            #expect(error?.code == ENOENT)
        }
    }
    // Ported from test_fileio.py::TestPath::test_unlink_missing_file

    @Test("operations in a cancelled scope throw CancellationError and change nothing")
    func cancelled() async throws {
        try await withFileTestDirectory { directory throws in
            let path = directory / "file"
            try await withCancelScope { scope throws in
                scope.cancel()
                await #expect(throws: CancellationError.self) { try await path.writeText("x") }
                await #expect(throws: CancellationError.self) { try await path.mkdir() }
                await #expect(throws: CancellationError.self) { try await path.touch() }
                await #expect(throws: CancellationError.self) { _ = try await collect(directory.iterdir()) }
            }
            #expect(!testExists(path))
        }
    }
    // SPEC IO18
}
