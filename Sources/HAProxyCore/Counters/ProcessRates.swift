import NIOConcurrencyHelpers
import Synchronization

/// The process-wide connection and session rates and their limits: `show
/// info` ConnRate, MaxConnRate, SessRate, MaxSessRate and the limits set
/// by `maxconnrate` / `maxsessrate` or `set rate-limit ... global`.
///
/// Listeners count here as they accept (on their own loop, so that the
/// next accept decision sees them) and ask `allowance` before accepting more.
final class ProcessRates {
    /// One reading for `show info`.
    struct Snapshot {
        var connectionRate: UInt32
        var connectionRateMax: UInt32
        var connectionRateLimit: UInt32
        var sessionRate: UInt32
        var sessionRateMax: UInt32
        var sessionRateLimit: UInt32
        /// `compression`: bytes per second given to the encoders and
        /// produced by them (CompressBpsIn, CompressBpsOut).
        var compressionIn: UInt32 = 0
        var compressionOut: UInt32 = 0
    }

    private let lock = NIOLock()
    private var connections = FrequencyCounter()
    private var sessions = FrequencyCounter()
    private var compressionIn = FrequencyCounter()
    private var compressionOut = FrequencyCounter()
    private var connectionLimit: UInt32 {
        didSet { limited.store(connectionLimit > 0 || sessionLimit > 0, ordering: .relaxed) }
    }
    private var sessionLimit: UInt32 {
        didSet { limited.store(connectionLimit > 0 || sessionLimit > 0, ordering: .relaxed) }
    }
    /// Whether either limit is set, read without the lock: the listeners
    /// ask at every accept, and most configurations set neither.
    private let limited: Synchronization.Atomic<Bool>

    init(connectionLimit: UInt32, sessionLimit: UInt32) {
        self.connectionLimit = connectionLimit
        self.sessionLimit = sessionLimit
        limited = Synchronization.Atomic(connectionLimit > 0 || sessionLimit > 0)
    }

    /// A listener accepted a connection, which starts a session at once
    /// (this build has no `tcp-request connection` rules to drop it first).
    func countAccepted(now: UInt64) {
        lock.withLock {
            connections.add(now: now)
            sessions.add(now: now)
        }
    }

    /// A compressed body ended: its bytes count in this second's rates.
    func countCompression(in bytesIn: UInt64, out bytesOut: UInt64, now: UInt64) {
        lock.withLock {
            _ = compressionIn.add(UInt32(truncatingIfNeeded: min(bytesIn, UInt64(UInt32.max))), now: now)
            _ = compressionOut.add(UInt32(truncatingIfNeeded: min(bytesOut, UInt64(UInt32.max))), now: now)
        }
    }

    /// What the global limits let listeners accept at `now`.
    func allowance(now: UInt64) -> AcceptAllowance {
        guard limited.load(ordering: .relaxed) else { return .unlimited }
        return lock.withLock {
            AcceptAllowance.under(connectionLimit, connections, now: now)
                .combined(with: .under(sessionLimit, sessions, now: now))
        }
    }

    /// `set rate-limit connections global N` (0: no limit).
    var connectionRateLimit: UInt32 {
        get { lock.withLock { connectionLimit } }
        set { lock.withLock { connectionLimit = newValue } }
    }

    /// `set rate-limit sessions global N` (0: no limit).
    var sessionRateLimit: UInt32 {
        get { lock.withLock { sessionLimit } }
        set { lock.withLock { sessionLimit = newValue } }
    }

    func snapshot(now: UInt64) -> Snapshot {
        lock.withLock {
            Snapshot(
                connectionRate: connections.rate(now: now), connectionRateMax: connections.peak,
                connectionRateLimit: connectionLimit,
                sessionRate: sessions.rate(now: now), sessionRateMax: sessions.peak,
                sessionRateLimit: sessionLimit,
                compressionIn: compressionIn.rate(now: now), compressionOut: compressionOut.rate(now: now))
        }
    }

    /// `clear counters`: the maximums start again.
    func clearPeaks() {
        lock.withLock {
            connections.clearPeak()
            sessions.clearPeak()
        }
    }
}
