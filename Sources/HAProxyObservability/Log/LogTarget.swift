import HAProxyConfig

/// One resolved `log` line: destination, framing and filters.
public struct LogTarget: Sendable, Equatable {
    public var destination: LogDestination
    public var format: SyslogFormat
    /// `len`: maximum line length, header included (1024 by default).
    public var maxLength: Int
    public var facility: SyslogFacility
    /// Only levels at least this severe are sent.
    public var maxLevel: SyslogLevel
    /// More severe levels are capped to this one.
    public var minLevel: SyslogLevel
    /// `sample RANGES:SIZE`.
    public var sample: LogSample?
    /// `file@` options.
    public var file: FileLogOptions?

    /// Interprets a parsed `log` line (not `log global`).
    /// - Parameter sendHostname: true when `log-send-hostname` is set, which
    ///   switches the default format from `local` to `rfc3164`.
    public init(_ config: LogTargetConfig, sendHostname: Bool = false) throws {
        destination = try LogDestination(parsing: config.target)
        var isFile = false
        if case .file = destination { isFile = true }
        if let f = config.format {
            guard let parsed = SyslogFormat(rawValue: f), parsed != .file else {
                throw LogConfigError("unknown log format '\(f)'")
            }
            format = parsed
        } else {
            format = isFile ? .file : (sendHostname ? .rfc3164 : .local)
        }
        maxLength = config.length ?? 1024
        guard (80...65535).contains(maxLength) || config.length == nil else {
            throw LogConfigError("invalid len '\(maxLength)' (accepted values are 80 to 65535)")
        }
        guard let fac = SyslogFacility(name: config.facility) else {
            throw LogConfigError("unknown log facility '\(config.facility)'")
        }
        facility = fac
        maxLevel = .debug
        minLevel = .emerg
        if let m = config.maxLevel {
            guard let l = SyslogLevel(name: m) else { throw LogConfigError("unknown optional log level '\(m)'") }
            maxLevel = l
        }
        if let m = config.minLevel {
            guard let l = SyslogLevel(name: m) else { throw LogConfigError("unknown optional minimum log level '\(m)'") }
            minLevel = l
        }
        sample = try config.sample.map { try LogSample(parsing: $0) }
        if isFile {
            file = try FileLogOptions(parsing: config.extra)
        } else if !config.extra.isEmpty {
            throw LogConfigError("unexpected '\(config.extra.joined(separator: " "))' after log facility")
        }
    }

    /// The level a message of `level` is sent with, or nil when filtered out.
    public func effectiveLevel(_ level: SyslogLevel) -> SyslogLevel? {
        if level > maxLevel { return nil }
        return level < minLevel ? minLevel : level
    }
}

/// `sample <ranges>:<sample_size>`: which lines of each period of
/// `size` lines a target receives (numbered from 1).
public struct LogSample: Sendable, Equatable {
    public var ranges: [ClosedRange<Int>]
    public var size: Int

    public init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let size = Int(text[text.index(after: colon)...]), size > 0 else {
            throw LogConfigError("invalid sample '\(text)': expected <ranges>:<sample_size>")
        }
        var ranges: [ClosedRange<Int>] = []
        for part in text[..<colon].split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard let lo = Int(bounds[0]), lo > 0, let hi = bounds.count == 2 ? Int(bounds[1]) : lo,
                  bounds.count <= 2, hi >= lo else {
                throw LogConfigError("invalid range '\(part)' in sample '\(text)'")
            }
            guard hi <= size else {
                throw LogConfigError("sample size \(size) should be greater or equal to \(hi)")
            }
            ranges.append(lo...hi)
        }
        guard !ranges.isEmpty else { throw LogConfigError("invalid sample '\(text)'") }
        self.ranges = ranges
        self.size = size
    }

    /// Whether line number `n` (counted from 0 for this target) is sent.
    public func accepts(_ n: Int) -> Bool {
        let pos = n % size + 1
        return ranges.contains { $0.contains(pos) }
    }
}

/// Options of a `file@PATH` target given after the facility:
/// `[rotate size SIZE] [keep N] [compress lz4]`.
public struct FileLogOptions: Sendable, Equatable {
    /// Self-rotation threshold in bytes; nil: logrotate's job.
    public var rotateSize: Int?
    /// Rotated files kept (PATH.1, PATH.2.lz4 ... PATH.N.lz4).
    public var keep = 7
    /// Compress PATH.2 and older with LZ4 frames.
    public var compressLZ4 = false
    /// Bounded queue of lines waiting for the writer thread.
    public var queueCapacity = 16384

    public init() {}

    public init(parsing words: [String]) throws {
        var i = 0
        func next(_ what: String) throws -> String {
            i += 1
            guard i < words.count else { throw LogConfigError("missing \(what) after '\(words[i - 1])'") }
            return words[i]
        }
        while i < words.count {
            switch words[i] {
            case "rotate":
                guard try next("'size'") == "size" else { throw LogConfigError("expected 'rotate size SIZE'") }
                let text = try next("size")
                guard let n = Self.parseSize(text), n > 0 else { throw LogConfigError("invalid rotate size '\(text)'") }
                rotateSize = n
            case "keep":
                let text = try next("count")
                guard let n = Int(text), n >= 1 else { throw LogConfigError("invalid keep count '\(text)'") }
                keep = n
            case "compress":
                let text = try next("algorithm")
                guard text == "lz4" else { throw LogConfigError("unsupported compression '\(text)' (only lz4)") }
                compressLZ4 = true
            default:
                throw LogConfigError("unknown file log option '\(words[i])'")
            }
            i += 1
        }
    }

    /// `100`, `64k`, `10m`, `1g` (HAProxy's size suffixes).
    static func parseSize(_ s: String) -> Int? {
        guard let last = s.last else { return nil }
        let mult: Int
        var digits = Substring(s)
        switch last {
        case "k", "K": mult = 1024; digits = digits.dropLast()
        case "m", "M": mult = 1024 * 1024; digits = digits.dropLast()
        case "g", "G": mult = 1024 * 1024 * 1024; digits = digits.dropLast()
        default: mult = 1
        }
        return Int(digits).map { $0 * mult }
    }
}
