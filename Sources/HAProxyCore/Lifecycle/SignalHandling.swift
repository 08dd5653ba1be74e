import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Delivers process signals on a dispatch queue, never inside a handler:
/// USR1 soft stop, TERM/INT hard stop, HUP state dump, TTOU/TTIN pause
/// and resume (management.txt section 4).
public final class SignalHandling {
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "haproxy.signals")

    public init() {}

    /// The signals the process handles; `main` blocks them first thing so
    /// one sent during start-up waits (pending) instead of killing the
    /// process before its handler exists.
    public static let handled: [Int32] = [SIGUSR1, SIGUSR2, SIGHUP, SIGTERM, SIGINT, SIGTTOU, SIGTTIN]

    /// Blocks `handled` in the calling thread (and the threads it creates).
    public static func blockHandledSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for signo in handled { sigaddset(&set, signo) }
        sigprocmask(SIG_BLOCK, &set, nil)
    }

    /// Handles `signo` on the signal queue. The signal stays blocked in
    /// every thread: libdispatch reads pending signals (signalfd on Linux),
    /// so one that arrived before this call is handled too.
    public func on(_ signo: Int32, _ handler: @escaping () -> Void) {
        let source = DispatchSource.makeSignalSource(signal: signo, queue: queue)
        source.setEventHandler(handler: handler)
        source.resume()
        sources.append(source)
    }

    /// Runs `work` on the signal queue, serialized with the handlers.
    public func async(after delay: DispatchTimeInterval? = nil, _ work: @escaping () -> Void) {
        if let delay {
            queue.asyncAfter(deadline: .now() + delay, execute: work)
        } else {
            queue.async(execute: work)
        }
    }
}
