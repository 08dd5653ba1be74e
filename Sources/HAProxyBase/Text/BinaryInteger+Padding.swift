/// printf-style zero padding without Foundation's `String(format:)`.
extension BinaryInteger {
    /// Decimal, left-padded with zeros to `width` digits (`%0*d`).
    public func zeroPadded(_ width: Int) -> String {
        Self.padded(String(magnitude), width: width, negative: self < 0)
    }

    /// Hexadecimal, left-padded with zeros to `width` digits (`%0*x`,
    /// `%0*X` when `uppercase`).
    public func hexPadded(_ width: Int, uppercase: Bool = false) -> String {
        Self.padded(String(magnitude, radix: 16, uppercase: uppercase), width: width, negative: self < 0)
    }

    private static func padded(_ digits: String, width: Int, negative: Bool) -> String {
        let sign = negative ? "-" : ""
        let zeros = max(0, width - digits.count - sign.count)
        return sign + String(repeating: "0", count: zeros) + digits
    }
}
