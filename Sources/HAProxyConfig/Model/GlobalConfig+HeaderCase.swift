import HAProxyBase

/// `h1-case-adjust` and `h1-case-adjust-file` (manual 3.2): the names
/// whose spelling HTTP/1 peers that mind case get back.
extension GlobalConfig {
    /// Adds `from` spelt `to`; the two may differ by case only, and a
    /// name may be given once (compared as written).
    mutating func addHeaderCaseAdjust(from: String, to: String) throws(KeywordError) {
        if let message = Self.headerCaseProblem(from: from, to: to) { throw KeywordError(message) }
        // Kept as written (2.6): an entry spelt with capitals is its own
        // and never matches, names going out lowercase.
        if headerCaseAdjust.contains(where: { $0.name == from }) { throw KeywordError("duplicate entry '\(from)'") }
        headerCaseAdjust.append((name: from, spelling: to))
    }

    /// What is wrong with an entry, in 2.6's words; nil when it is fine.
    private static func headerCaseProblem(from: String, to: String) -> String? {
        guard from.lowercased() == to.lowercased() else { return "<from> and <to> must not differ execpt the case" }
        return nil
    }

    /// Reads `h1-case-adjust-file` once the configuration is parsed, as
    /// 2.6 does: one `from to` pair per line, `#` comments and blank
    /// lines skipped. Returns 2.6's message for the first problem.
    mutating func loadHeaderCaseAdjustFile() -> String? {
        guard let path = headerCaseAdjustFile else { return nil }
        let prefix = "h1-headers-case-adjust-file '\(path)'"
        guard let bytes = SystemFile.contents(atPath: path) else { return "\(prefix): failed to open file." }
        var number = 0
        for line in bytes.split(separator: 0x0a, omittingEmptySubsequences: false) {
            number += 1
            let text = String(decoding: line, as: UTF8.self)
            let trimmed = text.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let from = trimmed.prefix { $0 != " " && $0 != "\t" && $0 != "\r" }
            let rest = trimmed.dropFirst(from.count).drop { $0 == " " || $0 == "\t" }
            var to = Substring(rest)
            while let last = to.last, last == " " || last == "\t" || last == "\r" { to = to.dropLast() }
            guard !to.isEmpty else { return "\(prefix) : expect <to> at line \(number)." }
            if let problem = Self.headerCaseProblem(from: String(from), to: String(to)) {
                return "\(prefix) : \(problem) at line \(number)."
            }
            let name = String(from)
            if headerCaseAdjust.contains(where: { $0.name == name }) {
                return "\(prefix) : duplicate entry '\(name)' at line \(number)."
            }
            headerCaseAdjust.append((name: name, spelling: String(to)))
        }
        return nil
    }
}
