//===----------------------------------------------------------------------===//
// AnyIO for Swift: structured concurrency with AnyIO's and Trio's semantics.
//===----------------------------------------------------------------------===//

import NIOCore

/// The last handler before the tail of a listening socket's pipeline (after the bootstrap's own
/// acceptor, which has set each connection up): queues accepted connections in the storage and
/// asks for more on demand.
///
/// Invariant: lives on the server channel's event loop; all its state is in the storage.
final class AcceptQueueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel

    /// How long to wait before accepting again after an accept error (`EMFILE`: out of
    /// descriptors, which a busy loop would not fix).
    static let acceptErrorBackoff = TimeAmount.milliseconds(100)

    let storage: AcceptQueueStorage

    init(storage: AcceptQueueStorage) {
        self.storage = storage
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive, storage.requestReadIfNeeded() { context.read() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // The pipeline's tail (the server channel itself) registers the connection with its
        // event loop and activates it: pass it on first, so that this is queued on the
        // connection's loop before anything a task that takes it from the queue asks for.
        context.fireChannelRead(data)
        storage.channelRead(Self.unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if storage.readComplete() { context.read() }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A failed accept: the listening socket stays open (NIO closes it on fatal errors, and
        // `channelInactive` reports that). Accept again after a back-off.
        storage.acceptFailed()
        let storage = self.storage
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.acceptErrorBackoff) {
            if storage.requestReadIfNeeded() { channel.read() }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        storage.channelInactive()
        context.fireChannelInactive()
    }
}
