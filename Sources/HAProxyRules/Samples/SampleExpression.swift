/// A sample expression: one fetch followed by converters, as written in
/// ACLs, maps' keys, log formats `%[...]`, rule arguments and
/// `use_backend %[...]` (manual 7.3): `req.hdr(host),lower,map(hosts.map,default)`.
///
/// Parsing looks every keyword up and compiles its arguments; evaluating
/// calls the compiled functions only, so a rule costs no name lookup and
/// builds no `String` per request. A class, so that rules and ACLs hold
/// and evaluate it without copying its compiled functions.
public final class SampleExpression: Sendable {
    /// The type of the value the expression produces.
    public let outputType: SampleType
    /// The fetch keyword, e.g. `req.hdr`.
    public let fetchName: String
    /// The fetch's arguments as parsed (backend and server names in them
    /// are for the configuration parser to resolve).
    public let fetchArguments: [SampleArgument]
    /// What the fetch reads: check it against a rule set's stage with
    /// `missingSource(at:)`.
    public let sources: SampleSources
    /// The converters' names and arguments, in order.
    public let converters: [(name: String, arguments: [SampleArgument])]

    private let fetch: SampleFetch
    private let conversions: [(inputType: SampleType, conversion: SampleConversion)]

    private init(
        outputType: SampleType, fetchName: String, fetchArguments: [SampleArgument], sources: SampleSources,
        converters: [(name: String, arguments: [SampleArgument])], fetch: SampleFetch,
        conversions: [(inputType: SampleType, conversion: SampleConversion)]
    ) {
        self.outputType = outputType
        self.fetchName = fetchName
        self.fetchArguments = fetchArguments
        self.sources = sources
        self.converters = converters
        self.fetch = fetch
        self.conversions = conversions
    }

    /// Parses one expression word (arguments in parentheses may contain
    /// commas and spaces after the line tokenizer removed quotes).
    /// - Throws: `SampleParseError` worded as HAProxy 2.6 words it.
    public static func parse(_ text: String) throws -> SampleExpression {
        let bytes = Array(text.utf8)
        var index = 0
        return try parse(bytes, at: &index, stopAtEnd: false)
    }

    /// Parses the expression starting at `index` in `text`; with
    /// `stopAtEnd` (log formats, where `]` follows) the expression ends at
    /// the first byte that cannot continue it, and `index` is left there.
    static func parse(_ text: [UInt8], at index: inout Int, stopAtEnd: Bool) throws(SampleParseError) -> SampleExpression {
        let parser = SampleArgumentParser(text: text)
        let name = readName(text, at: &index)
        if name.isEmpty { throw SampleParseError(message: "missing fetch method") }
        guard let keyword = SampleFetchRegistry.keyword(named: name) else {
            throw SampleParseError(message: "unknown fetch method '\(name)'")
        }
        let fetchArguments: [SampleArgument]
        do {
            fetchArguments = try parser.parse(at: &index, types: keyword.arguments, mandatory: keyword.mandatoryArguments)
        } catch {
            throw SampleParseError(message: "fetch method '\(name)' : \(error.message)")
        }
        let fetch: SampleFetch
        do {
            fetch = try keyword.compile(fetchArguments)
        } catch let error as SampleArgumentError {
            throw SampleParseError(message: "invalid args in fetch method '\(name)' : \(error.message)")
        } catch {
            throw SampleParseError(message: "invalid args in fetch method '\(name)'")
        }

        var type = keyword.outputType
        var converters: [(name: String, arguments: [SampleArgument])] = []
        var conversions: [(inputType: SampleType, conversion: SampleConversion)] = []
        var previous = "fetch keyword '\(name)'"
        while index < text.count {
            if text[index] != UInt8(ascii: ",") {
                if stopAtEnd { break }
                throw SampleParseError(message: "missing comma after \(previous)")
            }
            while index < text.count, text[index] == UInt8(ascii: ",") { index += 1 }
            if index == text.count && !stopAtEnd { break }
            let converterName = readName(text, at: &index)
            guard let converter = SampleConverterRegistry.keyword(named: converterName) else {
                if let reason = SampleConverterRegistry.unsupported[converterName]
                    ?? SampleConverterRegistry.unsupported[converterName.split(separator: "_").prefix(2).joined(separator: "_")]
                {
                    throw SampleParseError(message: "converter '\(converterName)' is not supported by this build (\(reason))")
                }
                throw SampleParseError(message: "unknown converter '\(converterName)'")
            }
            let arguments: [SampleArgument]
            do {
                arguments = try parser.parse(at: &index, types: converter.arguments, mandatory: converter.mandatoryArguments)
            } catch {
                throw SampleParseError(
                    message: "invalid arg \(error.position) in converter '\(converterName)' : \(error.message)")
            }
            guard type.canCast(to: converter.inputType) else {
                throw SampleParseError(message: "converter '\(converterName)' cannot be applied")
            }
            let conversion: SampleConversion
            do {
                conversion = try converter.compile(arguments)
            } catch let error as SampleArgumentError {
                throw SampleParseError(message: "invalid args in converter '\(converterName)' : \(error.message)")
            } catch {
                throw SampleParseError(message: "invalid args in converter '\(converterName)'")
            }
            type = conversion.outputType ?? converter.outputType
            converters.append((converterName, arguments))
            conversions.append((converter.inputType, conversion))
            previous = "converter '\(converterName)'"
        }
        return SampleExpression(
            outputType: type, fetchName: name, fetchArguments: fetchArguments, sources: keyword.sources,
            converters: converters, fetch: fetch, conversions: conversions)
    }

