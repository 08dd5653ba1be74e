/// One converter keyword (manual 7.3.1): its typed arguments, the input
/// type it accepts (after 2.6's implicit casts), its output type and how
/// it compiles its arguments into a function at parse time.
public struct SampleConverterKeyword: Sendable {
    public var name: String
    public var arguments: [SampleArgumentType]
    public var mandatoryArguments: Int
    public var inputType: SampleType
    public var outputType: SampleType
    public let compile: @Sendable ([SampleArgument]) throws -> SampleConversion

    public init(
        _ name: String, _ arguments: [SampleArgumentType], mandatory: Int = 0,
        _ inputType: SampleType, _ outputType: SampleType,
        compile: @escaping @Sendable ([SampleArgument]) throws -> SampleConversion
    ) {
        self.name = name
        self.arguments = arguments
        self.mandatoryArguments = mandatory
        self.inputType = inputType
        self.outputType = outputType
        self.compile = compile
    }

    /// A converter that does not read the stream.
    public init(
        _ name: String, _ arguments: [SampleArgumentType], mandatory: Int = 0,
        _ inputType: SampleType, _ outputType: SampleType,
        convert: @escaping @Sendable ([SampleArgument], Sample) -> Sample?
    ) {
        self.init(name, arguments, mandatory: mandatory, inputType, outputType) { args in
            SampleConversion { sample, _ in convert(args, sample) }
        }
    }
}

extension SampleConverterKeyword {
    /// A converter without arguments.
    public init(
        _ name: String, _ inputType: SampleType, _ outputType: SampleType,
        compile: @escaping @Sendable ([SampleArgument]) throws -> SampleConversion
    ) {
        self.init(name, [], inputType, outputType, compile: compile)
    }

    public init(
        _ name: String, _ inputType: SampleType, _ outputType: SampleType,
        convert: @escaping @Sendable ([SampleArgument], Sample) -> Sample?
    ) {
        self.init(name, [], inputType, outputType, convert: convert)
    }
}

/// A compiled converter; `outputType` overrides the keyword's when the
/// arguments decide it (`map_str_int`).
public struct SampleConversion: Sendable {
    public let convert: @Sendable (Sample, any SampleContext) -> Sample?
    public var outputType: SampleType?

    public init(outputType: SampleType? = nil, _ convert: @escaping @Sendable (Sample, any SampleContext) -> Sample?) {
        self.convert = convert
        self.outputType = outputType
    }
}
