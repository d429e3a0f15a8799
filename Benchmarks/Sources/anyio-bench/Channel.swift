// W5 `channel-cK-PxC`: one memory object stream with buffer size K (0 = rendezvous, `.max` =
// unbounded), P producers and C consumers in one `withNursery`. Each consumer iterates its own
// clone of the receive stream to the end, counting and summing what it gets; each producer sends
// `p·per ..< (p+1)·per` through its own clone of the send stream and closes it. The original
// endpoints are closed once the clones are handed out, so the stream ends when the last producer
// closes. Time = the whole nursery. Mirrors `_make_channel` in python/wl_anyio.py.
// Check: Σcount == n and Σsum == n(n−1)/2, with n = per × P.
import AnyIO

/// One W5 workload; `buffer` is 0, 1, 1024 or `.max` (unbounded), `name` e.g. "channel-c1024-4x4".
func benchChannel(_ n: Int, buffer: Int, producers: Int, consumers: Int, name: String) async throws {
    let per = n / producers, total = per * producers
    let count = Counter(), sum = Counter()
    let (send, receive) = makeMemoryObjectStream(of: Int.self, bufferSize: buffer)
    let t0 = ContinuousClock.now
    try await withNursery { nursery in
        for _ in 0..<consumers {
            let rx = try receive.clone()
            nursery.startSoon {
                defer { rx.close() }
                var c = 0, s = 0
                for try await x in rx {
                    c &+= 1
                    s &+= x
                }
                count.add(c)
                sum.add(s)
            }
        }
        for p in 0..<producers {
            let tx = try send.clone()
            nursery.startSoon {
                defer { tx.close() }
                for i in (p * per)..<((p + 1) * per) { try await tx.send(i) }
            }
        }
        send.close()
        receive.close()
    }
    let seconds = (ContinuousClock.now - t0).seconds
    try check(
        count.load() == total && sum.load() == total * (total - 1) / 2,
        "\(name): got \(count.load()) items summing to \(sum.load()); expected \(total) summing to \(total * (total - 1) / 2)"
    )
    let capacity = buffer == .max ? "inf" : String(buffer)
    emit(workload: name, n: total, seconds: seconds,
         variant: "makeMemoryObjectStream(bufferSize: \(capacity)), \(producers)p/\(consumers)c")
}
