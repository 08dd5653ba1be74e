/// Cuts one configuration line into words, as HAProxy 2.6 does.
///
/// Manual sections 2.2 (quoting and escaping) and 2.3 (environment
/// variables): `#` starts a comment outside quotes; spaces and tabs separate
/// words; `"..."` is weak quoting (environment variables are expanded inside,
/// and only there); `'...'` is strong quoting (nothing interpreted); a
/// backslash escapes ` `, `#`, `\`, `'`, `"`, `$` and produces `\r`, `\n`,
/// `\t`, `\xNN`. `${NAME[*]}` inside double quotes expands to one word per
/// space-separated element of the value; `${NAME-default}` uses the default
/// when NAME is unset (not when empty). An unset variable expands to nothing.
/// Addresses expand `${NAME}` themselves, quoted or not (`AddressParser`).
public struct LineTokenizer {
    /// HAProxy's `MAX_LINE_ARGS`.
    public static let maxWords = 64

    /// Resolves a variable name (including pseudo-variables such as `.LINE`).
    public var lookup: (String) -> String?

    public init(lookup: @escaping (String) -> String?) {
        self.lookup = lookup
    }

    /// A tokenizing failure, with the offending byte offset in the raw line.
    public struct Failure: Error, Equatable {
        public var reason: String
        /// 0-based byte offset in the raw line.
        public var offset: Int
        /// True when the words were still produced (e.g. "too many words").
        public var wordsAreUsable = false

        /// The message as HAProxy prints it: reason, 1-based position, the
        /// line without its indentation and a caret under the offending byte.
        public func message(line: String) -> String {
            let bytes = Array(line.utf8)
            var indent = 0
            while indent < bytes.count, bytes[indent] == 0x20 || bytes[indent] == 0x09 { indent += 1 }
            var shown = Array(bytes[indent...])
            while let last = shown.last, last == 0x0A { shown.removeLast() }
            // Blanks other than spaces (tab, CR...) are shown as spaces.
            shown = shown.map { (0x09...0x0D).contains($0) ? 0x20 : $0 }
            let caret = String(repeating: " ", count: 2 + max(0, offset - indent)) + "^"
            return "\(reason) at position \(offset + 1):\n  \(String(decoding: shown, as: UTF8.self))\n\(caret)"
        }
    }

    /// Splits `line` into words; an empty array for blank and comment lines.
    public func tokenize(_ line: String) -> Result<[String], Failure> {
        let b = Array(line.utf8)
        var words: [[UInt8]] = []
        var starts: [Int] = []
        var current: [UInt8] = []
        var inWord = false
        var i = 0
        var quote: UInt8 = 0  // 0, '"' or '\''
        var quoteStart = 0

        func endWord() {
            if inWord { words.append(current) }
            current = []
            inWord = false
        }

        while i < b.count {
            let c = b[i]
            if quote == 0 && (c == 0x20 || c == 0x09) {
                endWord()
                i += 1
                continue
            }
            // A CR or LF ends the line, even inside quotes (a CRLF file
            // reads as its lines; a quote left open is reported).
            if c == 0x0A || c == 0x0D { break }
            if !inWord && quote == 0 && c != UInt8(ascii: "#") { starts.append(i) }
            if quote == 0 && c == UInt8(ascii: "#") { break }
            if c == UInt8(ascii: "'") && quote != UInt8(ascii: "\"") {
                inWord = true
                if quote == 0 {
                    quote = c
                    quoteStart = i
                } else {
                    quote = 0
                }
                i += 1
                continue
            }
            if c == UInt8(ascii: "\"") && quote != UInt8(ascii: "'") {
                inWord = true
                if quote == 0 {
                    quote = c
                    quoteStart = i
                } else {
                    quote = 0
                }
                i += 1
                continue
            }
            if c == UInt8(ascii: "\\") && quote != UInt8(ascii: "'") && i + 1 < b.count {
                let n = b[i + 1]
                inWord = true
                switch n {
                case 0x20, 0x09, UInt8(ascii: "#"), UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""),
                    UInt8(ascii: "$"):
                    current.append(n)
                    i += 2
                case UInt8(ascii: "r"):
                    current.append(0x0D)
                    i += 2
                case UInt8(ascii: "n"):
                    current.append(0x0A)
                    i += 2
                case UInt8(ascii: "t"):
                    current.append(0x09)
                    i += 2
                case UInt8(ascii: "x"):
                    guard i + 3 < b.count, let h = Self.hex(b[i + 2]), let l = Self.hex(b[i + 3]) else {
                        return .failure(Failure(reason: "truncated or invalid hexadecimal sequence", offset: i))
                    }
                    current.append(h << 4 | l)
                    i += 4
                default:
                    current.append(c)
                    i += 1
                }
                continue
            }
            if c == UInt8(ascii: "$") && quote == UInt8(ascii: "\"") {
                // Environment variable, only interpreted within double quotes.
                var j = i + 1
                let braced = j < b.count && b[j] == UInt8(ascii: "{")
                if braced { j += 1 }
                let nameStart = j
                guard j < b.count, Self.isNameStart(b[j]) else {
                    return .failure(Failure(reason: "forbidden first char in environment variable name", offset: j))
                }
                j += 1
                while j < b.count, Self.isNameChar(b[j]) { j += 1 }
                let name = String(decoding: b[nameStart..<j], as: UTF8.self)
                var defaultValue: [UInt8]?
                var splitAll = false
                if braced {
                    if j + 2 < b.count, b[j] == UInt8(ascii: "["), b[j + 1] == UInt8(ascii: "*"),
                        b[j + 2] == UInt8(ascii: "]")
                    {
                        splitAll = true
                        j += 3
                    }
                    if j < b.count, b[j] == UInt8(ascii: "-") {
                        var k = j + 1
                        while k < b.count, b[k] != UInt8(ascii: "}") { k += 1 }
                        defaultValue = Array(b[(j + 1)..<min(k, b.count)])
                        j = k
                    }
                    guard j < b.count, b[j] == UInt8(ascii: "}") else {
                        return .failure(
                            Failure(reason: "unmatched brace in environment variable name", offset: nameStart - 1))
                    }
                    j += 1
                }
                inWord = true
                let value = lookup(name).map { Array($0.utf8) } ?? defaultValue ?? []
                if splitAll {
                    // One word per space-separated element: the first joins
                    // the current word, the last continues it.
                    let parts = value.split(separator: 0x20, omittingEmptySubsequences: true)
                    for (index, part) in parts.enumerated() {
                        if index > 0 {
                            words.append(current)
                            current = []
                        }
                        current.append(contentsOf: part)
                    }
                } else {
                    current.append(contentsOf: value)
                }
                i = j
                continue
            }
            inWord = true
            current.append(c)
            i += 1
        }
        if quote != 0 {
            return .failure(Failure(reason: "unmatched quote", offset: quoteStart))
        }
        endWord()
        if words.count > Self.maxWords {
            // HAProxy names the last word it keeps and the blank before it.
            let last = String(decoding: words[Self.maxWords - 1], as: UTF8.self)
            let position = Self.maxWords - 1 < starts.count ? starts[Self.maxWords - 1] - 1 : 0
            return .failure(
                Failure(
                    reason: "too many words, truncating after word \(Self.maxWords), position \(position): <\(last)>.",
                    offset: position, wordsAreUsable: true))
        }
        return .success(words.map { String(decoding: $0, as: UTF8.self) })
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func isNameStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
    }

    static func isNameChar(_ c: UInt8) -> Bool {
        isNameStart(c) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }
}
