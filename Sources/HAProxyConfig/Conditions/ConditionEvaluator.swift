/// Evaluates the conditions of `.if`/`.elif` and of the command line's
/// `-cc EXPR`, as HAProxy 2.6 does (manual section 2.4).
///
/// Grammar: `expr := and ('||' and)*`, `and := term ('&&' term)*`,
/// `term := '!' term | '(' expr ')' | INTEGER | PREDICATE '(' args ')'`.
/// An empty expression is false; an integer is true when non-zero.
/// Predicates: `defined`, `feature`, `streq`, `strneq`, `version_atleast`,
/// `version_before`, `openssl_version_atleast`, `openssl_version_before`,
/// `ssllib_name_startswith` (the last three answer for the SSL library the
/// binary runs on; without one they are false).
///
/// The text is what the line tokenizer produced (quotes already removed and
/// `"$VAR"` already expanded), words joined by one space.
public struct ConditionEvaluator: Sendable {
    public var environment: [String: String]
    /// The `+NAME` entries of `-vv`'s feature list, without the `+`.
    public var features: Set<String>
    /// Our version, e.g. "2.6.12".
    public var version: String
    /// The SSL library the binary runs on, for the `openssl_*` and
    /// `ssllib_*` predicates.
    public var sslLibrary: SSLLibrary?

    /// An SSL library as those predicates see it.
    public struct SSLLibrary: Sendable, Equatable {
        /// `OpenSSL 3.0.22 25 Aug 2026` (`OpenSSL_version(OPENSSL_VERSION)`).
        public var name: String
        /// `OpenSSL_version_num()`, e.g. 0x30000160.
        public var versionNumber: UInt64
        public init(name: String, versionNumber: UInt64) {
            self.name = name
            self.versionNumber = versionNumber
        }
    }

    public init(environment: [String: String], features: Set<String>, version: String, sslLibrary: SSLLibrary? = nil) {
        self.environment = environment
        self.features = features
        self.version = version
        self.sslLibrary = sslLibrary
    }

