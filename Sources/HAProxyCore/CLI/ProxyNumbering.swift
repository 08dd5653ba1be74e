import HAProxyConfig

/// The numeric identifiers HAProxy gives proxies (`iid` in `show stat`,
/// `be_id` in `show servers state`).
///
/// HAProxy numbers proxies in the order it parses them, starting at 1, the
/// first `stats socket` counting as one (its GLOBAL frontend) when it comes
/// before them; an `id` keyword replaces the number but still uses its turn.
/// `defaults` sections take no number.
enum ProxyNumbering {
    static func ids(_ configuration: Configuration) -> [String: Int] {
        let cli = configuration.global.statsSockets.first?.location
        var next = 1
        var cliCounted = cli == nil
        var ids: [String: Int] = [:]
        for proxy in configuration.proxies {
            if !cliCounted, let cli, precedes(cli, proxy.location, files: configuration.files) {
                next += 1
                cliCounted = true
            }
            ids[proxy.name] = proxy.id ?? next
            next += 1
        }
        return ids
    }

    private static func precedes(_ a: SourceLocation, _ b: SourceLocation, files: [String]) -> Bool {
        if a.file == b.file { return a.line < b.line }
        guard let i = files.firstIndex(of: a.file), let j = files.firstIndex(of: b.file) else { return true }
        return i < j
    }
}
