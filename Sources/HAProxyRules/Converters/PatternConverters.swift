/// Converters that match patterns (manual 7.3.1): `regsub` and the `map`
/// family, which look their input up in a map file and return the value
/// of the entry it matches, or the default.
enum PatternConverters {
    static var keywords: [SampleConverterKeyword] { [regsub] + maps }

    /// `regsub(regex,subst[,flags])`: `g` replaces every match, `i` ignores case.
    static let regsub = SampleConverterKeyword(
        "regsub", [.regex, .string, .string], mandatory: 2, .string, .string, compile: { args in
            let flags = args.text(at: 2) ?? ""
            let regex: Regex
            do {
                regex = try Regex(args.text(at: 0) ?? "", caseInsensitive: flags.contains("i"))
            } catch let error as Regex.CompileError {
                throw SampleArgumentError(error.message)
            }
            let template = args.bytes(at: 1) ?? []
            let global = flags.contains("g")
            return SampleConversion { sample, _ in
                guard let text = sample.stringBytes else { return nil }
                let out = text.withUnsafeBytes { regex.replace(in: $0, with: template, global: global) }
                return .string(out ?? text)
            }
        })

    /// `map_<match>[_<output>](file[,default])` and `map(file[,default])`.
    static var maps: [SampleConverterKeyword] {
        let matches: [(String, PatternMatchMethod, SampleType)] = [
            ("str", .str, .string), ("beg", .beg, .string), ("sub", .sub, .string), ("dir", .dir, .string),
            ("dom", .dom, .string), ("end", .end, .string), ("reg", .reg, .string),
            ("int", .int, .int), ("ip", .ip, .address),
        ]
        let outputs: [(String, SampleType)] = [("str", .string), ("int", .int), ("ip", .address)]
        var list: [SampleConverterKeyword] = [mapKeyword("map", .str, .string, .string), regmKeyword]
        for (name, method, input) in matches {
            list.append(mapKeyword("map_\(name)", method, input, .string))
            for (outName, output) in outputs {
                list.append(mapKeyword("map_\(name)_\(outName)", method, input, output))
            }
        }
        return list
    }

    static func mapKeyword(
        _ name: String, _ method: PatternMatchMethod, _ input: SampleType, _ output: SampleType
    ) -> SampleConverterKeyword {
        SampleConverterKeyword(name, [.string, .string], mandatory: 1, input, output, compile: { args in
            let path = args.text(at: 0) ?? ""
            let reference: PatternReference
            let match = PatternReference.Expression(method: method, ignoreCase: false, valueType: output)
            do {
                reference = try PatternReferences.reference(path: path, kind: .map)
                try reference.register(match, usedAt: PatternReferences.location)
            } catch let error as PatternSet.PatternError {
                throw SampleArgumentError(error.message)
            }
            let fallback: Sample? = args.bytes(at: 1).flatMap { Self.value($0, as: output) }
            if args.bytes(at: 1) != nil && fallback == nil {
                throw SampleArgumentError("map default value is not of the map's output type")
            }
            return SampleConversion { sample, _ in
                guard let value = reference.matchedValue(sample, match) else { return fallback }
                return value ?? fallback
            }
        })
    }

    /// `map_regm(file[,default])`: like `map_reg`, the value of the first
    /// entry whose regex matches, with `\1`..`\9` in it replaced by that
    /// match's groups (manual 7.3.1; 2.6 has it for strings only).
    static let regmKeyword = SampleConverterKeyword(
        "map_regm", [.string, .string], mandatory: 1, .string, .string, compile: { args in
            let path = args.text(at: 0) ?? ""
            let reference: PatternReference
            let match = PatternReference.Expression(method: .reg, ignoreCase: false, valueType: .string)
            do {
                reference = try PatternReferences.reference(path: path, kind: .map)
                try reference.register(match, usedAt: PatternReferences.location)
            } catch let error as PatternSet.PatternError {
                throw SampleArgumentError(error.message)
            }
            let fallback: Sample? = args.bytes(at: 1).map { .string($0) }
            return SampleConversion { sample, _ in
                reference.expandedValue(sample, match).map { .string($0) } ?? fallback
            }
        })

    /// A map value as the converter's output type.
    static func value(_ bytes: [UInt8], as type: SampleType) -> Sample? {
        switch type {
        case .int: return Sample.string(bytes).cast(to: .int)
        case .address:
            if let v4 = IPv4Address(text: bytes) { return .ipv4(v4) }
            return IPv6Address(text: bytes).map { .ipv6($0) }
        default: return .string(bytes)
        }
    }
}
