/// A capture slot of a frontend: `capture request header NAME len N` /
/// `capture response header NAME len N` keep a header value (up to
/// `length` bytes) for the logs; `declare capture` and `http-request
/// capture ... len N` declare a slot without a header (empty `name`) that
/// `capture` actions fill. Slots are numbered per direction in declaration
/// order.
public struct CapturedHeader: Sendable, Equatable {
    public var name: String
    public var length: Int

    public init(name: String, length: Int) {
        self.name = name
        self.length = length
    }

    /// A slot for `capture` actions only.
    public static func slot(length: Int) -> CapturedHeader {
        CapturedHeader(name: "", length: length)
    }

    /// Whether the slot captures a header (else only actions fill it).
    public var capturesHeader: Bool { !name.isEmpty }
}
