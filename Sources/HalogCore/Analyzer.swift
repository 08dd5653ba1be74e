#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads haproxy log lines, applies the input filters and accumulates what
/// the chosen output format reports, as HAProxy 2.6's halog does.
///
/// Field positions count from the client address, after `skipFields`
/// syslog fields (5 for rsyslog's `Mmm dd hh:mm:ss host haproxy[pid]:`):
/// 0 client, 1 [accept date], 2 frontend, 3 backend/server, 4 timers,
/// 5 status, 6 bytes, 7-8 cookies, 9 termination state, 10 connections,
/// 11 queues, 12 method (after any `{captures}`), 13 URL.
public final class Analyzer {
    static let sourceField = 0, acceptField = 1, serverField = 3, timeField = 4, statusField = 5
    static let bytesField = 6, termCodeField = 9, queueField = 11, methodField = 12

    let options: Options
    let out: OutputBuffer
    let err: OutputBuffer
    public internal(set) var linesIn = 0
    public internal(set) var linesOut = 0
    public internal(set) var parseErrors = 0

    // -st
    var statusCounts: [Int: Int] = [:]
    // -tc / -cc
    var codeCounts = [Int](repeating: 0, count: 65536)
    // -srv, -u*, -ic
    var keys = ByteKeyTable()
    var srv: [ServerStats] = []
    var urls: [URLStats] = []
    // -pct, -gt
    var pctTimers: [[Int32]] = [[], [], [], []]
    var graph: [[Int: Int]] = [[:], [:], [:], [:], [:]]
    // -ad / -ac: lines per accept time (milliseconds since midnight)
    var acceptTimes: [UInt32: UInt32] = [:]

    /// -c without any filter counts every line, parsing none.
    let countAll: Bool

    public init(options: Options, out: OutputBuffer, err: OutputBuffer) {
        self.options = options
        countAll = options.output == .count && !options.filtering
        self.out = out
        self.err = err
    }

