import HAProxyRules

/// The `userlist` section and its `group` and `user` lines (manual 3.4).
/// Names are checked when the whole configuration is read
/// (`PostParseChecker`): a group may list users declared after it.
extension KeywordRegistry {
    static let userlistKeywords: [ConfigKeyword] = [
        ConfigKeyword("group", .userlist, parseGroup),
        ConfigKeyword("user", .userlist, parseUser),
    ]

    /// Characters 2.6 accepts in userlist and group names (as in proxy names).
    static func invalidNameCharacter(_ name: String) -> Character? {
        name.first { !($0.isASCII && ($0.isLetter || $0.isNumber)) && !"-_.:".contains($0) }
    }

    /// A comma-separated list, empty entries dropped (`a,,b`).
    static func nameList(_ text: String) -> [String] {
        text.split(separator: ",").map(String.init)
    }

    /// `group <name> [users <user>,<user>...]`.
    static func parseGroup(_ args: [String], _ ctx: inout ParseContext) throws {
        guard let index = ctx.userlistIndex else { return }
        guard args.count > 1, !args[1].isEmpty else {
            throw KeywordError("'group' expects <name> as arguments.", form: .parsingTight)
        }
        let name = args[1]
        if let bad = invalidNameCharacter(name) {
            throw KeywordError("character '\(bad)' is not permitted in 'group' name '\(name)'.", form: .parsingTight)
        }
        let list = ctx.config.userlists[index]
        if list.hasGroup(name) {
            ctx.diagnostics.warning(
                "parsing [\(ctx.location)]: ignoring duplicated group '\(name)' in userlist '\(list.name)'.",
                at: ctx.location)
            return
        }
        var users: [String] = []
        var i = 2
        while i < args.count {
            guard args[i] == "users" else {
                throw KeywordError("'group' only supports 'users' option.", form: .parsingTight)
            }
            if i + 1 < args.count { users += nameList(args[i + 1]) }
            i += 2
        }
        ctx.config.userlists[index].add(Userlist.Group(name: name, users: users))
    }

    /// `user <name> [password <hash> | insecure-password <text>] [groups <g>,<g>...]`.
    static func parseUser(_ args: [String], _ ctx: inout ParseContext) throws {
        guard let index = ctx.userlistIndex else { return }
        guard args.count > 1, !args[1].isEmpty else {
            throw KeywordError("'user' expects <name> as arguments.", form: .parsingTight)
        }
        let name = args[1]
        let list = ctx.config.userlists[index]
        if list.user(named: name) != nil {
            ctx.diagnostics.warning(
                "parsing [\(ctx.location)]: ignoring duplicated user '\(name)' in userlist '\(list.name)'.",
                at: ctx.location)
            return
        }
        var password: Userlist.Password?
        var groups: [String] = []
        var i = 2
        while i < args.count {
            let value = i + 1 < args.count ? args[i + 1] : nil
            switch args[i] {
            case "password":
                if let value { password = .hashed(value) }
            case "insecure-password":
                if let value { password = .insecure(Array(value.utf8)) }
            case "groups":
                if let value { groups += nameList(value) }
            default:
                throw KeywordError(
                    "'user' only supports 'password', 'insecure-password' and 'groups' options.", form: .parsingTight)
            }
            i += 2
        }
        ctx.config.userlists[index].add(Userlist.User(name: name, password: password, groups: groups))
    }
}
