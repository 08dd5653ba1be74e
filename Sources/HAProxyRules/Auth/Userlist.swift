/// A `userlist` section (manual 3.4): users with their passwords and the
/// groups they belong to, for `http_auth(<userlist>)`,
/// `http_auth_group(<userlist>)` and `http-request auth`.
///
/// Membership may be written on either side (`group G users a,b` or
/// `user a groups G`); both count. Users and groups are kept in
/// declaration order because 2.6 reports inconsistencies in that order.
public struct Userlist: Sendable {
    /// How a user's password is stored.
    public enum Password: Sendable, Equatable {
        /// `password HASH`: checked with crypt(3) (`$6$...`, `$5$...`, `$1$...`).
        case hashed(String)
        /// `insecure-password TEXT`: compared as is.
        case insecure([UInt8])
    }

    public struct User: Sendable {
        public var name: String
        /// nil when the line gave none: no password then matches.
        public var password: Password?
        /// The groups of the `groups` option, as written.
        public var groups: [String]
        public init(name: String, password: Password?, groups: [String]) {
            self.name = name
            self.password = password
            self.groups = groups
        }
    }

    public struct Group: Sendable {
        public var name: String
        /// The users of the `users` option, as written.
        public var users: [String]
        public init(name: String, users: [String]) {
            self.name = name
            self.users = users
        }
    }

    public let name: String
    public private(set) var users: [User] = []
    public private(set) var groups: [Group] = []
    private var userIndex: [String: Int] = [:]
    private var groupNames: Set<String> = []
    /// Each user's groups, from both sides of the declarations.
    private var memberships: [String: Set<String>] = [:]

    public init(name: String) {
        self.name = name
    }

    /// Adds a user; false (and nothing changes) when the name is taken.
    @discardableResult
    public mutating func add(_ user: User) -> Bool {
        guard userIndex[user.name] == nil else { return false }
        userIndex[user.name] = users.count
        users.append(user)
        memberships[user.name, default: []].formUnion(user.groups)
        return true
    }

    /// Adds a group; false (and nothing changes) when the name is taken.
    @discardableResult
    public mutating func add(_ group: Group) -> Bool {
        guard groupNames.insert(group.name).inserted else { return false }
        groups.append(group)
        for user in group.users { memberships[user, default: []].insert(group.name) }
        return true
    }

    public func user(named name: String) -> User? {
        userIndex[name].map { users[$0] }
    }

    public func hasGroup(_ name: String) -> Bool { groupNames.contains(name) }

    /// Whether `user` belongs to one of `groups`.
    public func isMember(_ user: String, ofAnyOf groups: [String]) -> Bool {
        guard userIndex[user] != nil, let mine = memberships[user] else { return false }
        return groups.contains { mine.contains($0) }
    }

    /// Whether `user` exists and `password` is theirs (crypt(3) for a
    /// hash, byte comparison for an insecure password).
    public func authenticates(user: [UInt8], password: [UInt8]) -> Bool {
        guard let user = self.user(named: String(decoding: user, as: UTF8.self)), let stored = user.password else {
            return false
        }
        switch stored {
        case .insecure(let expected):
            return expected == password
        case .hashed(let hash):
            return PasswordHash.verify(password, against: hash)
        }
    }

    /// The first reference to an undeclared user or group, worded as 2.6
    /// reports it after parsing (`no such group 'X' specified in user
    /// 'u'`); nil when the list is consistent. Like 2.6, users are checked
    /// before groups, each from the last declared to the first.
    public var firstInconsistency: String? {
        for user in users.reversed() {
            if let missing = user.groups.first(where: { !groupNames.contains($0) }) {
                return "userlist '\(name)': no such group '\(missing)' specified in user '\(user.name)'"
            }
        }
        for group in groups.reversed() {
            if let missing = group.users.first(where: { userIndex[$0] == nil }) {
                return "userlist '\(name)': no such user '\(missing)' specified in group '\(group.name)'"
            }
        }
        return nil
    }
}
