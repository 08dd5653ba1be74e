import HAProxyBase
import HAProxyRules

/// A compiled `log-format` (or `error-log-format`, `log-format-sd`) string:
/// literal bytes and variables, rendered per stream by `LogFormatRenderer`.
///
/// Manual 8.2.6: `%var`, `%{+Q,-X}var` flags, `%o` propagating its flags to
/// the variables that follow, `%%` for a verbatim `%`, `%[expr]` a sample
/// expression (`LogSampleFetch` when the record itself has the value, else
/// evaluated on the stream's context the record carries).
public struct LogFormat: Sendable, Equatable {
    public enum Item: Sendable, Equatable {
        case literal([UInt8])
        /// A run of spaces: written as one space, and only when something
        /// was written since the previous separator (HAProxy's
        /// LOG_FMT_SEPARATOR), so empty captures leave no double spaces.
        case separator
        case variable(LogVariable, LogFormatFlags)
        /// `%[expr]` with a fetch known at log time.
        case fetch(LogSampleFetch, LogFormatFlags)
        /// `%[expr]` evaluated on the record's sample context.
        case sample(LogSampleExpression, LogFormatFlags)
    }

    public var items: [Item]
    /// The source string, for diagnostics.
    public var source: String

    public init(items: [Item], source: String) {
        self.items = items
        self.source = source
    }

    /// True when the format uses a variable that only makes sense in HTTP mode.
    public var usesHTTPVariables: Bool {
        items.contains { if case .variable(let v, _) = $0 { return v.isHTTPOnly }; return false }
    }

    /// Sample expressions written as `%[...]` that do not compile: they
    /// render `-`.
    public var unsupportedSamples: [String] {
        items.compactMap { if case .sample(let e, _) = $0, e.expression == nil { return e.source }; return nil }
    }

    /// Whether some `%[...]` needs the stream's context to render.
    public var usesSampleContext: Bool {
        items.contains { if case .sample = $0 { return true }; return false }
    }
}

/// Why a log-format string was refused, worded as HAProxy words it.
public struct LogFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension LogFormat {
    /// Compiles a log-format string.
    ///
    /// - Throws: `LogFormatError` for an unknown variable, an unterminated
    ///   `%{` or `%[`, or a bad flag.
    public init(compiling source: String) throws {
        let bytes = Array(source.utf8)
        var items: [Item] = []
        var literal: [UInt8] = []
        var defaultFlags: LogFormatFlags = []
        var i = 0

        func flush() {
            if !literal.isEmpty { items.append(.literal(literal)); literal.removeAll() }
        }

        while i < bytes.count {
            let c = bytes[i]
            if c == 0x20 {
                flush()
                if items.last != .separator { items.append(.separator) }
                i += 1
                continue
            }
            guard c == UInt8(ascii: "%") else { literal.append(c); i += 1; continue }
            i += 1
            if i < bytes.count && bytes[i] == UInt8(ascii: "%") { literal.append(c); i += 1; continue }
            var flags = defaultFlags
            if i < bytes.count && bytes[i] == UInt8(ascii: "{") {
                guard let close = bytes[i...].firstIndex(of: UInt8(ascii: "}")) else {
                    throw LogFormatError(message: "missing '}' after '%{' in log-format '\(source)'")
                }
                let args = String(decoding: bytes[(i + 1)..<close], as: UTF8.self)
                for arg in args.split(separator: ",") {
                    guard let sign = arg.first, sign == "+" || sign == "-", arg.count == 2 else {
                        continue // HAProxy ignores other arguments
                    }
                    let flag: LogFormatFlags
                    switch arg.last! {
                    case "Q": flag = .quote
                    case "X": flag = .hex
                    case "E": flag = .escape
                    default:
                        throw LogFormatError(message: "unknown flag '\(arg)' in log-format '\(source)'")
                    }
                    if sign == "+" { flags.insert(flag) } else { flags.remove(flag) }
                }
                i = close + 1
            }
            if i < bytes.count && bytes[i] == UInt8(ascii: "[") {
                var depth = 0, j = i
                while j < bytes.count {
                    if bytes[j] == UInt8(ascii: "[") { depth += 1 }
                    if bytes[j] == UInt8(ascii: "]") { depth -= 1; if depth == 0 { break } }
                    j += 1
                }
                guard j < bytes.count else {
                    throw LogFormatError(message: "missing ']' after '%[' in log-format '\(source)'")
                }
                flush()
                let expr = String(decoding: bytes[(i + 1)..<j], as: UTF8.self)
                items.append(LogSampleFetch(expr).map { .fetch($0, flags) } ?? .sample(LogSampleExpression(expr), flags))
                i = j + 1
                continue
            }
            var j = i
            while j < bytes.count, Self.isNameByte(bytes[j]) { j += 1 }
            let name = String(decoding: bytes[i..<j], as: UTF8.self)
            if name == "o" {
                defaultFlags = flags
                i = j
                continue
            }
            guard let variable = LogVariable(rawValue: name) else {
                if name.isEmpty {
                    throw LogFormatError(message: "expected a variable name after '%' in log-format '\(source)'. If you wanted to emit the '%' character verbatim, you need to use '%%'.")
                }
                throw LogFormatError(message: "no such format variable '\(name)'. If you wanted to emit the '%' character verbatim, you need to use '%%'.")
            }
            flush()
            items.append(.variable(variable, flags))
            i = j
        }
        flush()
        self.init(items: items, source: source)
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }
}

/// A `%[expr]` of a log format: the text as written and its compiled
/// expression (nil when it does not compile: the configuration checker
/// refused it already, so only formats built elsewhere get here).
public struct LogSampleExpression: Sendable, Equatable {
    public let source: String
    public let expression: SampleExpression?

    public init(_ source: String) {
        self.source = source
        expression = try? SampleExpression.parse(source.trimmingWhitespace())
    }

    public static func == (a: LogSampleExpression, b: LogSampleExpression) -> Bool { a.source == b.source }
}
