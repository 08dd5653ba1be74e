import Synchronization
/// A log-format string as rules use it (`http-request set-header X
/// %[req.hdr(host),lower]`, `lf-string`, `use_backend %[...]`): literal
/// text, `%%`, sample expressions `%[expr]` and log-format variables
/// (`%ci`, `%ST`...), each optionally preceded by `%{+Q,+X}` options.
///
/// Sample parts evaluate here. Log variables are only parsed and kept by
/// name: the log renderer in HAProxyObservability owns their values, so
/// `evaluate` renders them through a caller-supplied closure.
public struct SampleFormat: Sendable {
    public enum Part: Sendable {
        case literal([UInt8])
        case sample(SampleExpression, options: [String])
        /// A log-format variable by name (`ci`, `ST`), for the log renderer.
        case variable(String, options: [String])
    }

    public let parts: [Part]

    /// Whether some format parsed in this process has a log-format
    /// variable the rules' contexts do not know themselves (`%Ts`, `%rt`,
    /// `%{+X}ci`...): streams then give their contexts what their log
    /// knows, which costs a copy per context otherwise spared. Set while
    /// the configuration is read, never cleared.
    public static var rulesRenderLogVariables: Bool { needsLogSnapshots.load(ordering: .relaxed) }
    private static let needsLogSnapshots = Synchronization.Atomic<Bool>(false)
    /// The variables a rule's context renders without the log's help.
    static let contextVariables: Set<String> = ["ci", "cp", "fi", "fp", "f", "ft", "b", "s"]
    /// The bytes of a format without variable parts, rendered once.
    private let constant: [UInt8]?

    init(parts: [Part]) {
        self.parts = parts
        var bytes: [UInt8]? = []
        for part in parts {
            guard case .literal(let literal) = part else {
                bytes = nil
                break
            }
            bytes! += literal
        }
        constant = bytes
    }

    /// The sample expressions of the `%[...]` parts, in order.
    public var expressions: [SampleExpression] {
        parts.compactMap { if case .sample(let e, _) = $0 { return e } else { return nil } }
    }

    /// Whether the string has no variable part (a constant).
    public var isConstant: Bool {
        parts.allSatisfy { if case .literal = $0 { return true } else { return false } }
    }

    /// The log-format variables 2.6 knows (manual 8.2.4).
    public static let knownVariables: Set<String> = [
        "o", "B", "CC", "CS", "H", "HM", "HP", "HPO", "HQ", "HU", "HV", "ID", "ST", "T", "Ta", "Tc", "Td", "Tl", "Th",
        "Ti", "Tq", "TR", "Tr", "Ts", "Tt", "Tu", "Tw", "U", "ac", "b", "bc", "bi", "bp", "bq", "ci", "cp", "f", "fc",
        "fi", "fp", "ft", "lc", "hr", "hrl", "hs", "hsl", "ms", "pid", "r", "rc", "rt", "s", "sc", "si", "sp", "sq",
        "sslc", "sslv", "t", "tr", "trg", "trl", "ts", "tsc",
    ]