    /// A keyword name: letters, digits, `.`, `_`, `-` and `+` (`base32+src`).
    private static func readName(_ text: [UInt8], at index: inout Int) -> String {
        let start = index
        while index < text.count {
            let c = text[index]
            let isName = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
                || c == UInt8(ascii: "+")
            guard isName else { break }
            index += 1
        }
        return String(decoding: text[start..<index], as: UTF8.self)
    }

    /// The first source the fetch needs that `stage` lacks, nil when the
    /// expression can be used there. The configuration parser words the
    /// error: in a log format, `sample fetch <%s> may not be reliably used
    /// here because it needs '%s' which is not available here`; for an
    /// expression argument, `fetch method '%s' extracts information from
    /// '%s', none of which is available here` (2.6 names the rule there,
    /// e.g. `'set-var(txn.x)'`, where the fetch's name is meant).
    public func missingSource(at stage: SampleStage) -> SampleSources? {
        let missing = sources.subtracting(stage.availableSources)
        guard !missing.isEmpty, sources.isDisjoint(with: stage.availableSources) else { return nil }
        return missing
    }

    /// The expression's value, or nil when the fetch finds nothing or a
    /// converter fails.
    public func evaluate(_ context: some SampleContext) -> Sample? {
        guard let sample = fetch.value(context) else { return nil }
        return convert(sample, context)
    }

    /// Every value the fetch yields (a header repeated, a list of cookie
    /// values), converted, in order, as ACLs test them: `body` returns
    /// true to stop (a match was found).
    public func forEachValue(_ context: some SampleContext, _ body: (Sample) -> Bool) {
        // Called through the optional in place: binding it would retain
        // its context.
        guard fetch.values != nil else {
            if let sample = evaluate(context) { _ = body(sample) }
            return
        }
        fetch.values?(context) { sample in
            guard let converted = convert(sample, context) else { return false }
            return body(converted)
        }
    }

    /// For a string fetch without converters that lends its bytes
    /// (`hdr(host)`, `path`, `cook(id)`): each value's bytes in place,
    /// as `forEachValue` yields them; nil for other expressions.
    public var forEachBytes: (@Sendable (any SampleContext, (UnsafeRawBufferPointer) -> Bool) -> Void)? {
        conversions.isEmpty ? fetch.bytes : nil
    }

    @inline(__always)
    private func convert(_ sample: Sample, _ context: any SampleContext) -> Sample? {
        var sample = sample
        var i = 0
        while i < conversions.count {
            let inputType = conversions[i].inputType
            let output: Sample?
            if inputType == .any || sample.type == inputType {
                // Already of the converter's type: no cast (which copies).
                output = conversions[i].conversion.convert(sample, context)
            } else {
                guard let input = sample.cast(to: inputType) else { return nil }
                output = conversions[i].conversion.convert(input, context)
            }
            guard let output else { return nil }
            sample = output
            i += 1
        }
        return sample
    }
}

/// A sample expression that does not parse; `message` is HAProxy's text.
public struct SampleParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
