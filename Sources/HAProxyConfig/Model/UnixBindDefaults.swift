/// `unix-bind [prefix P] [mode M] [user U] [uid N] [group G] [gid N]`
/// (manual section 3.1): process-wide defaults for the UNIX sockets of
/// `bind` lines.
///
/// As in 2.6 they apply to the `bind` lines parsed after the `unix-bind`
/// line, the prefix is glued to the path as written (no separator added),
/// a bind line's own `mode`/`user`/`group` win, and `stats socket` and
/// abstract (`abns@`) sockets are left alone.
public struct UnixBindDefaults: Sendable, Equatable {
    public var prefix: String?
    /// Octal mode; nil when unset (2.6 reads 0, from `mode 0` or a word
    /// without octal digits, as unset).
    public var mode: UInt32?
    /// Owner and group as numbers, names being resolved when parsed.
    public var uid: UInt32?
    public var gid: UInt32?

    public init() {}

    /// The socket a `bind` line's UNIX path names once these defaults apply.
    public func apply(to bind: inout BindConfig) {
        guard case .unix(let path) = bind.address else { return }
        if let prefix { bind.address = .unix(path: prefix + path) }
        if bind.unixMode == nil, let mode { bind.unixMode = mode }
        if bind.unixUser == nil, let uid { bind.unixUser = String(uid) }
        if bind.unixGroup == nil, let gid { bind.unixGroup = String(gid) }
    }
}
