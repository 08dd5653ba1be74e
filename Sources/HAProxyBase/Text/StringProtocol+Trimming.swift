/// Trimming without Foundation's `CharacterSet` (which would link ICU's data
/// into the binary).
extension StringProtocol {
    /// The text without leading and trailing blanks: tabs and the Unicode
    /// space separators (Foundation's `CharacterSet.whitespaces`); line
    /// breaks are kept.
    public func trimmingWhitespace() -> String {
        trimming { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }

    /// The text without the leading and trailing scalars for which
    /// `isTrimmed` holds.
    public func trimming(_ isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }),
              let last = scalars.lastIndex(where: { !isTrimmed($0) }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
