/// The stream an HTTP rule set runs on: what fetches read (`SampleContext`)
/// plus the edits actions make to the message of the rule set's side (the
/// request for `http-request`, the response for `http-response` and
/// `http-after-response`). An edit that cannot be applied (the head would
/// no longer parse) returns false: 2.6 then counts a failed rewrite.
public protocol HTTPRuleTarget: SampleContext {
    mutating func setHeader(_ name: [UInt8], _ value: [UInt8]) -> Bool
    mutating func addHeader(_ name: [UInt8], _ value: [UInt8]) -> Bool
    mutating func deleteHeaders(where matches: (UnsafeRawBufferPointer) -> Bool) -> Bool
    /// Gives each `name` header's value to `transform` (nil keeps it).
    mutating func replaceHeaderValues(_ name: [UInt8], _ transform: (UnsafeRawBufferPointer) -> [UInt8]?) -> Bool
    mutating func setMethod(_ method: [UInt8]) -> Bool
    mutating func setURI(_ uri: [UInt8]) -> Bool
    mutating func setStatus(_ status: Int, reason: [UInt8]?) -> Bool
    /// Renders the log-format variables of a format string (`%ci`, `%ID`...).
    func renderLogVariable(_ name: String, into out: inout [UInt8])
}
