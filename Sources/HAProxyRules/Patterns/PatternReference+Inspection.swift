/// What the runtime API prints of an ACL or map (management.txt 9.3):
/// its line in `show map`/`show acl`, its entries, and the answer of
/// `get map`/`get acl`, worded as 2.6 prints them.
extension PatternReference {
    /// `5 (/etc/hosts.map) pattern loaded from file '/etc/hosts.map' used
    /// by map at file 'h.cfg' line 15. curr_ver=0 next_ver=0 entry_cnt=2`.
    /// `entry_cnt` counts every entry of every version once per expression.
    public var listingLine: String {
        let count = allEntries.count * expressions.count
        return "\(number) (\(path)) \(summary). curr_ver=\(currentVersion) next_ver=\(nextVersion) entry_cnt=\(count)\n"
    }

    /// The entries of `version` (the current one by default), one a line:
    /// handle, key and, for a map, value.
    public func dump(version: UInt32? = nil) -> String {
        entries(version: version).map { entry in
            if let value = entry.value { return "\(entry.pointer) \(entry.key) \(value)\n" }
            return "\(entry.pointer) \(entry.key)\n"
        }.joined()
    }

    /// `get map`/`get acl`: looks `text` up with each expression in turn,
    /// one line each, e.g. `type=str, case=sensitive, found=yes, idx=tree,
    /// key="www.example.com", value="be_a", type="str"`.
    public func inspect(_ text: String) -> String {
        let foundWord = kind == .map ? "found" : "match"
        return expressions.map { expression in
            var line = "type=\(expression.method.rawValue), case=\(expression.ignoreCase ? "insensitive" : "sensitive"), "
            guard expression.method != .found, let sample = Self.sample(text, for: expression.method),
                let entry = match(sample, expression)
            else { return line + "\(foundWord)=no\n" }
            line += "\(foundWord)=yes, idx=\(Self.index(of: expression)), "
            guard kind == .map else { return line + "pattern=\"\(entry.key)\"\n" }
            let value = expression.valueType.flatMap { Self.value(entry.value ?? "", as: $0) } ?? .string(Array((entry.value ?? "").utf8))
            return line + "key=\"\(entry.key)\", value=\"\(Self.text(of: value))\", type=\"\(Self.typeName(of: value))\"\n"
        }.joined()
    }

    /// The CLI's text as the sample the match method reads: an integer
    /// from its leading digits, an address, or the string itself.
    static func sample(_ text: String, for method: PatternMatchMethod) -> Sample? {
        let bytes = Array(text.utf8)
        switch method {
        case .int, .bool:
            var rest = bytes[...]
            var negative = false
            if let f = rest.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") {
                negative = f == UInt8(ascii: "-")
                rest = rest.dropFirst()
            }
            var value: Int64 = 0
            for c in rest.prefix(while: { $0 >= 0x30 && $0 <= 0x39 }).prefix(18) {
                value = value * 10 + Int64(c - 0x30)
            }
            return .int(negative ? -value : value)
        case .ip:
            if let v4 = IPv4Address(text: bytes) { return .ipv4(v4) }
            return IPv6Address(text: bytes).map { .ipv6($0) }
        default:
            return .string(bytes)
        }
    }

    /// 2.6 indexes exact and prefix strings (case-sensitive) and addresses
    /// in trees, the rest in lists.
    static func index(of expression: Expression) -> String {
        switch expression.method {
        case .ip: return "tree"
        case .str, .beg: return expression.ignoreCase ? "list" : "tree"
        default: return "list"
        }
    }

    static func text(of value: Sample) -> String {
        String(decoding: (value.cast(to: .string) ?? value).stringBytes ?? [], as: UTF8.self)
    }

    /// The sample type's name as 2.6 prints it.
    static func typeName(of value: Sample) -> String {
        switch value {
        case .int: return "sint"
        case .ipv4: return "ipv4"
        case .ipv6: return "ipv6"
        default: return "str"
        }
    }
}