    /// Parses a format string (after the line tokenizer removed quotes).
    /// - Throws: `SampleParseError` with 2.6's text, e.g. `failed to parse
    ///   sample expression <foo]> : unknown fetch method 'foo'`, `missing
    ///   ']' after 'str(a)'`, `no such format variable 'Zz'. If you wanted
    ///   to emit the '%' character verbatim, you need to use '%%'`.
    public static func parse(_ text: String) throws -> SampleFormat {
        let bytes = Array(text.utf8)
        var parts: [Part] = []
        var literal: [UInt8] = []
        var i = 0
        func flush() {
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = []
        }
        while i < bytes.count {
            let c = bytes[i]
            guard c == UInt8(ascii: "%") else {
                literal.append(c)
                i += 1
                continue
            }
            i += 1
            if i == bytes.count { throw SampleParseError(message: "truncated line after '%'") }
            if bytes[i] == UInt8(ascii: "%") {
                literal.append(c)
                i += 1
                continue
            }
            var options: [String] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "{") {
                guard let close = bytes[i...].firstIndex(of: UInt8(ascii: "}")) else {
                    let rest = String(decoding: bytes[(i + 1)...], as: UTF8.self)
                    throw SampleParseError(message: "truncated line after '\(rest)'")
                }
                options = String(decoding: bytes[(i + 1)..<close], as: UTF8.self).split(separator: ",").map(String.init)
                i = close + 1
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "[") {
                let start = i + 1
                var end = start
                let expression: SampleExpression
                do {
                    expression = try SampleExpression.parse(bytes, at: &end, stopAtEnd: true)
                } catch {
                    let rest = String(decoding: bytes[start...], as: UTF8.self)
                    throw SampleParseError(message: "failed to parse sample expression <\(rest)> : \(error.message)")
                }
                guard end < bytes.count, bytes[end] == UInt8(ascii: "]") else {
                    throw SampleParseError(message: "missing ']' after '\(String(decoding: bytes[start..<end], as: UTF8.self))'")
                }
                flush()
                parts.append(.sample(expression, options: options))
                i = end + 1
                continue
            }
            let start = i
            while i < bytes.count, (bytes[i] >= 0x41 && bytes[i] <= 0x5a) || (bytes[i] >= 0x61 && bytes[i] <= 0x7a) { i += 1 }
            let name = String(decoding: bytes[start..<i], as: UTF8.self)
            guard knownVariables.contains(name) else {
                throw SampleParseError(
                    message: "no such format variable '\(name)'. If you wanted to emit the '%' character verbatim, you need to use '%%'")
            }
            flush()
            if !options.isEmpty || !contextVariables.contains(name) {
                needsLogSnapshots.store(true, ordering: .relaxed)
            }
            parts.append(.variable(name, options: options))
        }
        flush()
        return SampleFormat(parts: parts)
    }

    /// The first sample expression that needs data `stage` lacks, with
    /// the source it lacks: 2.6 then says `sample fetch <%s> may not be
    /// reliably used here because it needs '%s' which is not available
    /// here` (`%s` the text from the fetch to the end of the string).
    public func missingSource(at stage: SampleStage) -> (expression: SampleExpression, source: SampleSources)? {
        for part in parts {
            if case .sample(let expression, _) = part, let missing = expression.missingSource(at: stage) {
                return (expression, missing)
            }
        }
        return nil
    }

    /// 2.6's refusal of a format whose first sample needs data `stage`
    /// lacks: `sample fetch <req.hdr(host)]> may not be reliably used
    /// here because it needs 'HTTP request headers' which is not
    /// available here`, quoting `text` (the format as written) from that
    /// sample to its end; nil when every sample can be used.
    public func unavailableSampleMessage(in text: String, at stage: SampleStage) -> String? {
        var index = 0
        for part in parts {
            guard case .sample(let expression, _) = part else { continue }
            defer { index += 1 }
            guard let source = expression.missingSource(at: stage) else { continue }
            let bytes = Array(text.utf8)
            let starts = Self.sampleStarts(bytes)
            let rest = index < starts.count ? String(decoding: bytes[starts[index]...], as: UTF8.self) : expression.fetchName
            return "sample fetch <\(rest)> may not be reliably used here because it needs '\(source.name)' which is not available here"
        }
        return nil
    }

    /// Byte offsets where each `%[...]` expression of a format starts.
    static func sampleStarts(_ bytes: [UInt8]) -> [Int] {
        var starts: [Int] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "%"), i + 1 < bytes.count else { i += 1; continue }
            i += 1
            if bytes[i] == UInt8(ascii: "%") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "{"), let close = bytes[i...].firstIndex(of: UInt8(ascii: "}")) { i = close + 1 }
            if i < bytes.count, bytes[i] == UInt8(ascii: "[") {
                starts.append(i + 1)
                i = bytes[i...].firstIndex(of: UInt8(ascii: "]")) ?? bytes.count
            }
        }
        return starts
    }

    /// The rendered bytes. A sample that yields nothing renders as
    /// nothing (as in 2.6's `lf-string` and header values); control
    /// characters other than tab and DEL are written `%XX` as 2.6 does.
    /// `variable` renders log-format variables (nothing by default).
    /// - Parameter variable: renders a log-format variable by name with
    ///   its options (those of a `%{...}o` before it first, as in a log
    ///   line).
    /// - Parameter mergingSpaces: spaces are separators, as in a log
    ///   line (`unique-id-format`): a run of them writes one space, none
    ///   at the start nor right after another (2.6, recorded).
    public func evaluate(
        _ context: some SampleContext, mergingSpaces: Bool = false,
        variable: (String, [String], inout [UInt8]) -> Void = { _, _, _ in }
    ) -> [UInt8] {
        if !mergingSpaces {
            if let constant { return constant }
            // One sample (`%[req.hdr(host),lower]`): its bytes as they are
            // when nothing needs escaping.
            if parts.count == 1, case .sample(let expression, _) = parts[0] {
                guard let sample = expression.evaluate(context) else { return [] }
                if case .string(let bytes) = sample, !bytes.contains(where: Self.needsEscape) { return bytes }
                var out: [UInt8] = []
                Self.append(sample, to: &out)
                return out
            }
        }
        var out: [UInt8] = []
        // `%{+X}o` gives its options to the variables after it.
        var defaultOptions: [String] = []
        // Merging spaces, as at the start of a line: a separator there
        // writes nothing.
        var afterSeparator = true
        for part in parts {
            switch part {
            case .literal(let bytes):
                guard mergingSpaces else {
                    out += bytes
                    continue
                }
                for byte in bytes {
                    if byte == 0x20 {
                        if !afterSeparator { out.append(0x20) }
                        afterSeparator = true
                    } else {
                        out.append(byte)
                        afterSeparator = false
                    }
                }
            case .sample(let expression, _):
                // An empty sample counts as written (2.6, recorded).
                if let sample = expression.evaluate(context) { Self.append(sample, to: &out) }
                afterSeparator = false
            case .variable("o", let options):
                defaultOptions = options
            case .variable(let name, let options):
                variable(name, defaultOptions.isEmpty ? options : defaultOptions + options, &out)
                afterSeparator = false
            }
        }
        return out
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Control characters other than tab, and DEL, are written `%XX`.
    @inline(__always)
    static func needsEscape(_ c: UInt8) -> Bool { (c < 0x20 && c != 0x09) || c == 0x7f }

    /// A sample as text: strings and binaries as their bytes, escaped;
    /// other types in their string form.
    static func append(_ sample: Sample, to out: inout [UInt8]) {
        switch sample {
        case .string(let bytes), .binary(let bytes):
            for c in bytes {
                if needsEscape(c) {
                    out += [UInt8(ascii: "%"), hexDigits[Int(c >> 4)], hexDigits[Int(c & 0xf)]]
                } else {
                    out.append(c)
                }
            }
        default:
            if case .string(let bytes)? = sample.cast(to: .string) { append(.string(bytes), to: &out) }
        }
    }
}
