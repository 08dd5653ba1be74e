/// The stream an HTTP rule set runs on: what fetches read (`SampleContext`)
/// plus the edits actions make to the message of the rule set's side (the
/// request for `http-request`, the response for `http-response` and
/// `http-after-response`). An edit that cannot be applied (the head would
/// no longer parse) returns false: 2.6 then counts a failed rewrite.
/// A context that renders the log-format variables of its rules'
/// formats (`%ci`, `%Ts`...), as the log line would at that point.
public protocol LogVariableRendering {
    func renderLogVariable(_ name: String, options: [String], into out: inout [UInt8])
}

public protocol HTTPRuleTarget: SampleContext, LogVariableRendering {
    func setHeader(_ name: [UInt8], _ value: [UInt8]) -> Bool
    func addHeader(_ name: [UInt8], _ value: [UInt8]) -> Bool
    func deleteHeaders(where matches: (UnsafeRawBufferPointer) -> Bool) -> Bool
    /// Gives each `name` header's value to `transform` (nil keeps it).
    func replaceHeaderValues(_ name: [UInt8], _ transform: (UnsafeRawBufferPointer) -> [UInt8]?) -> Bool
    func setMethod(_ method: [UInt8]) -> Bool
    func setURI(_ uri: [UInt8]) -> Bool
    func setStatus(_ status: Int, reason: [UInt8]?) -> Bool
    /// `early-hint` (requirement with a default below).
    func addEarlyHint(_ name: [UInt8], _ value: [UInt8], sendsNow: Bool)
    /// `wait-for-body` (requirement with a default below).
    func needsRequestBody(atLeast: Int) -> Bool
    /// `set-timeout server|tunnel` (requirement with a default below).
    func setTimeout(_ kind: StreamTimeout, milliseconds: Int)
    /// `set-src`, `set-dst`... (requirement with a default below).
    func setEndpoint(_ part: EndpointPart, to value: Sample)
    /// `disable-l7-retry` (requirement with a default below).
    func disableLayer7Retries()
}

/// The request-side interplay of `early-hint` and `wait-for-body` with the
/// stream; targets without a client to answer ignore them.
extension HTTPRuleTarget {
    /// Adds `name: value` to the pending 103 Early Hints response, sent
    /// now when `sendsNow` (the next rule does not add to it).
    public func addEarlyHint(_ name: [UInt8], _ value: [UInt8], sendsNow: Bool) {}

    /// Whether the request body is still to be awaited by `wait-for-body`
    /// (`atLeast` 0: all of it, up to a full buffer).
    public func needsRequestBody(atLeast: Int) -> Bool { false }

    /// Overrides a timeout for the stream (`set-timeout`).
    public func setTimeout(_ kind: StreamTimeout, milliseconds: Int) {}

    /// Changes the stream's source or destination (`set-src`...).
    public func setEndpoint(_ part: EndpointPart, to value: Sample) {}

    /// Keeps `retry-on` from sending the request again (`disable-l7-retry`).
    public func disableLayer7Retries() {}
}

/// The timeouts `http-request set-timeout` may change for one stream.
public enum StreamTimeout: String, Sendable {
    case server, tunnel
}
