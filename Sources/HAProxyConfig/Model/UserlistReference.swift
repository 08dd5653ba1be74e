import HAProxyRules

/// A sample fetch naming a `userlist` (`http_auth(L)`,
/// `http_auth_group(L)`), recorded where it is parsed: the list may be
/// declared after the proxy, so the name is checked once the whole
/// configuration is read (2.6's argument resolution, `unable to find
/// userlist 'L' referenced in arg 1 of ...`).
public struct UserlistReference: Sendable {
    public var userlist: String
    public var location: SourceLocation
    /// What 2.6 names after `referenced in arg 1 of`: `ACL keyword
    /// 'http_auth'` or `sample fetch keyword 'http_auth' in http-request
    /// expression`.
    public var origin: String
    /// For an `http_auth_group` ACL: the ACL's name (empty for `{ ... }`)
    /// and its groups, which must exist in the list (nil: `no groups
    /// specified`, the values were turned into plain patterns).
    public var groupCheck: (acl: String, groups: [String]?)?

    public init(userlist: String, location: SourceLocation, origin: String, groupCheck: (acl: String, groups: [String]?)? = nil) {
        self.userlist = userlist
        self.location = location
        self.origin = origin
        self.groupCheck = groupCheck
    }
}

/// A stick table an ACL or a rule's expression names (`src_conn_cur(T)`,
/// `sc_http_req_rate(0,T)`, `src,in_table(T)`, or `src_*` without a table:
/// the proxy's own), checked once the whole configuration is read
/// (`unable to find table 'T' referenced in arg N of ACL keyword 'K' in
/// proxy 'P'.`).
public struct StickTableReference: Sendable {
    public var table: String
    /// What names it, as 2.6 words it after `referenced in`.
    public var origin: String
    public var location: SourceLocation
    /// `table` is a frontend's name (`fe_req_rate(F)`), checked the same
    /// way: `unable to find frontend 'F' referenced in ...`.
    public var isFrontend = false
}
