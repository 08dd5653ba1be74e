/// Parses a keyword's parenthesised argument list with 2.6's rules: typed
/// arguments split on commas, `\` escapes and quotes inside an argument,
/// no nesting (`req.hdr(a(b),1)` ends at the first `)`), spaces kept
/// (`req.hdr(a, 1)` fails: `' 1'` is no integer).
///
/// Errors are worded as 2.6 words them; `position` tells the converter
/// prefix which argument failed (`invalid arg 2 in converter 'add'`).
struct SampleArgumentParser {
    struct Failure: Error {
        var message: String
        /// The 1-based argument the converter prefix names.
        var position: Int
    }

    let text: [UInt8]

    /// Parses the arguments of a keyword whose name ends at `index`
    /// (which is at `(` or not); on return `index` is past the `)`.
    func parse(
        at index: inout Int, types: [SampleArgumentType], mandatory: Int
    ) throws(Failure) -> [SampleArgument] {
        var arguments: [SampleArgument] = []
        if index < text.count, text[index] == UInt8(ascii: "(") {
            index += 1
            if index < text.count, text[index] == UInt8(ascii: ")"), mandatory == 0 {
                index += 1
                return []
            }
            // Each argument up to `,` or `)`.
            while true {
                if arguments.count == types.count {
                    // No room for another argument.
                    if index < text.count, text[index] == UInt8(ascii: ")") {
                        index += 1
                        break
                    }
                    if index >= text.count { throw Failure(message: "expected ')'", position: max(1, arguments.count)) }
                    let rest = String(decoding: text[index...], as: UTF8.self)
                    let position = types.isEmpty ? 1 : max(2, types.count)
                    throw Failure(message: "expected ')' before '\(rest)'", position: position)
                }
                var argument: [UInt8] = []
                var quote: UInt8? = nil
                var terminator: UInt8? = nil
                while index < text.count {
                    let c = text[index]
                    if let q = quote {
                        if c == q {
                            quote = nil
                        } else if c == UInt8(ascii: "\\"), q == UInt8(ascii: "\""), index + 1 < text.count,
                                  text[index + 1] == UInt8(ascii: "\"") || text[index + 1] == UInt8(ascii: "\\") {
                            // Recorded: in double quotes only `\"` and `\\` are
                            // escapes; `"\2@\1"` keeps regsub's back-references.
                            index += 1
                            argument.append(text[index])
                        } else {
                            argument.append(c)
                        }
                        index += 1
                        continue
                    }
                    if c == UInt8(ascii: ",") || c == UInt8(ascii: ")") {
                        terminator = c
                        break
                    }
                    if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                        quote = c
                    } else if c == UInt8(ascii: "\\"), index + 1 < text.count {
                        index += 1
                        argument.append(text[index])
                    } else {
                        argument.append(c)
                    }
                    index += 1
                }
                guard let end = terminator else {
                    throw Failure(message: "expected ')'", position: arguments.count + 1)
                }
                // Each argument is checked as soon as it is read
                // (`req.hdr(a,b,c,d)` fails on `b`, not on the count).
                try append(argument, to: &arguments, types: types, mandatory: mandatory)
                if end == UInt8(ascii: ")") {
                    index += 1
                    break
                }
                // A comma: another argument follows, if there is room.
                if arguments.count == types.count {
                    let rest = String(decoding: text[index...], as: UTF8.self)
                    throw Failure(message: "expected ')' before '\(rest)'", position: max(2, types.count))
                }
                index += 1
            }
        } else if mandatory > 0 {
            // No parentheses: read as one empty argument.
            try append([], to: &arguments, types: types, mandatory: mandatory)
        }

        if arguments.count < mandatory {
            let missing = arguments.count
            throw Failure(
                message: "missing arguments (got \(missing)/\(mandatory)), type '\(types[missing].name)' expected",
                position: missing + 1)
        }
        return arguments
    }

    private func append(
        _ bytes: [UInt8], to arguments: inout [SampleArgument], types: [SampleArgumentType], mandatory: Int
    ) throws(Failure) {
        let i = arguments.count
        let type = types[i]
        if bytes.isEmpty && type != .string && type != .regex && type != .userlist {
            // An empty optional argument is left out (`field(1,a,)`).
            if i >= mandatory {
                arguments.append(.absent)
                return
            }
            throw Failure(message: "expected type '\(type.name)' at position \(i + 1), but got nothing", position: i + 1)
        }
        guard let argument = Self.convert(bytes, to: type) else {
            let shown = String(decoding: bytes, as: UTF8.self)
            throw Failure(message: "failed to parse '\(shown)' as type '\(type.name)' at position \(i + 1)", position: i + 1)
        }
        arguments.append(argument)
    }

    /// One argument's text as its type; nil when it does not parse.
    static func convert(_ bytes: [UInt8], to type: SampleArgumentType) -> SampleArgument? {
        switch type {
        case .string:
            return .string(bytes)
        case .regex:
            return .regex(String(decoding: bytes, as: UTF8.self))
        case .userlist:
            return .userlist(String(decoding: bytes, as: UTF8.self))
        case .int:
            return parseInteger(bytes).map { .int($0) }
        case .ipv4:
            return IPv4Address(text: bytes).map { .ipv4($0) }
        case .ipv6:
            return IPv6Address(text: bytes).map { .ipv6($0) }
        case .ipv4Mask:
            if let bits = parseInteger(bytes) {
                guard bits >= 0 && bits <= 32 else { return nil }
                return .ipv4Mask(IPv4Address(bits == 0 ? 0 : UInt32.max << (32 - UInt32(bits))))
            }
            guard let mask = IPv4Address(text: bytes) else { return nil }
            // Contiguous masks only.
            let inverted = ~mask.value
            guard inverted & (inverted &+ 1) == 0 else { return nil }
            return .ipv4Mask(mask)
        case .ipv6Mask:
            if let bits = parseInteger(bytes) {
                guard bits >= 0 && bits <= 128 else { return nil }
                return .ipv6Mask(IPv6Address.mask(bits: Int(bits)))
            }
            return IPv6Address(text: bytes).map { .ipv6Mask($0) }
        case .backend:
            return .backend(String(decoding: bytes, as: UTF8.self))
        case .server:
            let text = String(decoding: bytes, as: UTF8.self)
            if let slash = text.firstIndex(of: "/") {
                return .server(backend: String(text[..<slash]), server: String(text[text.index(after: slash)...]))
            }
            return .server(backend: nil, server: text)
        }
    }

    /// A whole decimal integer with an optional sign (`strtoll` that must
    /// consume everything); saturates on overflow as `strtoll` does.
    static func parseInteger(_ bytes: [UInt8]) -> Int64? {
        var digits = bytes[...]
        if let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Sample.parseLeadingInt(bytes)
    }
}

extension IPv6Address {
    /// The mask with the first `bits` bits set.
    static func mask(bits: Int) -> IPv6Address {
        func part(_ n: Int) -> UInt64 { n <= 0 ? 0 : n >= 64 ? UInt64.max : UInt64.max << UInt64(64 - n) }
        return IPv6Address(high: part(bits), low: part(bits - 64))
    }
}
