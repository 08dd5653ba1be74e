/// Encoding converters (manual 7.3.1): hexadecimal, base64 and its URL
/// variant, URL encoding, JSON string escaping, big-endian chunks.
/// Outputs checked byte for byte against 2.6 (`hex` is uppercase,
/// `url_enc` keeps only RFC 3986's unreserved characters, `json` escapes
/// `/` and, in its default `ascii` mode, each byte above 0x7f alone).
enum EncodingConverters {
    static let keywords: [SampleConverterKeyword] = [
        SampleConverterKeyword("hex", .binary, .string) { _, sample in
            sample.stringBytes.map { .string(hex($0)) }
        },
        SampleConverterKeyword("hex2i", .string, .int) { _, sample in
            // Wraps past 64 bits; any non-hex digit fails.
            guard let bytes = sample.stringBytes else { return nil }
            var value: UInt64 = 0
            for c in bytes {
                guard let digit = hexDigit(c) else { return nil }
                value = value << 4 | UInt64(digit)
            }
            return .int(Int64(bitPattern: value))
        },
        SampleConverterKeyword("htonl", .int, .binary) { _, sample in
            guard case .int(let i) = sample else { return nil }
            let v = UInt32(truncatingIfNeeded: i)
            return .binary([UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)])
        },
        SampleConverterKeyword("base64", .binary, .string) { _, sample in
            sample.stringBytes.map { .string(Base64.encode($0, url: false)) }
        },
        SampleConverterKeyword("b64dec", .string, .binary) { _, sample in
            sample.stringBytes.flatMap { Base64.decode($0, url: false) }.map { .binary($0) }
        },
        SampleConverterKeyword("ub64enc", .binary, .string) { _, sample in
            sample.stringBytes.map { .string(Base64.encode($0, url: true)) }
        },
        SampleConverterKeyword("ub64dec", .string, .binary) { _, sample in
            sample.stringBytes.flatMap { Base64.decode($0, url: true) }.map { .binary($0) }
        },
        SampleConverterKeyword("url_dec", [.int], .string, .string) { args, sample in
            // url_dec([in_form]): `+` is a space in form data only.
            let plusIsSpace = (args.int(at: 0) ?? 0) != 0
            return sample.stringBytes.flatMap { urlDecode($0, plusIsSpace: plusIsSpace) }.map { .string($0) }
        },
        SampleConverterKeyword("url_enc", [.string], .string, .string, compile: { args in
            if let type = args.text(at: 0), type != "query" {
                throw SampleArgumentError("Unexpected encode type. Allowed value is 'query'")
            }
            return SampleConversion { sample, _ in sample.stringBytes.map { .string(urlEncode($0)) } }
        }),
        SampleConverterKeyword("json", [.string], .string, .string, compile: { args in
            let mode = try JSONMode(args.text(at: 0) ?? "")
            return SampleConversion { sample, _ in sample.stringBytes.flatMap { jsonEscape($0, mode) }.map { .string($0) } }
        }),
        SampleConverterKeyword("be2dec", [.string, .int, .int], mandatory: 2, .binary, .string, compile: { args in
            try chunks(args, defaultSize: nil) { value, _ in Array(String(value).utf8) }
        }),
        SampleConverterKeyword("be2hex", [.string, .int, .int], .binary, .string, compile: { args in
            try chunks(args, defaultSize: 0) { value, size in
                let digits = String(value, radix: 16, uppercase: true)
                return Array((String(repeating: "0", count: max(0, size * 2 - digits.count)) + digits).utf8)
            }
        }),
    ]

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    static func hex(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0xf)])
        }
        return out
    }

    static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// Hexadecimal text to bytes (`bin(...)`); nil on an odd length or a
    /// non-hex digit.
    static func decodeHex(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2)
        var i = 0
        while i < bytes.count {
            guard let high = hexDigit(bytes[i]), let low = hexDigit(bytes[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    static func urlDecode(_ bytes: [UInt8], plusIsSpace: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let high = hexDigit(bytes[i + 1]), let low = hexDigit(bytes[i + 2])
                else { return nil }
                out.append(high << 4 | low)
                i += 3
                continue
            }
            out.append(c == UInt8(ascii: "+") && plusIsSpace ? 0x20 : c)
            i += 1
        }
        return out
    }

    static func urlEncode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for c in bytes {
            let unreserved = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "~")
            if unreserved {
                out.append(c)
            } else {
                out += [UInt8(ascii: "%"), hexDigits[Int(c >> 4)], hexDigits[Int(c & 0xf)]]
            }
        }
        return out
    }

    /// `json([mode])`'s input reading: `ascii` escapes every byte above
    /// 0x7f alone; the `utf8` modes decode UTF-8 and escape code points,
    /// failing (`utf8`, `utf8p`) or skipping (`utf8s`, `utf8ps`) invalid
    /// sequences (the `p` modes are read as their plain counterparts).
    enum JSONMode {
        case ascii, utf8, utf8Skip, utf8Printable, utf8PrintableSkip

        init(_ text: String) throws {
            switch text {
            case "", "ascii": self = .ascii
            case "utf8": self = .utf8
            case "utf8s": self = .utf8Skip
            case "utf8p": self = .utf8Printable
            case "utf8ps": self = .utf8PrintableSkip
            default:
                throw SampleArgumentError(
                    "Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'")
            }
        }
    }

    static func jsonEscape(_ bytes: [UInt8], _ mode: JSONMode) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        func unicode(_ scalar: UInt32) {
            let digits = Array("0123456789abcdef".utf8)
            out += Array("\\u".utf8)
            for shift in stride(from: 12, through: 0, by: -4) { out.append(digits[Int(scalar >> UInt32(shift) & 0xf)]) }
        }
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "\""): out += [0x5c, c]
            case UInt8(ascii: "\\"): out += [0x5c, c]
            case UInt8(ascii: "/"): out += [0x5c, c]
            case 0x08: out += [0x5c, UInt8(ascii: "b")]
            case 0x0c: out += [0x5c, UInt8(ascii: "f")]
            case 0x0a: out += [0x5c, UInt8(ascii: "n")]
            case 0x0d: out += [0x5c, UInt8(ascii: "r")]
            case 0x09: out += [0x5c, UInt8(ascii: "t")]
            case 0x20..<0x7f: out.append(c)
            case 0x00..<0x20, 0x7f: unicode(UInt32(c))
            default:
                if mode == .ascii {
                    unicode(UInt32(c))
                    break
                }
                guard let (scalar, length) = decodeUTF8(bytes, at: i) else {
                    if mode == .utf8Skip || mode == .utf8PrintableSkip {
                        i += 1
                        continue
                    }
                    return nil
                }
                if scalar > 0xffff {
                    let v = scalar - 0x10000
                    unicode(0xd800 + (v >> 10))
                    unicode(0xdc00 + (v & 0x3ff))
                } else {
                    unicode(scalar)
                }
                i += length
                continue
            }
            i += 1
        }
        return out
    }

    private static func decodeUTF8(_ bytes: [UInt8], at i: Int) -> (UInt32, Int)? {
        let c = bytes[i]
        let length: Int
        var scalar: UInt32
        switch c {
        case 0xc2...0xdf: length = 2; scalar = UInt32(c & 0x1f)
        case 0xe0...0xef: length = 3; scalar = UInt32(c & 0x0f)
        case 0xf0...0xf4: length = 4; scalar = UInt32(c & 0x07)
        default: return nil
        }
        guard i + length <= bytes.count else { return nil }
        for k in 1..<length {
            let b = bytes[i + k]
            guard b & 0xc0 == 0x80 else { return nil }
            scalar = scalar << 6 | UInt32(b & 0x3f)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard scalar >= minimum, scalar <= 0x10ffff, !(0xd800...0xdfff).contains(scalar) else { return nil }
        return (scalar, length)
    }

    /// `be2dec(separator,chunk_size[,truncate])` and `be2hex([separator][,chunk_size][,truncate])`:
    /// the input cut in big-endian chunks, each rendered, joined by the
    /// separator; `truncate` drops a last partial chunk.
    private static func chunks(
        _ args: [SampleArgument], defaultSize: Int?, render: @escaping @Sendable (UInt64, Int) -> [UInt8]
    ) throws -> SampleConversion {
        let separator = args.bytes(at: 0) ?? []
        let size = Int(args.int(at: 1) ?? Int64(defaultSize ?? 0))
        if defaultSize == nil, size < 1 || size > 8 { throw SampleArgumentError("Chunk size must be between 1 and 8") }
        let truncate = (args.int(at: 2) ?? 0) != 0
        return SampleConversion { sample, _ in
            guard let bytes = sample.stringBytes else { return nil }
            let chunk = size == 0 ? max(1, bytes.count) : size
            if size == 0 { return .string(hex(bytes)) }
            var out: [UInt8] = []
            var i = 0
            while i < bytes.count {
                let end = min(bytes.count, i + chunk)
                if truncate && end - i < chunk { break }
                if !out.isEmpty { out += separator }
                var value: UInt64 = 0
                for b in bytes[i..<end] { value = value << 8 | UInt64(b) }
                out += render(value, end - i)
                i = end
            }
            return .string(out)
        }
    }
}