    /// Analyses one line (without its `\n`).
    /// - Returns: false when `-m` says to stop reading.
    public func process(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        linesIn += 1
        guard let base = buf.baseAddress else {
            parseErrors += 1
            return true
        }
        let l = LineFields(start: base, end: base + buf.count)
        let o = options
        let source = l.field(l.start, o.skipFields + Analyzer.sourceField)
        let accept = l.field(source, Analyzer.acceptField)
        // As the original, an accept date is "[" then the first digit of a
        // day of the month; anything else is not a log line.
        if !countAll && (accept + 1 >= l.end || accept.pointee != UInt8(ascii: "[")
                         || accept[1] &- UInt8(ascii: "0") > 3) {
            parseErrors += 1
            return true
        }
        var test = true
        var timeField: LineFields.P? = nil
        @inline(__always) func time() -> LineFields.P {
            if let t = timeField { return t }
            let t = l.field(accept, Analyzer.timeField - Analyzer.acceptField)
            timeField = t
            return t
        }
        if o.httpOnly {
            let t = time()
            if t == l.end { truncated(buf); return true }
            var tm = (0, 0, 0, 0, 0), neg = false
            test = test && l.timers(t, &tm, negative: &neg) >= 4
        }
        if let rt = o.respTime {
            let t = time()
            if t == l.end { truncated(buf); return true }
            var tm = (0, 0, 0, 0, 0), neg = false
            if l.timers(t, &tm, negative: &neg) < 4 {
                parseErrors += 1
                return true
            }
            test = test && ((tm.3 >= rt.min) == rt.larger)
        }
        if let errorsOnly = o.errorsOnly {
            let b = l.field(accept, Analyzer.statusField - Analyzer.acceptField)
            if b == l.end { truncated(buf); return true }
            let v = l.str2ic(b)
            let isError = v < 0 || v / 100 == 5
            test = test && (isError == errorsOnly)
        }
        if let q = o.queue {
            let b = l.field(accept, Analyzer.queueField - Analyzer.acceptField)
            if b == l.end { truncated(buf); return true }
            let sq = l.str2ic(b)
            var p = b
            while p < l.end && p.pointee > 0x20 && p.pointee != 0x2F { p += 1 }
            let bq = (p < l.end && p.pointee == 0x2F) ? l.str2ic(p + 1) : 0
            test = test && (q.serverOnly ? sq > 0 : (sq > 0 || bq > 0))
        }
        if let tc = o.termCode {
            let b = l.field(accept, Analyzer.termCodeField - Analyzer.acceptField)
            if b == l.end { truncated(buf); return true }
            let c1 = b + 1 < l.end ? b[1] : 0
            test = test && ((b[0] == tc.code.0 && c1 == tc.code.1) == tc.match)
        }
        if let hs = o.statusRange {
            let b = l.field(accept, Analyzer.statusField - Analyzer.acceptField)
            if b == l.end { truncated(buf); return true }
            let v = l.str2ic(b)
            test = test && ((v >= hs.min && v <= hs.max) == hs.within)
        }
        if let tr = o.timeRange {
            guard let ts = AcceptDate.parse(accept + 1, l.end) else {
                truncated(buf)
                return true
            }
            test = test && ts >= tr.min && ts <= tr.max
        }
        if o.invert { test = !test }
        if !test { return true }

        if o.acceptHoles {
            // Replaces the output format, even -c (which then counts none).
            if let ms = AcceptDate.millisecondsOfDay(accept, l.end) {
                acceptTimes[ms, default: 0] &+= 1
            } else {
                truncated(buf)
            }
        } else { switch o.output! {
        case .lines:
            linesOut += 1
            out.write(buf)
            out.write(bytes: CollectionOfOne(0x0A))
        case .count:
            linesOut += 1
        case .status:
            let b = l.field(accept, Analyzer.statusField - Analyzer.acceptField)
            if b == l.end { truncated(buf); return true }
            statusCounts[l.str2ic(b), default: 0] += 1
        case .termCodes, .cookieCodes:
            let b = l.field(accept, Analyzer.termCodeField - Analyzer.acceptField)
            if b == l.end { truncated(buf); return true }
            let i = o.output == .termCodes ? 0 : 2
            let c0 = b + i < l.end ? b[i] : 0
            let c1 = b + i + 1 < l.end ? b[i + 1] : 0
            codeCounts[Int(c0) << 8 | Int(c1)] += 1
        case .server:
            countServer(l, accept, buf)
        case .url, .ipCount:
            countURL(l, accept, time(), buf)
        case .percentiles, .graphTimers:
            let t = time()
            if t == l.end { truncated(buf); return true }
            var tm = (0, 0, 0, 0, 0), neg = false
            if l.timers(t, &tm, negative: &neg) < 5 {
                parseErrors += 1
                return true
            }
            let td = tm.4 - tm.0 - tm.1 - tm.2 - tm.3
            if o.output == .percentiles {
                if neg { return true }
                if td < 0 { dataTimeError(buf, tm, td) }
                pctTimers[0].append(Int32(truncatingIfNeeded: tm.0))
                pctTimers[1].append(Int32(truncatingIfNeeded: tm.2))
                pctTimers[2].append(Int32(truncatingIfNeeded: tm.3))
                pctTimers[3].append(Int32(truncatingIfNeeded: td))
            } else {
                if neg {
                    graph[0][Analyzer.quantify(tm.4), default: 0] += 1
                    return true
                }
                if td < 0 { dataTimeError(buf, tm, td) }
                graph[1][Analyzer.quantify(tm.0), default: 0] += 1
                graph[2][Analyzer.quantify(tm.2), default: 0] += 1
                graph[3][Analyzer.quantify(tm.3), default: 0] += 1
                graph[4][Analyzer.quantify(td), default: 0] += 1
            }
            linesOut += 1
        } }
        if o.maxLines >= 0 && linesOut >= o.maxLines { return false }
        return true
    }

    /// Reports a line whose timers add up to more than its total time.
    func dataTimeError(_ buf: UnsafeBufferPointer<UInt8>, _ t: (Int, Int, Int, Int, Int), _ td: Int) {
        if options.quiet { return }
        err.write("ERR: ")
        err.write(buf)
        err.write(" (\(t.0) \(t.1) \(t.2) \(t.3) \(t.4) => \(td))\n")
    }

    func truncated(_ buf: UnsafeBufferPointer<UInt8>) {
        if options.quiet { return }
        err.write("Truncated line \(linesIn): ")
        err.write(buf)
        err.write("\n")
    }

    /// Keeps the 4 most significant bits of a timer, as halog's graphs do.
    static func quantify(_ v: Int) -> Int {
        let a = v < 0 ? -v : v
        let bits = a == 0 ? 0 : (Int.bitWidth - a.leadingZeroBitCount)
        let shift = bits - 4
        if shift <= 0 { return v }
        return v < 0 ? -((a >> shift) << shift) : (a >> shift) << shift
    }
}
