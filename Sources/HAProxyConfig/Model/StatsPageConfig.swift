import HAProxyRules

/// The statistics page of a proxy (manual 4.2, `stats *`): where it
/// answers, who may read it, who may act on it and what it shows. Any
/// `stats` keyword but `admin` and `http-request` turns it on with the
/// defaults below; a proxy inherits its defaults section's page.
public struct StatsPageConfig: Sendable {
    /// 2.6's build-time defaults (manual `stats enable`).
    public static let defaultURI = "/haproxy?stats"
    public static let defaultRealm = "HAProxy Statistics"

    /// One `stats auth <user>:<password>` account.
    public struct Account: Sendable, Equatable {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    /// `stats uri`: any request whose URI starts with it is for the page.
    public var uri = defaultURI
    /// `stats realm`: the realm of the 401 challenge (nil: the default).
    public var realm: String?
    /// The realm challenges name.
    public var effectiveRealm: String { realm ?? Self.defaultRealm }
    /// `stats auth`: the accounts allowed to read the page (none: open).
    public var accounts: [Account] = []
    /// `stats refresh`: the `Refresh` delay offered to browsers, in
    /// seconds (0: none).
    public var refreshSeconds = 0
    /// `stats admin if|unless COND`: the requests allowed to change
    /// servers from the page (nil: read-only).
    public var adminCondition: Condition?
    /// `stats hide-version`: the version is left out of the page.
    public var hideVersion = false
    /// `stats show-legends`: capabilities, mode and ids in tooltips.
    public var showLegends = false
    /// `stats show-node [name]`: the node shown in the title ("": the
    /// global `node`, else the host name); nil: not shown.
    public var showNode: String?
    /// `stats show-desc [desc]`: the description shown in the title (""
    /// means the global `description`); nil: not shown.
    public var showDescription: String?
    /// `stats scope`: the only proxies shown (empty: all); `.` is the
    /// proxy that declares it.
    public var scopes: [String] = []
    /// `stats http-request allow|deny|auth` rules, in order.
    public var rules: [HTTPRule] = []

    public init() {}
}
