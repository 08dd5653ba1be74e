/// What `compression` did for a frontend or a backend (`comp_in`,
/// `comp_out`, `comp_rsp` of `show stat`; `comp_byp` stays 0: this build
/// has no rate or CPU limit that would let bodies bypass the encoder).
public struct CompressionCounters: Sendable, Equatable {
    /// Body bytes given to the encoder.
    public var bytesIn: UInt64 = 0
    /// Encoded bytes it produced (without the chunk framing).
    public var bytesOut: UInt64 = 0
    /// Responses whose body was encoded.
    public var responses = 0

    public init() {}

    mutating func add(in bytesIn: UInt64, out bytesOut: UInt64) {
        self.bytesIn &+= bytesIn
        self.bytesOut &+= bytesOut
        responses += 1
    }
}
