/// A sample expression: one fetch followed by converters, as written in
/// ACLs, maps' keys, log formats `%[...]`, rule arguments and
/// `use_backend %[...]` (manual 7.3): `req.hdr(host),lower,map(hosts.map,default)`.
public struct SampleExpression: Sendable {
    /// The type of the value the expression produces.
    public var outputType: SampleType

    /// Parses one expression word (arguments in parentheses may contain
    /// commas and spaces after the line tokenizer removed quotes).
    /// - Throws: `SampleParseError` worded as HAProxy 2.6 words it.
    public static func parse(_ text: String) throws -> SampleExpression {
        throw SampleParseError(message: "unknown fetch method '\(text)'")
    }

    /// The expression's value, or nil when the fetch finds nothing or a
    /// converter fails.
    public func evaluate(_ context: some SampleContext) -> Sample? { nil }

    /// Every value the fetch yields (a header repeated, a list of cookie
    /// values), converted, in order, as ACLs test them: `body` returns
    /// true to stop (a match was found).
    public func forEachValue(_ context: some SampleContext, _ body: (Sample) -> Bool) {}
}

/// A sample expression that does not parse; `message` is HAProxy's text.
public struct SampleParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
