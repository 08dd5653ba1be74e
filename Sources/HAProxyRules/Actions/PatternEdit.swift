/// `set-map(FILE)`, `del-map(FILE)`, `add-acl(FILE)` and `del-acl(FILE)`
/// in `http-request` and `http-response` rules (manual 4.2): the runtime
/// API's `set map`, `del map`, `add acl` and `del acl` run by a rule, on
/// the patterns loaded from FILE. Their changes are seen at once by every
/// lookup, as after the CLI's (each change recompiles the patterns on the
/// next lookup, which costs a pass over the file's entries).
public struct PatternEdit: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case setMap = "set-map"
        case deleteMap = "del-map"
        case addACL = "add-acl"
        case deleteACL = "del-acl"

        /// `set-map` takes a key and a value, the others a key.
        public var argumentCount: Int { self == .setMap ? 2 : 1 }
    }

    public let kind: Kind
    /// The file as written between the parentheses. 2.6 accepts any name:
    /// one that no ACL or map loaded makes the rule do nothing.
    public let file: String
    public let key: SampleFormat
    public let value: SampleFormat?

    public init(kind: Kind, file: String, key: SampleFormat, value: SampleFormat?) {
        self.kind = kind
        self.file = file
        self.key = key
        self.value = value
    }

    /// The action and its file, from a word such as `set-map(/etc/haproxy/x.map)`
    /// (the closing parenthesis may be missing, as 2.6 allows); nil for
    /// any other action.
    public static func parseName(_ word: String) -> (Kind, String)? {
        for kind in Kind.allCases where word.hasPrefix(kind.rawValue) {
            var rest = word.dropFirst(kind.rawValue.count)
            if rest.first == "(" { rest = rest.dropFirst() }
            if let close = rest.firstIndex(of: ")") { rest = rest[..<close] }
            return (kind, String(rest))
        }
        return nil
    }

    /// Applies the edit with the rendered key and value. Recorded from
    /// 2.6: `set-map` replaces the value of the entries with that key, or
    /// adds one; `add-acl` adds a key that is not there yet; the deletes
    /// remove every entry with the key. A map or an ACL file may be edited
    /// by either kind of action.
    public func perform(key: [UInt8], value: [UInt8]?) {
        guard let reference = PatternReferences.find(path: file) else { return }
        let key = String(decoding: key, as: UTF8.self)
        switch kind {
        case .setMap:
            let value = String(decoding: value ?? [], as: UTF8.self)
            if reference.set(key: key, value: value) == 0 { try? reference.add(key: key, value: value) }
        case .addACL:
            if !reference.containsKey(key) { try? reference.add(key: key, value: nil) }
        case .deleteMap, .deleteACL:
            reference.remove(key: key)
        }
    }
}
