import HAProxyRules

/// Map and ACL commands (management.txt 9.3): `show`, `get`, `add`, `del`,
/// `set`, `clear`, `prepare` and `commit`, on the references the
/// configuration loaded (`PatternReferences`). An edit applies to the next
/// request, no reload.
///
/// 2.6 asks no access level for any of them: a `user` session may edit
/// maps too. The answers and their quirks (`del acl` on an unknown ACL
/// names a map) are 2.6's.
enum PatternCommands {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["show", "map"], usage: "show map [@ver] [map]",
                   help: "report available maps or dump a map's contents") { show($0, .map) },
        CLIKeyword(["show", "acl"], usage: "show acl [@<ver>] <acl>]",
                   help: "report available acls or dump an acl's contents") { show($0, .acl) },
        CLIKeyword(["get", "map"], usage: "get map <acl> <value>",
                   help: "report the keys and values matching a sample for a map") { get($0, .map) },
        CLIKeyword(["get", "acl"], usage: "get acl <acl> <value>",
                   help: "report the patterns matching a sample for an ACL") { get($0, .acl) },
        CLIKeyword(["add", "map"], usage: "add map [@<ver>] <map> <key> <val>",
                   help: "add a map entry (payload supported instead of key/val)") { add($0, .map) },
        CLIKeyword(["add", "acl"], usage: "add acl [@<ver>] <acl> <pattern>",
                   help: "add an acl entry") { add($0, .acl) },
        CLIKeyword(["del", "map"], usage: "del map <map> [<key>|#<ref>]",
                   help: "delete map entries matching <key>") { delete($0, .map) },
        CLIKeyword(["del", "acl"], usage: "del acl <acl> [<key>|#<ref>]",
                   help: "delete acl entries matching <key>") { delete($0, .acl) },
        CLIKeyword(["set", "map"], usage: "set map <map> [<key>|#<ref>] <value>",
                   help: "modify a map entry") { set($0) },
        CLIKeyword(["clear", "map"], usage: "clear map [@<ver>] <map>",
                   help: "clear the contents of this map") { clear($0, .map) },
        CLIKeyword(["clear", "acl"], usage: "clear acl [@<ver>] <acl>",
                   help: "clear the contents of this acl") { clear($0, .acl) },
        CLIKeyword(["prepare", "map"], usage: "prepare map <acl>",
                   help: "prepare a new version for atomic map replacement") { prepare($0, .map) },
        CLIKeyword(["prepare", "acl"], usage: "prepare acl <acl>",
                   help: "prepare a new version for atomic ACL replacement") { prepare($0, .acl) },
        CLIKeyword(["commit", "map"], usage: "commit map @<ver> <map>",
                   help: "commit the map at this version") { commit($0, .map) },
        CLIKeyword(["commit", "acl"], usage: "commit acl @<ver> <acl>",
                   help: "commit the ACL at this version") { commit($0, .acl) },
    ]

    // MARK: Commands

    /// `show map [[@<ver>] <map>]`: the list, or one version's entries.
    static func show(_ request: CLIRequest, _ kind: PatternReference.Kind) -> String {
        guard !request[2].isEmpty else {
            return "# id (file) description\n" + PatternReferences.all(kind).map(\.listingLine).joined()
        }
        let (version, next) = versionArgument(request, at: 2)
        guard let reference = PatternReferences.find(request[next], kind: kind) else { return unknown(kind) }
        return reference.dump(version: version)
    }

    /// `get map <map> <value>`.
    static func get(_ request: CLIRequest, _ kind: PatternReference.Kind) -> String {
        guard !request[2].isEmpty, !request[3].isEmpty else {
            return "Missing \(noun(kind)) identifier and/or key.\n"
        }
        guard let reference = PatternReferences.find(request[2], kind: kind) else { return unknown(kind) }
        return reference.inspect(request[3])
    }

    /// `add map [@<ver>] <map> <key> <value>`, `add acl [@<ver>] <acl> <pattern>`.
    static func add(_ request: CLIRequest, _ kind: PatternReference.Kind) -> String {
        let (version, at) = versionArgument(request, at: 2)
        let needed = kind == .map ? 3 : 2
        guard (at..<(at + needed)).allSatisfy({ !request[$0].isEmpty }) else {
            return kind == .map
                ? "'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n"
                : "'add acl' expects two parameters: ACL identifier and pattern.\n"
        }
        guard let reference = PatternReferences.find(request[at], kind: kind) else { return unknown(kind) }
        if let version, reference.isFuture(version) {
            return "Version number in the future, please use 'prepare \(kind == .map ? "map" : "acl")' before.\n"
        }
        do {
            try reference.add(key: request[at + 1], value: kind == .map ? request[at + 2] : nil, version: version)
        } catch let error as PatternReference.EditError {
            return error.message + ".\n"
        } catch {
            return "\(error)\n"
        }
        return ""
    }

    /// `del map <map> (<key>|#<ref>)`: every entry with the key, in every
    /// version, or the one entry `show map` printed as `#<ref>`.
    static func delete(_ request: CLIRequest, _ kind: PatternReference.Kind) -> String {
        guard !request[2].isEmpty, !request[3].isEmpty else {
            return "This command expects two parameters: \(noun(kind)) identifier and key.\n"
        }
        // 2.6 names a map whichever it was asked for.
        guard let reference = PatternReferences.find(request[2], kind: kind) else { return unknown(.map) }
        let removed: Int
        switch EntryReference(request[3]) {
        case .malformed: return malformed
        case .handle(let handle): removed = reference.remove(handle: handle)
        case .key(let key): removed = reference.remove(key: key)
        }
        return removed == 0 ? "Key not found.\n" : ""
    }

    /// `set map <map> (<key>|#<ref>) <value>`.
    static func set(_ request: CLIRequest) -> String {
        guard !request[2].isEmpty, !request[3].isEmpty, !request[4].isEmpty else {
            return "'set map' expects three parameters: map identifier, key and value.\n"
        }
        guard let reference = PatternReferences.find(request[2], kind: .map) else { return unknown(.map) }
        switch EntryReference(request[3]) {
        case .malformed:
            return malformed
        case .handle(let handle):
            return reference.set(handle: handle, value: request[4]) == 0 ? "key or pattern not found.\n" : ""
        case .key(let key):
            return reference.set(key: key, value: request[4]) == 0 ? "entry not found.\n" : ""
        }
    }

    /// `clear map [@<ver>] <map>`: the current version unless one is named.
    static func clear(_ request: CLIRequest, _ kind: PatternReference.Kind) -> String {
        let (version, at) = versionArgument(request, at: 2)
        guard !request[at].isEmpty else { return "Missing \(noun(kind)) identifier.\n" }
        guard let reference = PatternReferences.find(request[at], kind: kind) else { return unknown(kind) }
        reference.clear(version: version)
        return ""
    }

    /// `prepare map <map>`: allocates the next version.
    static func prepare(_ request: CLIRequest, _ kind: PatternReference.Kind) -> String {
        guard let reference = PatternReferences.find(request[2], kind: kind) else { return unknown(kind) }
        return "New version created: \(reference.prepare())\n"
    }

    /// `commit map @<ver> <map>`: makes the version current, atomically.
    static func commit(_ request: CLIRequest, _ kind: PatternReference.Kind) -> String {
        let (version, at) = versionArgument(request, at: 2)
        guard let version else { return "Missing version number.\n" }
        guard !request[at].isEmpty else { return "Missing \(noun(kind)) identifier.\n" }
        guard let reference = PatternReferences.find(request[at], kind: kind) else { return unknown(kind) }
        return reference.commit(version) ? "" : "Version number out of range.\n"
    }

    // MARK: Arguments

    /// A key argument: the key itself, or `#0x<hex>`, an entry's handle.
    enum EntryReference: Equatable {
        case key(String)
        case handle(UInt64)
        case malformed

        init(_ word: String) {
            guard word.hasPrefix("#0x") else {
                self = .key(word)
                return
            }
            let hex = word.dropFirst(3)
            guard !hex.isEmpty, let handle = UInt64(hex, radix: 16) else {
                self = .malformed
                return
            }
            self = .handle(handle)
        }
    }

    /// An optional `@<ver>` at `index`: the version (read as `strtoul`
    /// does: `@x` is version 0) and the index of the next argument.
    static func versionArgument(_ request: CLIRequest, at index: Int) -> (UInt32?, Int) {
        let word = request[index]
        guard word.first == "@" else { return (nil, index) }
        var value: UInt64 = 0
        for c in word.utf8.dropFirst().prefix(while: { $0 >= 0x30 && $0 <= 0x39 }) {
            value = value &* 10 &+ UInt64(c - 0x30)
        }
        return (UInt32(truncatingIfNeeded: value), index + 1)
    }

    static func noun(_ kind: PatternReference.Kind) -> String { kind == .map ? "map" : "ACL" }

    static func unknown(_ kind: PatternReference.Kind) -> String {
        "Unknown \(noun(kind)) identifier. Please use #<id> or <file>.\n"
    }

    static let malformed = "Malformed identifier. Please use #<id> or <file>.\n"
}
