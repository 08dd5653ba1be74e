import NIOCore

/// Sits in a listening channel's pipeline: counts each accepted connection
/// in the process and frontend rates, and holds the listener's reads while
/// a rate limit is reached (`maxconnrate`, `maxsessrate`, `set rate-limit
/// ... global`, `rate-limit sessions`).
///
/// NIO accepts when the pipeline asks for a read. While no connection fits
/// under the limits, the gate keeps that read back and schedules one timer
/// for the moment one fits: new connections wait in the kernel's backlog,
/// none is refused (manual: "rate-limit sessions"). When some fit, it lets
/// the read through and caps the accepts of that read to what fits, as
/// HAProxy's `listener_accept` caps `max_accept`.
final class AcceptRateGate: ChannelDuplexHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel
    typealias OutboundIn = Never
    typealias OutboundOut = Never

    private unowned let frontend: Frontend
    /// NIO's accepts per read for this channel, restored when no limit applies.
    private var defaultBatch: UInt = 4
    private var batch: UInt = 4
    private var wakeUp: Scheduled<Void>?

    init(frontend: Frontend) {
        self.frontend = frontend
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if let value = try? context.channel.syncOptions?.getOption(.maxMessagesPerRead) {
            defaultBatch = value
            batch = value
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        wakeUp?.cancel()
        wakeUp = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        wakeUp?.cancel()
        wakeUp = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        frontend.countAcceptedByListener(now: RateClock.now)
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard wakeUp == nil else { return }  // already held: the timer reads
        let now = RateClock.now
        switch frontend.listenerAllowance(now: now) {
        case .unlimited:
            setBatch(defaultBatch, context)
            context.read()
        case .upTo(let room):
            setBatch(min(defaultBatch, UInt(room)), context)
            context.read()
        case .wait(let milliseconds):
            // Should reading resume without this gate (autoRead switched
            // back on), it takes one connection before asking again.
            setBatch(1, context)
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            wakeUp = context.eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) { [self] in
                wakeUp = nil
                let context = loopBound.value
                // A paused listener (maxconn, disable frontend, soft stop)
                // reads again by itself when resumed.
                guard context.channel.isActive,
                    (try? context.channel.syncOptions?.getOption(.autoRead)) == true
                else { return }
                read(context: context)
            }
        }
    }

    private func setBatch(_ value: UInt, _ context: ChannelHandlerContext) {
        guard value != batch else { return }
        batch = value
        try? context.channel.syncOptions?.setOption(.maxMessagesPerRead, value: value)
    }
}
