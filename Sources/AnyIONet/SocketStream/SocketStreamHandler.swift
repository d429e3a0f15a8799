//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import NIOCore

/// The channel handler between a NIO channel and a ``SocketStream``: hands every inbound event
/// to the stream's storage and asks for reads on demand (the channel has `autoRead` off).
///
/// Invariant: lives on its channel's event loop; all its state is in the (locked) storage.
final class SocketStreamHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    let storage: SocketStreamStorage

    init(storage: SocketStreamStorage) {
        self.storage = storage
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive, storage.requestReadIfNeeded() { context.read() }
    }

    func channelActive(context: ChannelHandlerContext) {
        if storage.requestReadIfNeeded() { context.read() }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        storage.channelRead(Self.unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if storage.readComplete() { context.read() }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { storage.inputClosed() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        storage.errorCaught(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        storage.channelInactive()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        storage.writabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }
}

extension Channel {
    /// The stream storage of a channel set up with a ``SocketStreamHandler``.
    func socketStreamStorage() async throws -> SocketStreamStorage {
        try await eventLoop.submit { [self] in
            try pipeline.syncOperations.handler(type: SocketStreamHandler.self).storage
        }.get()
    }
}