    /// A condition that cannot be parsed.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        /// The message as HAProxy words it, e.g. `unparsable conditional expression 'foo('`.
        public var message: String
        /// 0-based offset in the evaluated text.
        public var position: Int
        public var description: String { message }
    }

    /// Evaluates `text`; true/false, or the parse error HAProxy would report.
    public func evaluate(_ text: String) -> Result<Bool, ParseError> {
        var parser = Parser(text: Array(text.utf8), evaluator: self)
        do {
            parser.skipSpaces()
            if parser.atEnd { return .success(false) }
            let value = try parser.parseExpr()
            parser.skipSpaces()
            if !parser.atEnd {
                let c = String(decoding: [parser.text[parser.pos]], as: UTF8.self)
                throw ParseError(
                    message: "unexpected character '\(c)' at the end of conditional expression '\(text)'",
                    position: parser.pos)
            }
            return .success(value)
        } catch let error as ParseError {
            return .failure(error)
        } catch {
            return .failure(ParseError(message: "\(error)", position: 0))
        }
    }

    /// Evaluates the argument of the command line's `-cc EXPR`: the text is
    /// first cut into words like a configuration line (quotes removed,
    /// `"$VAR"` expanded), as HAProxy does.
    public func evaluateCommandLine(_ expression: String) -> Result<Bool, ParseError> {
        let env = environment
        switch LineTokenizer(lookup: { env[$0] }).tokenize(expression) {
        case .success(let words): return evaluate(words: words)
        case .failure(let failure): return .failure(ParseError(message: failure.reason, position: failure.offset))
        }
    }

    /// The line HAProxy prints when `-cc` cannot parse its expression (after `[ALERT] (PID) : config : `).
    public static func commandLineFailureMessage(_ error: ParseError) -> String {
        "Failed to evaluate condition: \(error.message)"
    }

    /// Evaluates a `.if` line's words (after the directive).
    public func evaluate(words: [String]) -> Result<Bool, ParseError> {
        evaluate(words.joined(separator: " "))
    }

    func predicate(_ name: String, _ args: [String]) throws -> Bool {
        switch name {
        case "openssl_version_atleast", "openssl_version_before":
            guard let number = Self.openSSLVersionNumber(args[0]) else {
                throw ParseError(message: "unparsable OpenSSL version '\(args[0])'", position: 0)
            }
            guard let library = sslLibrary else { return false }
            return name == "openssl_version_atleast" ? library.versionNumber >= number : library.versionNumber < number
        case "ssllib_name_startswith":
            return sslLibrary?.name.hasPrefix(args[0]) ?? false
        case "defined": return environment[args[0]] != nil
        case "feature": return args[0].isEmpty || features.contains(args[0])
        case "streq": return args[0] == args[1]
        case "strneq": return args[0] != args[1]
        case "version_atleast": return Self.compareVersions(version, args[0]) >= 0
        case "version_before": return Self.compareVersions(version, args[0]) < 0
        default: return false
        }
    }

    /// An OpenSSL version as 2.6 reads the argument of `openssl_version_*`:
    /// `M.N.F` and an optional letter, as 0xMNNFF0L0 (the 1.x layout, which
    /// 2.6 also applies to 3.x: `3.0.22` reads above 3.0.22's own number).
    static func openSSLVersionNumber(_ text: String) -> UInt64? {
        var parts: [UInt64] = []
        var current: UInt64?
        var rest = Substring(text)
        while let c = rest.first, parts.count < 3 {
            if let d = c.wholeNumberValue, c.isASCII {
                current = (current ?? 0) * 10 + UInt64(d)
                rest = rest.dropFirst()
            } else if c == ".", let value = current {
                parts.append(value)
                current = nil
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        if let value = current, parts.count < 3 { parts.append(value) }
        guard parts.count == 3 else { return nil }
        var letter: UInt64 = 0
        if let c = rest.first, let ascii = c.asciiValue, (97...122).contains(ascii) { letter = UInt64(ascii - 96) }
        return parts[0] << 28 | parts[1] << 20 | parts[2] << 12 | letter << 4
    }

    /// Number of string arguments of each predicate.
    static let predicates: [String: Int] = [
        "defined": 1, "feature": 1, "streq": 2, "strneq": 2, "version_atleast": 1, "version_before": 1,
        "openssl_version_atleast": 1, "openssl_version_before": 1, "ssllib_name_startswith": 1,
    ]

    /// Compares HAProxy versions (`2.6`, `2.6.12`, `2.4-dev19`, `2.6.12-1+deb12u4`):
    /// missing components are zero; -devN < -preN < -rcN < release.
    public static func compareVersions(_ a: String, _ b: String) -> Int {
        let ka = versionKey(a)
        let kb = versionKey(b)
        for (x, y) in zip(ka, kb) where x != y { return x < y ? -1 : 1 }
        return 0
    }

    static func versionKey(_ s: String) -> [Int] {
        var nums: [Int] = []
        var rest = Substring(s)
        while nums.count < 3 {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            if digits.isEmpty { break }
            nums.append(Int(digits) ?? 0)
            rest = rest.dropFirst(digits.count)
            if rest.first == "." { rest = rest.dropFirst() } else { break }
        }
        while nums.count < 3 { nums.append(0) }
        var stage = 3
        var stageNumber = 0
        for (prefix, value) in [("-dev", 0), ("-pre", 1), ("-rc", 2)] where rest.hasPrefix(prefix) {
            stage = value
            stageNumber = Int(rest.dropFirst(prefix.count).prefix { $0.isASCII && $0.isNumber }) ?? 0
        }
        return nums + [stage, stageNumber]
    }

    private struct Parser {
        let text: [UInt8]
        let evaluator: ConditionEvaluator
        var pos = 0

        init(text: [UInt8], evaluator: ConditionEvaluator) {
            self.text = text
            self.evaluator = evaluator
        }

        var atEnd: Bool { pos >= text.count }

        mutating func skipSpaces() {
            while pos < text.count, text[pos] == 0x20 || text[pos] == 0x09 { pos += 1 }
        }

        func rest(from start: Int) -> String { String(decoding: text[start...], as: UTF8.self) }

        func unparsable(at start: Int) -> ParseError {
            ParseError(message: "unparsable conditional expression '\(rest(from: start))'", position: start)
        }

        mutating func consume(_ op: String) -> Bool {
            let o = Array(op.utf8)
            guard pos + o.count <= text.count, Array(text[pos..<(pos + o.count)]) == o else { return false }
            pos += o.count
            return true
        }

        mutating func parseExpr() throws -> Bool {
            var value = try parseAnd(operatorAt: nil)
            while true {
                skipSpaces()
                let opStart = pos
                guard consume("||") else { return value }
                let rhs = try parseAnd(operatorAt: opStart)
                value = value || rhs
            }
        }

        mutating func parseAnd(operatorAt: Int?) throws -> Bool {
            var value = try parseTerm(operatorAt: operatorAt)
            while true {
                skipSpaces()
                let opStart = pos
                guard consume("&&") else { return value }
                let rhs = try parseTerm(operatorAt: opStart)
                value = value && rhs
            }
        }

        /// - Parameter operatorAt: where the preceding operator started, which
        ///   HAProxy reports when the term after it is missing.
        mutating func parseTerm(operatorAt: Int?) throws -> Bool {
            skipSpaces()
            let start = pos
            guard !atEnd else { throw unparsable(at: operatorAt ?? start) }
            let c = text[pos]
            if c == UInt8(ascii: "!") {
                pos += 1
                skipSpaces()
                if atEnd { throw unparsable(at: start) }
                return !(try parseTerm(operatorAt: start))
            }
            if c == UInt8(ascii: "(") {
                pos += 1
                let value = try parseExpr()
                skipSpaces()
                guard !atEnd, text[pos] == UInt8(ascii: ")") else {
                    throw ParseError(
                        message: "expected ')' after conditional expression '\(rest(from: start))'", position: start)
                }
                pos += 1
                return value
            }
            if c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || (c >= 0x30 && c <= 0x39) {
                var j = pos + 1
                while j < text.count, text[j] >= 0x30 && text[j] <= 0x39 { j += 1 }
                let digits = text[pos..<j].filter { $0 >= 0x30 && $0 <= 0x39 }
                if digits.isEmpty { throw unparsable(at: start) }
                pos = j
                return digits.contains { $0 != 0x30 }
            }
            var j = pos
            while j < text.count, LineTokenizer.isNameChar(text[j]) { j += 1 }
            let name = String(decoding: text[pos..<j], as: UTF8.self)
            guard let arity = ConditionEvaluator.predicates[name] else { throw unparsable(at: start) }
            guard j < text.count, text[j] == UInt8(ascii: "(") else {
                // A bare predicate name runs with empty arguments, as HAProxy does.
                pos = j
                return try evaluate(name, Array(repeating: "", count: arity), at: start)
            }
            pos = j + 1
            let args = try parseArguments(predicate: name, arity: arity, start: start)
            return try evaluate(name, args, at: start)
        }

        private func evaluate(_ name: String, _ args: [String], at start: Int) throws -> Bool {
            do {
                return try evaluator.predicate(name, args)
            } catch var error as ParseError {
                error.position = start
                throw error
            }
        }

        /// Comma-separated arguments up to `)`, with quotes and backslashes.
        mutating func parseArguments(predicate: String, arity: Int, start: Int) throws -> [String] {
            var args: [String] = []
            var current: [UInt8] = []
            var quote: UInt8 = 0
            while true {
                guard pos < text.count else { throw unparsable(at: start) }
                let c = text[pos]
                if quote != 0 {
                    if c == quote {
                        quote = 0
                    } else if c == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") && pos + 1 < text.count {
                        pos += 1
                        current.append(text[pos])
                    } else {
                        current.append(c)
                    }
                    pos += 1
                    continue
                }
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    quote = c
                    pos += 1
                    continue
                }
                if c == UInt8(ascii: "\\") && pos + 1 < text.count {
                    current.append(text[pos + 1])
                    pos += 2
                    continue
                }
                if c == UInt8(ascii: ",") || c == UInt8(ascii: ")") {
                    if args.count == arity {
                        // More arguments than the predicate takes.
                        throw ParseError(
                            message: "expected ')' before '\(rest(from: pos))' in argument \(arity - 1) of predicate '\(predicate)' used in conditional expression",
                            position: pos)
                    }
                    args.append(String(decoding: current, as: UTF8.self))
                    current = []
                    pos += 1
                    if c == UInt8(ascii: ")") { break }
                    if args.count == arity {
                        throw ParseError(
                            message: "expected ')' before '\(rest(from: pos - 1))' in argument \(arity - 1) of predicate '\(predicate)' used in conditional expression",
                            position: pos - 1)
                    }
                    continue
                }
                current.append(c)
                pos += 1
            }
            if args.count < arity {
                throw ParseError(
                    message: "missing arguments (got \(args.count)/\(arity)), type 'string' expected in argument \(args.count) of predicate '\(predicate)' used in conditional expression",
                    position: start)
            }
            return args
        }
    }
}
