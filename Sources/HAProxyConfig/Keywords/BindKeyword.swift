/// A `bind` option (HAProxy's `bind_kws`).
struct BindKeyword {
    typealias Handler = (_ args: [String], _ bind: inout BindConfig, _ context: inout ParseContext) throws -> Void
    let name: String
    /// Number of arguments following the option name.
    let argumentCount: Int
    let handler: Handler
    /// What 2.6 says when the value is missing (`missing cipher suite`).
    let missingValue: String

    init(_ name: String, arguments: Int = 0, missing: String = "missing value", _ handler: @escaping Handler) {
        self.name = name
        self.argumentCount = arguments
        self.missingValue = missing
        self.handler = handler
    }
}
