/// The command line of halog, as HAProxy 2.6's `halog` understands it.
///
/// Input filters select lines, modifiers change how they are selected or
/// reported, and at most one output format says what is reported (see
/// `Usage.long`). Unlike the original, file arguments are accepted: each is
/// read in turn (plain or LZ4); without any, standard input is read.
public struct Options {
    public enum Output: Equatable {
        case lines            // no output format: print matching lines
        case count            // -c
        case status           // -st
        case server           // -srv
        case url(URLSort)     // -u*
        case percentiles      // -pct
        case termCodes        // -tc
        case cookieCodes      // -cc
        case ipCount          // -ic
        case graphTimers      // -gt
    }

    /// Sort keys of the per-URL statistics (-u, -uc, -ue, ...).
    public enum URLSort: Equatable {
        case url, count, errors, avgTime, totalTime, avgTimeOK, totalTimeOK, avgBytes, totalBytes
    }

    public var output: Output? = nil
    public var httpOnly = false              // -H
    public var errorsOnly: Bool? = nil       // -e (true) / -E (false)
    public var respTime: (min: Int, larger: Bool)? = nil   // -rt / -RT
    public var queue: (serverOnly: Bool, any: Bool)? = nil // -Q / -QS
    public var termCode: (code: (UInt8, UInt8), match: Bool)? = nil // -tcn / -TCN
    public var statusRange: (min: Int, max: Int, within: Bool)? = nil // -hs / -HS
    public var timeRange: (min: Int, max: Int)? = nil    // -time
    public var acceptDelay: UInt32? = nil    // -ad (0 taken as 1)
    public var acceptCount: UInt32? = nil    // -ac (0 taken as 1)
    public var invert = false                // -v
    public var quiet = false                 // -q
    public var maxLines = -1                 // -m
    public var skipFields = 5                // -s
    public var keepQuery = false             // -query
    public var files: [String] = []

    public init() {}

    /// What the command line asked for besides analysing.
    public enum Parsed {
        case run(Options)
        case help              // -h / --help: long usage on stdout, exit 0
        case usage(String?)    // error: message and short usage on stderr, exit 1
    }

    public static func parse(_ args: [String]) -> Parsed {
        var o = Options()
        var i = 0
        func value() -> String? {
            i += 1
            return i < args.count ? args[i] : nil
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "-h", "--help": return .help
            case "-H": o.httpOnly = true
            case "-e": o.errorsOnly = true
            case "-E": o.errorsOnly = false
            case "-v": o.invert = true
            case "-q": o.quiet = true
            case "-query": o.keepQuery = true
            case "-Q": o.queue = (false, true)
            case "-QS": o.queue = (true, false)
            case "-rt", "-RT":
                guard let v = value() else { return .usage("missing option for \(a)") }
                o.respTime = (atoi(v), a == "-rt")
            case "-ad", "-ac":
                // As the original: atol() kept in an unsigned int, and 0
                // meaning 1.
                guard let v = value() else { return .usage("missing option for \(a)") }
                var n = UInt32(truncatingIfNeeded: atoi(v))
                if n == 0 { n = 1 }
                if a == "-ad" { o.acceptDelay = n } else { o.acceptCount = n }
            case "-hdr":
                // Captured headers are not implemented: refuse them rather
                // than report something different.
                return .usage("halog: \(a) is not implemented.")
            case "-m":
                guard let v = value() else { return .usage("missing option for \(a)") }
                o.maxLines = atoi(v)
            case "-s":
                guard let v = value() else { return .usage("missing option for \(a)") }
                o.skipFields = atoi(v)
            case "-tcn", "-TCN":
                guard let v = value() else { return .usage("missing option for \(a)") }
                let b = Array(v.utf8) + [0, 0]
                o.termCode = ((b[0], b[1]), a == "-tcn")
            case "-hs", "-HS":
                guard let v = value() else { return .usage("missing option for -hs/-HS ([min]:[max])") }
                let (lo, hi) = range(v, defaultMax: 65535)
                o.statusRange = (lo ?? 0, hi ?? lo ?? 0, a == "-hs")
            case "-time":
                guard let v = value() else { return .usage("missing option for -time ([min]:[max])") }
                // As the original: "min" alone has no upper bound, but
                // "min:" has an upper bound of 0 and so matches nothing.
                let (lo, hi) = range(v, defaultMax: 0)
                o.timeRange = (lo ?? 0, hi ?? Int(Int32.max))
            case "-c": o.output = .count
            case "-st": o.output = .status
            case "-srv": o.output = .server
            case "-pct": o.output = .percentiles
            case "-tc": o.output = .termCodes
            case "-cc": o.output = .cookieCodes
            case "-ic": o.output = .ipCount
            case "-gt": o.output = .graphTimers
            case "-u": o.output = .url(.url)
            case "-uc": o.output = .url(.count)
            case "-ue": o.output = .url(.errors)
            case "-ua": o.output = .url(.avgTime)
            case "-ut": o.output = .url(.totalTime)
            case "-uao": o.output = .url(.avgTimeOK)
            case "-uto": o.output = .url(.totalTimeOK)
            case "-uba": o.output = .url(.avgBytes)
            case "-ubt": o.output = .url(.totalBytes)
            default:
                if a.hasPrefix("-") && a != "-" {
                    // -<n>: skip n fields; other unknown options are
                    // ignored, as the original does.
                    if a.count > 1, let n = Int(a.dropFirst()) {
                        o.skipFields = n
                    }
                } else {
                    o.files.append(a)
                }
            }
            i += 1
        }
        if o.acceptHoles && o.output == .ipCount {
            // The original then reads -ic's per-address records as
            // accept-date entries and prints memory addresses as counts.
            return .usage("halog: -ad/-ac cannot be combined with -ic.")
        }
        if o.output == nil {
            if !o.filtering { return .usage("No action specified.") }
            o.output = .lines
        }
        return .run(o)
    }

    /// True when -ad or -ac asks for the accept-date holes report, which
    /// replaces any output format but -c (and -ic, refused).
    public var acceptHoles: Bool { acceptDelay != nil || acceptCount != nil }

    /// True when an input filter is set.
    public var filtering: Bool {
        httpOnly || errorsOnly != nil || respTime != nil || queue != nil
            || termCode != nil || statusRange != nil || timeRange != nil
            || acceptDelay != nil || acceptCount != nil
    }

    /// Parses `[min][:[max]]`; an exact value when there is no colon.
    /// - Returns: the bounds; the upper one is nil without a colon.
    private static func range(_ s: String, defaultMax: Int) -> (Int?, Int?) {
        if let colon = s.firstIndex(of: ":") {
            let lo = s[..<colon]
            let hi = s[s.index(after: colon)...]
            return (lo.isEmpty ? nil : atoi(String(lo)), hi.isEmpty ? defaultMax : atoi(String(hi)))
        }
        return (atoi(s), nil)
    }

    /// C's atoi: optional sign then digits, 0 when there are none.
    static func atoi(_ s: String) -> Int {
        var it = s.utf8.makeIterator()
        var neg = false
        var v = 0
        var c = it.next()
        while c == 0x20 || c == 0x09 { c = it.next() }
        if c == 0x2D { neg = true; c = it.next() } else if c == 0x2B { c = it.next() }
        while let d = c, d >= 0x30, d <= 0x39 {
            v = v &* 10 &+ Int(d - 0x30)
            c = it.next()
        }
        return neg ? -v : v
    }
}
