/// UTF-8 text built by appending into one byte array: for large outputs
/// (the statistics page, `show stat`) where appending to a `String` piece
/// by piece costs more than writing the bytes. `+=` takes strings and
/// decimal integers; `bytes` is the result, ready for a response body.
public struct TextBytes {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    public mutating func append(_ text: Substring) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    public mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    /// A decimal integer, without going through a `String`.
    public mutating func append<T: BinaryInteger>(decimal value: T) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var rest = UInt64(value.magnitude)
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        bytes[start...].reverse()
    }

    public static func += (out: inout TextBytes, text: String) { out.append(text) }
    public static func += (out: inout TextBytes, text: Substring) { out.append(text) }

    /// The text as a `String` (for callers that print it).
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}
