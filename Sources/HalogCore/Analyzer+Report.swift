#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Analyzer {
    /// Writes the report of the chosen output format, and the line counts
    /// on the error output unless quiet.
    public func finish() {
        let o = options
        var lines: [String] = []
        var limited = true
        if o.acceptHoles && o.output != .count {
            lines = acceptHoleLines()
        } else { switch o.output! {
        case .lines, .count:
            limited = false
        case .status:
            for (k, v) in statusCounts.sorted(by: { $0.key < $1.key }) { lines.append("\(k) \(v)\n") }
        case .termCodes, .cookieCodes:
            for (k, v) in codeCounts.enumerated() where v > 0 {
                lines.append(String(decoding: [UInt8(k >> 8), UInt8(k & 0xFF)], as: UTF8.self) + " \(v)\n")
            }
        case .server:
            out.write("#srv_name 1xx 2xx 3xx 4xx 5xx other tot_req req_ok pct_ok avg_ct avg_rt\n")
            for i in keys.sortedByKey() {
                let s = srv[i]
                let c = s.statusClasses
                let tot = c.0 + c.1 + c.2 + c.3 + c.4 + c.5
                let pct = Double(s.ok) * 100.0 / Double(tot > 0 ? tot : 1)
                let ct = s.connectCount > 0 ? s.connectTime / s.connectCount : 0
                let rt = s.responseCount > 0 ? s.responseTime / s.responseCount : 0
                lines.append(String(decoding: keys.key(i), as: UTF8.self)
                    + " \(c.1) \(c.2) \(c.3) \(c.4) \(c.5) \(c.0) \(tot) \(s.ok) \(Analyzer.format1(pct)) \(ct) \(rt)\n")
            }
        case .url(let sort):
            out.write("#req err ttot tavg oktot okavg bavg btot src\n")
            lines = urlLines(sort)
        case .ipCount:
            out.write("#req err ttot tavg oktot okavg bavg btot src\n")
            lines = urlLines(.count)
        case .percentiles:
            limited = false
            lines = percentileLines()
        case .graphTimers:
            limited = false
            for f in 0..<5 {
                for (k, v) in graph[f].sorted(by: { $0.key < $1.key }) {
                    let a = k < 0 ? -k : k
                    let shift = (a == 0 ? 0 : Int.bitWidth - a.leadingZeroBitCount) - 4
                    let d = shift > 0 ? Double(v) / Double(1 << shift) : Double(v)
                    if d > 0 { lines.append("\(f) \(k) \(Analyzer.format6(d + 1.0))\n") }
                }
            }
        } }
        if limited {
            linesOut = 0
            for line in lines {
                out.write(line)
                linesOut += 1
                if o.maxLines >= 0 && linesOut >= o.maxLines { break }
            }
        } else {
            for line in lines { out.write(line) }
        }
        if o.output == .count {
            out.write("\(linesOut)\n")
        } else if !o.quiet {
            err.write("\(linesIn) lines in, \(linesOut) lines out, \(parseErrors) parsing errors\n")
        }
        err.flush()
        out.flush()
    }

    /// The accept-date holes report of -ad/-ac: for each accept time, in
    /// order, the time, its milliseconds, the delay since the previous one
    /// and the number of lines, when the delay is at least -ad and the
    /// number at least -ac.
    private func acceptHoleLines() -> [String] {
        let minDelay = options.acceptDelay ?? 0
        let minCount = options.acceptCount ?? 0
        let times = acceptTimes.sorted { $0.key < $1.key }
        var last = times.first?.key ?? 0
        var lines: [String] = []
        func two(_ v: UInt32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        for (key, count) in times {
            let d = key &- last
            last = key
            if d >= minDelay && count >= minCount {
                var h = key
                let ms = h % 1000; h /= 1000
                let s = h % 60; h /= 60
                let m = h % 60; h /= 60
                let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
                lines.append("\(two(h)):\(two(m)):\(two(s)).\(msText) \(Int32(bitPattern: key)) \(d) \(count)\n")
            }
        }
        return lines
    }

    private func urlLines(_ sort: Options.URLSort) -> [String] {
        func key(_ u: URLStats) -> UInt64 {
            switch sort {
            case .url: return 0
            case .count: return UInt64(u.requests)
            case .errors: return UInt64(u.errors)
            case .avgTime: return u.totalTime / UInt64(u.requests)
            case .totalTime: return u.totalTime
            case .avgTimeOK: return u.requests > u.errors ? u.totalTimeOK / UInt64(u.requests - u.errors) : 0
            case .totalTimeOK: return u.totalTimeOK
            case .avgBytes: return u.totalBytes / UInt64(u.requests)
            case .totalBytes: return u.totalBytes
            }
        }
        // Descending key; equal keys in descending key-string order.
        let byName = keys.sortedByKey()
        var rank = [Int](repeating: 0, count: byName.count)
        for (r, i) in byName.enumerated() { rank[i] = r }
        let order = (0..<urls.count).sorted { a, b in
            let ka = key(urls[a]), kb = key(urls[b])
            return ka != kb ? ka > kb : rank[a] > rank[b]
        }
        return order.map { i in
            let u = urls[i]
            let okavg = u.requests > u.errors ? u.totalTimeOK / UInt64(u.requests - u.errors) : 0
            let n = UInt64(u.requests)
            return "\(u.requests) \(u.errors) \(u.totalTime) \(u.totalTime / n) \(u.totalTimeOK) \(okavg) "
                + "\(u.totalBytes / n) \(u.totalBytes) " + String(decoding: keys.key(i), as: UTF8.self) + "\n"
        }
    }

    /// Percentile steps in thousandths.
    static let percentileSteps: [Int] = Array(1...20) + Array(stride(from: 30, through: 100, by: 10))
        + Array(stride(from: 150, through: 900, by: 50)) + Array(stride(from: 910, through: 980, by: 10))
        + Array(981...1000)

    private func percentileLines() -> [String] {
        let n = pctTimers[0].count
        if n == 0 { return [] }
        let sorted = pctTimers.map { $0.sorted() }
        return Analyzer.percentileSteps.map { step in
            let index = n * step / 1000
            let at = max(index, 1) - 1
            return "\(step / 10).\(step % 10) \(index) \(sorted[0][at]) \(sorted[1][at]) \(sorted[2][at]) \(sorted[3][at]) \n"
        }
    }

    static func format1(_ d: Double) -> String { cFormat("%.1f", d) }
    static func format6(_ d: Double) -> String { cFormat("%f", d) }

    private static func cFormat(_ f: String, _ d: Double) -> String {
        var buf = [CChar](repeating: 0, count: 64)
        _ = withVaList([d]) { vsnprintf(&buf, 64, f, $0) }
        return String(cString: buf)
    }
}
