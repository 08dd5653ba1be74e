import NIOCore

/// `slowstart` (manual 5.2): a server that comes back up after being down
/// or in maintenance (a check, an agent, `enable server`...) takes its
/// maxconn, and its weight when the algorithm's weights are dynamic,
/// linearly from 1 to full over that time; never when the process starts.
/// As in 2.6, the ramp moves at every health check and in steps of
/// max(1 s, slowstart / 20) (a server without checks), and
/// the statistics show the weight of the last step and the `throttle` of
/// the moment; `show servers state` says STARTING (1) meanwhile.
extension Backend {
    /// Starts the warm-up of `server`, which is coming back (the caller
    /// holds `lock`); returns whether there is one.
    ///
    /// Before the runtime starts (a server state file applied at start-up)
    /// there is no loop yet, and no warm-up: 2.6 never starts one then.
    func startWarmupLocked(_ server: Server, now: NIODeadline) -> Bool {
        guard server.config.options.slowstartMs > 0, warmupLoop != nil else { return false }
        server.warmupStep?.cancel()
        server.warmupStep = nil
        server.warmupStart = now
        server.lb.setWarmup((ratio: 0, rampsWeight: loadBalancer.isDynamic))
        return true
    }

    /// Ends `server`'s warm-up, if any, at full speed (the caller holds `lock`).
    func stopWarmupLocked(_ server: Server) {
        guard server.warmupStart != nil || server.lb.warmup != nil else { return }
        server.warmupStep?.cancel()
        server.warmupStep = nil
        server.warmupStart = nil
        server.lb.setWarmup(nil)
    }

    /// Schedules the next step of `server`'s ramp.
    func scheduleWarmupStep(_ server: Server) {
        guard let loop = warmupLoop else { return }
        let stepMs = max(1000, server.config.options.slowstartMs / 20)
        let task = loop.scheduleTask(in: .milliseconds(Int64(stepMs))) { [weak self] () -> Void in
            self?.warmupStep(server)
        }
        lock.withLock {
            // Stopped or restarted meanwhile: this step is not wanted.
            if server.warmupStart == nil || server.warmupStep != nil {
                task.cancel()
            } else {
                server.warmupStep = task
            }
        }
    }

    /// One step of the ramp: the weight and maxconn of now, then the next
    /// step, or full speed once the time is over.
    private func warmupStep(_ server: Server) {
        let goesOn: Bool = lock.withLock {
            server.warmupStep = nil
            return applyWarmupLocked(server)
        }
        // A larger maxconn lets queued streams in.
        redistributeQueue()
        if goesOn { scheduleWarmupStep(server) }
    }

    /// A health check of `server` ended: 2.6 moves a warm-up's ramp at
    /// every check too (manual: `inter` should be smaller than `slowstart`).
    func advanceWarmup(_ server: Server) {
        let moved: Bool = lock.withLock {
            guard server.warmupStart != nil else { return false }
            _ = applyWarmupLocked(server)
            return true
        }
        if moved { redistributeQueue() }
    }

    /// Sets `server`'s weight and maxconn for now, or full speed once the
    /// time is over (the caller holds `lock`); returns whether it goes on.
    private func applyWarmupLocked(_ server: Server) -> Bool {
        guard server.warmupStart != nil else { return false }
        guard let ratio = server.warmupRatio(at: .now()) else {
            stopWarmupLocked(server)
            loadBalancer.weightChanged(server.lb)
            return false
        }
        server.lb.setWarmup((ratio: ratio, rampsWeight: loadBalancer.isDynamic))
        loadBalancer.weightChanged(server.lb)
        return true
    }
}
