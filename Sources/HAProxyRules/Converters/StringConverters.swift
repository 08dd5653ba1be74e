/// Converters on strings (manual 7.3.1): case, length, words and fields,
/// byte ranges, concatenation, comparison and trimming.
enum StringConverters {
    /// `lower` and `upper`: the sample as it is when no byte is in
    /// `low...high` (no copy), else its bytes with those changed.
    @inline(__always)
    static func changingCase(
        _ sample: Sample, _ bytes: [UInt8], from low: UInt8, to high: UInt8, _ change: (UInt8) -> UInt8
    ) -> Sample {
        guard let first = bytes.firstIndex(where: { $0 >= low && $0 <= high }) else { return sample }
        let out = [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            bytes.withUnsafeBufferPointer { source in
                for i in 0..<first { buffer[i] = source[i] }
                for i in first..<source.count {
                    let c = source[i]
                    buffer[i] = c >= low && c <= high ? change(c) : c
                }
            }
            count = bytes.count
        }
        return .string(out)
    }

    static let keywords: [SampleConverterKeyword] = [
        SampleConverterKeyword("lower", .string, .string) { _, sample in
            guard case .string(let bytes) = sample else { return nil }
            return changingCase(sample, bytes, from: 0x41, to: 0x5a) { $0 | 0x20 }
        },
        SampleConverterKeyword("upper", .string, .string) { _, sample in
            guard case .string(let bytes) = sample else { return nil }
            return changingCase(sample, bytes, from: 0x61, to: 0x7a) { $0 & ~0x20 }
        },
        SampleConverterKeyword("length", .string, .int) { _, sample in
            sample.stringBytes.map { .int(Int64($0.count)) }
        },
        SampleConverterKeyword("word", [.int, .string, .int], mandatory: 2, .string, .string, compile: { args in
            try splitter(args, words: true)
        }),
        SampleConverterKeyword("field", [.int, .string, .int], mandatory: 2, .string, .string, compile: { args in
            try splitter(args, words: false)
        }),
        SampleConverterKeyword("bytes", [.int, .int], mandatory: 1, .binary, .binary) { args, sample in
            // bytes(offset[,length]): an offset past the end gives
            // nothing, a length past it is cut (`bytes(2,10)` of `abcdef`
            // is `cdef`).
            guard let bytes = sample.stringBytes else { return nil }
            let offset = Int(args.int(at: 0) ?? 0)
            guard offset >= 0, offset <= bytes.count else { return nil }
            let length = args.int(at: 1).map { Int($0) } ?? (bytes.count - offset)
            guard length >= 0 else { return nil }
            return .binary(Array(bytes[offset..<min(bytes.count, offset + length)]))
        },
        SampleConverterKeyword("ltrim", [.string], mandatory: 1, .string, .string) { args, sample in
            guard let bytes = sample.stringBytes else { return nil }
            let set = args.bytes(at: 0) ?? []
            return .string(Array(bytes.drop { set.contains($0) }))
        },
        SampleConverterKeyword("rtrim", [.string], mandatory: 1, .string, .string) { args, sample in
            guard var bytes = sample.stringBytes else { return nil }
            let set = args.bytes(at: 0) ?? []
            while let last = bytes.last, set.contains(last) { bytes.removeLast() }
            return .string(bytes)
        },
        SampleConverterKeyword("cut_crlf", .string, .string) { _, sample in
            guard let bytes = sample.stringBytes else { return nil }
            return .string(Array(bytes.prefix { $0 != 0x0d && $0 != 0x0a }))
        },
        SampleConverterKeyword("concat", [.string, .string, .string], .string, .string, compile: { args in
            // concat([start],[var],[end])
            let start = args.bytes(at: 0) ?? []
            let variable = try args.bytes(at: 1).flatMap { $0.isEmpty ? nil : try registeredVariable($0) }
            let end = args.bytes(at: 2) ?? []
            return SampleConversion { sample, context in
                guard var out = sample.stringBytes else { return nil }
                out += start
                if let variable = variable, let value = context.variable(variable)?.stringBytes { out += value }
                out += end
                return .string(out)
            }
        }),
        SampleConverterKeyword("add_item", [.string, .string, .string], mandatory: 1, .string, .string, compile: { args in
            // add_item(delim,[var][,suffix])
            let delimiter = args.bytes(at: 0) ?? []
            let variable = try args.bytes(at: 1).flatMap { $0.isEmpty ? nil : try registeredVariable($0) }
            let suffix = args.bytes(at: 2) ?? []
            return SampleConversion { sample, context in
                guard var out = sample.stringBytes else { return nil }
                let value = variable.flatMap { context.variable($0)?.stringBytes } ?? []
                if !out.isEmpty && !(value.isEmpty && suffix.isEmpty) { out += delimiter }
                out += value
                out += suffix
                return .string(out)
            }
        }),
        SampleConverterKeyword("strcmp", [.string], mandatory: 1, .string, .int, compile: { args in
            let variable = try registeredVariable(args.bytes(at: 0) ?? [])
            return SampleConversion { sample, context in
                guard let left = sample.stringBytes, let right = context.variable(variable)?.stringBytes else { return nil }
                return .int(Int64(compare(left, right)))
            }
        }),
        SampleConverterKeyword("secure_memcmp", [.string], mandatory: 1, .string, .bool, compile: { args in
            let variable = try registeredVariable(args.bytes(at: 0) ?? [])
            return SampleConversion { sample, context in
                guard let left = sample.stringBytes, let right = context.variable(variable)?.stringBytes else { return nil }
                guard left.count == right.count else { return .bool(false) }
                // Constant time for equal lengths.
                var difference: UInt8 = 0
                for i in 0..<left.count { difference |= left[i] ^ right[i] }
                return .bool(difference == 0)
            }
        }),
        SampleConverterKeyword("iif", [.string, .string], mandatory: 2, .bool, .string) { args, sample in
            guard case .bool(let b) = sample else { return nil }
            return .string(args.bytes(at: b ? 0 : 1) ?? [])
        },
    ]

