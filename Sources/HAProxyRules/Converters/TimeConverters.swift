#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Date converters (manual 7.3.1): `ltime` and `utime` format an integer
/// date with `strftime` in local time or UTC, `http_date` as an RFC 7231
/// IMF-fixdate, each after adding an offset in seconds.
enum TimeConverters {
    static let keywords: [SampleConverterKeyword] = [
        SampleConverterKeyword("ltime", [.string, .int], mandatory: 1, .int, .string) { args, sample in
            format(sample, args, utc: false)
        },
        SampleConverterKeyword("utime", [.string, .int], mandatory: 1, .int, .string) { args, sample in
            format(sample, args, utc: true)
        },
        SampleConverterKeyword("http_date", [.int, .string], .int, .string, compile: { args in
            // http_date([offset][,unit]): the input is in `unit`; a
            // fraction follows the seconds, unpadded as 2.6 prints it
            // (`20 Jan 1970 16:13:20.0 GMT`).
            let offset = args.int(at: 0) ?? 0
            let divisor: Int64
            switch args.text(at: 1) {
            case nil, "s": divisor = 1
            case "ms": divisor = 1000
            case "us": divisor = 1_000_000
            default: throw SampleArgumentError("'s', 'ms' or 'us' expected")
            }
            let unit = args.text(at: 1)
            return SampleConversion { sample, _ in
                guard case .int(let value) = sample else { return nil }
                let seconds = value / divisor + offset
                var text = strftimeBytes("%a, %d %b %Y %H:%M:%S", seconds, utc: true) ?? []
                if unit == "ms" || unit == "us" { text += Array(".\(value % divisor)".utf8) }
                text += Array(" GMT".utf8)
                return .string(text)
            }
        }),
    ]

    private static func format(_ sample: Sample, _ args: [SampleArgument], utc: Bool) -> Sample? {
        guard case .int(let value) = sample else { return nil }
        let seconds = value + (args.int(at: 1) ?? 0)
        return strftimeBytes(args.text(at: 0) ?? "", seconds, utc: utc).map { .string($0) }
    }

    static func strftimeBytes(_ format: String, _ seconds: Int64, utc: Bool) -> [UInt8]? {
        var time = time_t(seconds)
        var parts = tm()
        if utc {
            guard gmtime_r(&time, &parts) != nil else { return nil }
        } else {
            guard localtime_r(&time, &parts) != nil else { return nil }
        }
        var buffer = [CChar](repeating: 0, count: 256)
        let count = strftime(&buffer, buffer.count, format, &parts)
        guard count > 0 || format.isEmpty else { return nil }
        return buffer[..<count].map { UInt8(bitPattern: $0) }
    }
}
