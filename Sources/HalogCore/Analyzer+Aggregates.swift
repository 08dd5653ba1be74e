/// Per-server counters of `-srv`.
struct ServerStats {
    /// Index 0 counts statuses outside 1xx-5xx, 1...5 the classes.
    var statusClasses = (0, 0, 0, 0, 0, 0)
    var requests = 0       // lines with five timers
    var ok = 0             // ... none of them negative
    var connectTime = 0, connectCount = 0
    var responseTime = 0, responseCount = 0
}

/// Per-URL (and per-client for `-ic`) counters of `-u*`.
struct URLStats {
    var requests = 0
    var errors = 0
    // Unsigned as in the original: a total time of -1 (no timer) shows
    // as 2^64-1 and sorts first in descending order.
    var totalTime: UInt64 = 0
    var totalTimeOK: UInt64 = 0
    var totalBytes: UInt64 = 0
}

extension Analyzer {
    func countServer(_ l: LineFields, _ accept: LineFields.P, _ buf: UnsafeBufferPointer<UInt8>) {
        let s = l.field(accept, Analyzer.serverField - Analyzer.acceptField)
        if s == l.end { truncated(buf); return }
        let e = l.fieldEnd(s)
        let (i, inserted) = keys.index(of: s, count: e - s)
        if inserted { srv.append(ServerStats()) }
        let t = l.field(s, Analyzer.timeField - Analyzer.serverField)
        if t == l.end { truncated(buf); return }
        var tm = (0, 0, 0, 0, 0), neg = false
        if l.timers(t, &tm, negative: &neg) < 5 {
            parseErrors += 1
            return
        }
        srv.withUnsafeMutableBufferPointer { all in
            let st = all.baseAddress! + i
            st.pointee.requests += 1
            if !neg { st.pointee.ok += 1 }
            if tm.2 >= 0 { st.pointee.connectTime += tm.2; st.pointee.connectCount += 1 }
            if tm.3 >= 0 { st.pointee.responseTime += tm.3; st.pointee.responseCount += 1 }
        }
        let b = l.field(t, Analyzer.statusField - Analyzer.timeField)
        if b == l.end { truncated(buf); return }
        let status = l.str2ic(b)
        srv.withUnsafeMutableBufferPointer { all in
            let st = all.baseAddress! + i
            switch status / 100 {
            case 1: st.pointee.statusClasses.1 += 1
            case 2: st.pointee.statusClasses.2 += 1
            case 3: st.pointee.statusClasses.3 += 1
            case 4: st.pointee.statusClasses.4 += 1
            case 5: st.pointee.statusClasses.5 += 1
            default: st.pointee.statusClasses.0 += 1
            }
        }
    }

    func countURL(_ l: LineFields, _ accept: LineFields.P, _ t: LineFields.P, _ buf: UnsafeBufferPointer<UInt8>) {
        if t == l.end { truncated(buf); return }
        var tm = (0, 0, 0, 0, 0), neg = false
        if l.timers(t, &tm, negative: &neg) < 5 {
            parseErrors += 1
            return
        }
        var u = URLStats(requests: 1)
        let keyStart: LineFields.P
        let keyEnd: LineFields.P
        if options.output == .ipCount {
            u.errors = (tm.0 < 0 || tm.4 < 0) ? 1 : 0
            u.totalTime = UInt64(bitPattern: Int64(tm.0 >= 0 ? tm.0 : tm.4))
            u.totalTimeOK = UInt64(tm.0 >= 0 ? tm.0 : 0)
            let b = l.field(t, Analyzer.bytesField - Analyzer.timeField)
            u.totalBytes = b == l.end ? 0 : UInt64(bitPattern: Int64(l.str2ic(b)))
            keyStart = l.field(l.start, options.skipFields + Analyzer.sourceField)
            var p = keyStart
            while p < l.end && p.pointee > 0x20 && p.pointee != UInt8(ascii: ":") { p += 1 }
            keyEnd = p
        } else {
            u.errors = neg ? 1 : 0
            u.totalTime = UInt64(bitPattern: Int64(tm.3 >= 0 ? tm.3 : tm.4))
            u.totalTimeOK = UInt64(tm.3 >= 0 ? tm.3 : 0)
            let b = l.field(t, Analyzer.bytesField - Analyzer.timeField)
            u.totalBytes = b == l.end ? 0 : UInt64(bitPattern: Int64(l.str2ic(b)))
            // The method is the first field starting with a quote after
            // the queues: captured headers ({...}) may come before it.
            var m = l.field(t, Analyzer.methodField - Analyzer.timeField)
            while m < l.end && m.pointee != UInt8(ascii: "\"") {
                if m.pointee == UInt8(ascii: "\\") && m + 1 < l.end && m[1] == UInt8(ascii: "\"") { break }
                m = l.field(m, 1)
            }
            if m == l.end { truncated(buf); return }
            var s = l.field(m, 1)
            if s == l.end { s = m }
            var p = s
            if options.keepQuery {
                while p < l.end && p.pointee > 0x20 { p += 1 }
            } else {
                while p < l.end && p.pointee > 0x20 && p.pointee != UInt8(ascii: "?") { p += 1 }
            }
            keyStart = s
            keyEnd = p
        }
        let (i, inserted) = keys.index(of: keyStart, count: keyEnd - keyStart)
        if inserted {
            urls.append(u)
        } else {
            urls[i].requests += 1
            urls[i].errors += u.errors
            urls[i].totalTime &+= u.totalTime
            urls[i].totalTimeOK &+= u.totalTimeOK
            urls[i].totalBytes &+= u.totalBytes
        }
    }
}
