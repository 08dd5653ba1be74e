/// Variable names as 2.6 reads them in `var()`, the arithmetic converters'
/// arguments and `set-var`: the scope prefix is mandatory and the name
/// is made of letters, digits, `_` and `.`.
extension VariableName {
    /// Parses `txn.name`; the errors are 2.6's words.
    public static func parse(_ text: String) throws -> VariableName {
        guard let name = VariableName(text) else {
            let bytes = Array(text.utf8)
            if let dot = bytes.firstIndex(of: UInt8(ascii: ".")),
               Scope(rawValue: String(decoding: bytes[..<dot], as: UTF8.self)) != nil, dot + 1 < bytes.count
            {
                let bad = bytes[(dot + 1)...].firstIndex { !isNameByte($0) } ?? bytes.count
                throw SampleArgumentError("invalid syntax at char '\(String(decoding: bytes[bad...], as: UTF8.self))'")
            }
            throw SampleArgumentError(
                "invalid variable name '\(text)'. A variable name must be start by its scope. "
                    + "The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'")
        }
        return name
    }

    /// `scope.name`, nil when the scope is unknown or the name has a byte
    /// other than letters, digits, `_` and `.` (or is empty).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")),
              let scope = Scope(rawValue: String(decoding: bytes[..<dot], as: UTF8.self))
        else { return nil }
        let name = bytes[(dot + 1)...]
        guard !name.isEmpty, name.allSatisfy(Self.isNameByte) else { return nil }
        self.init(scope: scope, name: String(decoding: name, as: UTF8.self))
    }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)
            || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
    }

    /// `txn.name`.
    public var description: String { "\(scope.rawValue).\(name)" }
}