    /// A variable name argument; 2.6's error when it is not one.
    static func registeredVariable(_ bytes: [UInt8]) throws -> VariableName {
        guard let name = VariableName(String(decoding: bytes, as: UTF8.self)) else {
            throw SampleArgumentError("failed to register variable name '\(String(decoding: bytes, as: UTF8.self))'")
        }
        return name
    }

    /// `strcmp`'s result: the sign of the first differing byte, then of
    /// the length difference (`memcmp` on the shorter length).
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return Int(a[i]) - Int(b[i]) }
        return a.count - b.count
    }

    /// `word(index,delimiters[,count])` and `field(...)`: `word` skips
    /// empty words (runs of delimiters), `field` keeps them. A negative
    /// index counts from the end; `count` fields (0: up to the end, or to
    /// the start for a negative index) are returned with their delimiters.
    static func splitter(_ args: [SampleArgument], words: Bool) throws -> SampleConversion {
        let index = Int(args.int(at: 0) ?? 0)
        let delimiters = args.bytes(at: 1) ?? []
        if delimiters.isEmpty { throw SampleArgumentError("Empty separators list") }
        if index == 0 { throw SampleArgumentError("Integer argument must be non-zero") }
        let count = Int(args.int(at: 2) ?? 1)
        var isDelimiter = [Bool](repeating: false, count: 256)
        for d in delimiters { isDelimiter[Int(d)] = true }
        let table = isDelimiter
        return SampleConversion { sample, _ in
            guard let bytes = sample.stringBytes else { return nil }
            // The fields (or words) as ranges.
            var ranges: [Range<Int>] = []
            var start = 0
            for i in 0...bytes.count where i == bytes.count || table[Int(bytes[i])] {
                if !words || i > start { ranges.append(start..<i) }
                start = i + 1
            }
            let first: Int
            let last: Int
            if index > 0 {
                first = index - 1
                last = count == 0 ? ranges.count - 1 : first + count - 1
            } else {
                last = ranges.count + index
                first = count == 0 ? 0 : last - count + 1
            }
            guard first >= 0, first < ranges.count, last >= 0 else { return .string([]) }
            let from = ranges[max(0, first)].lowerBound
            let to = ranges[min(ranges.count - 1, last)].upperBound
            return .string(Array(bytes[from..<to]))
        }
    }
}
