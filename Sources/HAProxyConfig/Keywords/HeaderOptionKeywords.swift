/// The `option` forms about request headers added or filtered on the way
/// to the server (manual 4.2): `originalto` and `http-restrict-req-hdr-names`.
extension KeywordRegistry {
    /// `option originalto [except <network>] [header <name>]`.
    static func parseOriginalToOption(_ args: [String], _ ctx: inout ParseContext) throws {
        var option = ProxyOptions.OriginalTo()
        var i = 2
        while i < args.count {
            switch args[i] {
            case "except":
                guard i + 1 < args.count, isNetwork(args[i + 1]) else {
                    throw KeywordError("'option originalto except' expects <address>[/mask] as argument.")
                }
                option.except = args[i + 1]
            case "header":
                guard i + 1 < args.count, !args[i + 1].isEmpty else {
                    throw KeywordError("'option originalto header' expects <header_name> as argument.")
                }
                option.header = args[i + 1].lowercased()
            default:
                throw KeywordError("'option originalto' only supports optional values: 'except' and 'header'.")
            }
            i += 2
        }
        ctx.withProxy { $0.options.originalTo = option }
    }

    /// `option http-restrict-req-hdr-names preserve|delete|reject`.
    static func parseRestrictHeaderNamesOption(_ args: [String], _ ctx: inout ParseContext) throws {
        let expected = "option 'http-restrict-req-hdr-names' expects 'preserve', 'reject' or 'delete' option."
        guard args.count > 2 else { throw KeywordError("missing parameter. \(expected)") }
        try ctx.checkMaxArguments(args, 2, keyword: "option")
        guard let mode = ProxyOptions.RestrictHeaderNames(rawValue: args[2]) else {
            throw KeywordError("invalid parameter '\(args[2])'. \(expected)")
        }
        ctx.withProxy { $0.options.restrictHeaderNames = mode }
    }
}
