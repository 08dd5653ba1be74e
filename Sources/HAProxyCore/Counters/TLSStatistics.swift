import HAProxyTLS
import NIOConcurrencyHelpers

/// The process's TLS counters for `show info`: connections (CurrSslConns,
/// CumSslConns, MaxSslConns), frontend sessions per second (SslRate), new
/// keys per second on each side (SslFrontendKeyRate, SslBackendKeyRate)
/// and the share of frontend sessions resumed (SslFrontendSessionReuse_pct).
final class TLSStatistics: TLSConnectionObserver, @unchecked Sendable {
    struct Snapshot {
        var current = 0, cumulative = 0, maxCurrent = 0
        var sessionRate: UInt32 = 0, sessionRateMax: UInt32 = 0
        var frontendKeyRate: UInt32 = 0, frontendKeyRateMax: UInt32 = 0
        var backendKeyRate: UInt32 = 0, backendKeyRateMax: UInt32 = 0
        var frontendReusePercent = 0
    }

    private let lock = NIOLock()
    private var current = 0
    private var cumulative = 0
    private var maxCurrent = 0
    private var sessions = FrequencyCounter()
    private var frontendKeys = FrequencyCounter()
    private var backendKeys = FrequencyCounter()

    func tlsEstablished(client: Bool, resumed: Bool) {
        let now = RateClock.now
        lock.withLock {
            current += 1
            cumulative += 1
            maxCurrent = max(maxCurrent, current)
            if client {
                if !resumed { backendKeys.add(now: now) }
            } else {
                sessions.add(now: now)
                if !resumed { frontendKeys.add(now: now) }
            }
        }
    }

    func tlsClosed(client: Bool) {
        lock.withLock { current = max(0, current - 1) }
    }

    func snapshot(now: UInt64) -> Snapshot {
        lock.withLock {
            let rate = sessions.rate(now: now), keys = frontendKeys.rate(now: now)
            return Snapshot(
                current: current, cumulative: cumulative, maxCurrent: maxCurrent,
                sessionRate: rate, sessionRateMax: sessions.peak,
                frontendKeyRate: keys, frontendKeyRateMax: frontendKeys.peak,
                backendKeyRate: backendKeys.rate(now: now), backendKeyRateMax: backendKeys.peak,
                frontendReusePercent: rate > 0 ? Int(100 - min(100, keys * 100 / rate)) : 0)
        }
    }

    /// `clear counters`: the maximums start again.
    func clearPeaks() {
        lock.withLock {
            maxCurrent = current
            sessions.clearPeak()
            frontendKeys.clearPeak()
            backendKeys.clearPeak()
        }
    }
}
