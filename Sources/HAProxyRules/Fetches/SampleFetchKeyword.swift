/// One sample fetch keyword (manual 7.3.2 to 7.3.6): its typed
/// arguments, output type, the data it reads and how it compiles its
/// arguments into a fetch function, once, at parse time.
public struct SampleFetchKeyword: Sendable {
    public var name: String
    public var arguments: [SampleArgumentType]
    /// How many of `arguments` must be given; the rest are optional.
    public var mandatoryArguments: Int
    public var outputType: SampleType
    public var sources: SampleSources
    /// Checks the arguments and builds the function; throws
    /// `SampleArgumentError` worded as 2.6 words it.
    public let compile: @Sendable ([SampleArgument]) throws -> SampleFetch

    public init(
        _ name: String, _ arguments: [SampleArgumentType], mandatory: Int = 0,
        _ outputType: SampleType, _ sources: SampleSources,
        compile: @escaping @Sendable ([SampleArgument]) throws -> SampleFetch
    ) {
        self.name = name
        self.arguments = arguments
        self.mandatoryArguments = mandatory
        self.outputType = outputType
        self.sources = sources
        self.compile = compile
    }

    /// A fetch whose arguments need no checking beyond their types.
    public init(
        _ name: String, _ arguments: [SampleArgumentType], mandatory: Int = 0,
        _ outputType: SampleType, _ sources: SampleSources,
        value: @escaping @Sendable ([SampleArgument], any SampleContext) -> Sample?
    ) {
        self.init(name, arguments, mandatory: mandatory, outputType, sources) { args in
            SampleFetch { context in value(args, context) }
        }
    }
}

extension SampleFetchKeyword {
    /// A string fetch without arguments that yields at most one value and
    /// lends its bytes (`path`, `method`): `bytes` calls its body once
    /// with them, or not at all when there is nothing to fetch.
    public init(
        _ name: String, _ sources: SampleSources,
        bytes: @escaping @Sendable (any SampleContext, (UnsafeRawBufferPointer) -> Bool) -> Void
    ) {
        self.init(name, [], .string, sources) { _ in
            SampleFetch(value: { context in
                var sample: Sample?
                bytes(context) { value in
                    sample = .string(Array(value))
                    return true
                }
                return sample
            }, bytes: bytes)
        }
    }

    /// A fetch without arguments.
    public init(
        _ name: String, _ outputType: SampleType, _ sources: SampleSources,
        compile: @escaping @Sendable ([SampleArgument]) throws -> SampleFetch
    ) {
        self.init(name, [], outputType, sources, compile: compile)
    }

    public init(
        _ name: String, _ outputType: SampleType, _ sources: SampleSources,
        value: @escaping @Sendable ([SampleArgument], any SampleContext) -> Sample?
    ) {
        self.init(name, [], outputType, sources, value: value)
    }
}

/// A compiled fetch: its arguments are bound, nothing is looked up by name
/// when it runs.
public struct SampleFetch: Sendable {
    /// The value a rule or a log format sees (for a repeated header, the
    /// last occurrence unless an occurrence was given).
    public let value: @Sendable (any SampleContext) -> Sample?
    /// Every value, as ACLs test them; nil when the fetch yields one value.
    public let values: (@Sendable (any SampleContext, (Sample) -> Bool) -> Void)?
    /// For a string fetch that can lend them: every value's bytes, as
    /// `values` (or `value`) yields them, read in place (an ACL without
    /// converters matches them without building a sample); the body
    /// returns true to stop. Nil for the other fetches.
    public let bytes: (@Sendable (any SampleContext, (UnsafeRawBufferPointer) -> Bool) -> Void)?

    public init(
        value: @escaping @Sendable (any SampleContext) -> Sample?,
        values: (@Sendable (any SampleContext, (Sample) -> Bool) -> Void)? = nil,
        bytes: (@Sendable (any SampleContext, (UnsafeRawBufferPointer) -> Bool) -> Void)? = nil
    ) {
        self.value = value
        self.values = values
        self.bytes = bytes
    }
}
