import Glibc

/// `unix-bind` in `global` (manual section 3.1): defaults for the UNIX
/// sockets of the `bind` lines that follow (see `UnixBindDefaults`).
extension KeywordRegistry {
    static let unixBindKeyword = ConfigKeyword("unix-bind", .global, parseUnixBind)

    /// Options in any order, each with one value; names of users and
    /// groups are resolved here, as 2.6 does, and numbers and modes are
    /// read like `atol`/`strtol` (a word without digits reads as 0).
    static func parseUnixBind(_ args: [String], _ ctx: inout ParseContext) throws {
        var i = 1
        while i < args.count {
            let value = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "prefix":
                if ctx.config.global.unixBind.prefix != nil {
                    ctx.diagnostics.alert(
                        "parsing [\(ctx.location)] : unix-bind 'prefix' already specified. Continuing.",
                        at: ctx.location, fatal: false)
                } else {
                    guard !value.isEmpty else { throw KeywordError("unix_bind 'prefix' expects a path as an argument.") }
                    ctx.config.global.unixBind.prefix = value
                }
            case "mode":
                let mode = octalPrefix(value)
                ctx.config.global.unixBind.mode = mode == 0 ? nil : mode
            case "uid":
                ctx.config.global.unixBind.uid = UInt32(truncatingIfNeeded: ParseContext.looseInteger(value))
            case "gid":
                ctx.config.global.unixBind.gid = UInt32(truncatingIfNeeded: ParseContext.looseInteger(value))
            case "user":
                guard let entry = getpwnam(value) else { throw KeywordError("'unix-bind' : '\(value)' unknown user.") }
                ctx.config.global.unixBind.uid = entry.pointee.pw_uid
            case "group":
                guard let entry = getgrnam(value) else { throw KeywordError("'unix-bind' : '\(value)' unknown group.") }
                ctx.config.global.unixBind.gid = entry.pointee.gr_gid
            default:
                throw KeywordError(
                    "'unix-bind' only supports the 'prefix', 'mode', 'uid', 'gid', 'user' and 'group' options.")
            }
            i += 2
        }
    }

    /// The leading octal digits of `text` (`strtol(text, NULL, 8)` without sign).
    private static func octalPrefix(_ text: String) -> UInt32 {
        var value: UInt32 = 0
        for c in text.utf8 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(c) else { break }
            value = value &* 8 &+ UInt32(c - UInt8(ascii: "0"))
        }
        return value
    }
}
