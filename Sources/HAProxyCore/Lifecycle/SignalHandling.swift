import Dispatch
import Foundation

/// Delivers process signals on a dispatch queue, never inside a handler:
/// USR1 soft stop, TERM/INT hard stop, HUP state dump, TTOU/TTIN pause
/// and resume (management.txt section 4).
public final class SignalHandling {
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "haproxy.signals")

    public init() {}

    public func on(_ signo: Int32, _ handler: @escaping () -> Void) {
        signal(signo, SIG_IGN)
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
