/// Address formats of `bind`, `stats socket` and `server` (manual section
/// 11): `ipv4@`, `ipv6@`, `unix@`, `abns@`, `fd@N`, an absolute path,
/// `ADDR:PORT[-END]` lists separated by commas, `*`, `:::PORT`, `[v6]:PORT`.
enum AddressParser {
    /// Replaces each `${NAME}` in an address with the variable's value (empty
    /// when unset). HAProxy 2.6 expands addresses this way even outside double
    /// quotes, so `bind :${PORT}` and `server s1 ${HOST}:80` work unquoted.
    static func expandEnvironment(_ text: String, _ environment: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$"), rest[dollar...].dropFirst().first == "{",
            let close = rest[dollar...].firstIndex(of: "}")
        {
            out += rest[..<dollar]
            out += environment[String(rest[rest.index(dollar, offsetBy: 2)..<close])] ?? ""
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// Parses a listening address into one `ListenAddress` per port.
    /// Errors carry HAProxy's wording after `'KEYWORD' : `.
    static func listen(_ original: String, environment: [String: String]) throws -> [ListenAddress] {
        let text = expandEnvironment(original, environment)
        var rest = Substring(text)
        var family: ListenAddress.AddressFamily = .any
        if let at = rest.firstIndex(of: "@") {
            let prefix = String(rest[..<at])
            let value = rest[rest.index(after: at)...]
            switch prefix {
            case "ipv4", "tcp4": family = .ipv4
            case "ipv6", "tcp6": family = .ipv6
            case "tcp": family = .any
            case "unix": return [.unix(path: String(value))]
            case "abns": return [.abstract(name: String(value))]
            case "fd":
                let name = String(value)
                guard let fd = Int32(name), fd >= 0 else {
                    throw KeywordError("file descriptor '\(name)' is not a valid integer in '\(text)'")
                }
                return [.fd(fd)]
            case "udp", "udp4", "udp6", "quic4", "quic6", "uxdg":
                throw KeywordError("dgram-type address not acceptable in '\(text)'")
            case "sockpair", "rhttp":
                throw KeywordError("address family '\(prefix)@' is not supported by this build in '\(text)'")
            default:
                let host = text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? text
                throw KeywordError("invalid address: '\(host)' in '\(text)'")
            }
            rest = value
        } else if rest.hasPrefix("/") {
            return [.unix(path: text)]
        }
        var result: [ListenAddress] = []
        for part in rest.split(separator: ",", omittingEmptySubsequences: false) {
            let (host, portText) = try splitHostPort(String(part), original: text)
            guard let portText, !portText.isEmpty else {
                throw KeywordError("missing port specification in '\(original == text ? String(part) : original)'")
            }
            let bounds = portText.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            var ports: [Int] = []
            for b in bounds {
                if let bad = b.first(where: { !($0.isASCII && $0.isNumber) }) {
                    throw KeywordError("invalid character '\(bad)' in port number '\(portText)' in '\(part)'")
                }
                guard let p = Int(b), (1...65535).contains(p) else {
                    throw KeywordError("invalid port '\(b)'")
                }
                ports.append(p)
            }
            if ports.count == 2 && ports[0] > ports[1] { throw KeywordError("invalid port range '\(portText)'") }
            var h = host
            if h == "*" { h = "" }
            if h.isEmpty, family == .ipv6 { h = "::" }
            for p in ports[0]...(ports.last ?? ports[0]) {
                result.append(.inet(host: h, port: p, family: family))
            }
        }
        return result
    }

    /// Splits `host:port` on the last colon (brackets allowed around IPv6);
    /// the port is nil when there is no colon.
    static func splitHostPort(_ s: String, original: String) throws -> (host: String, port: String?) {
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw KeywordError("invalid address: '\(s)' in '\(original)'") }
            let host = String(s[s.index(after: s.startIndex)..<close])
            let after = s[s.index(after: close)...]
            if after.isEmpty { return (host, nil) }
            guard after.first == ":" else { throw KeywordError("invalid address: '\(s)' in '\(original)'") }
            return (host, String(after.dropFirst()))
        }
        guard let colon = s.lastIndex(of: ":") else { return (s, nil) }
        return (String(s[..<colon]), String(s[s.index(after: colon)...]))
    }

    /// A `server` address: `[ipv4@|ipv6@|unix@]ADDR[:PORT|:+N|:-N]` or a path.
    static func server(_ original: String, environment: [String: String], into server: inout ServerConfig) throws {
        let text = expandEnvironment(original, environment)
        var rest = text
        if let at = rest.firstIndex(of: "@") {
            let prefix = String(rest[..<at])
            let value = String(rest[rest.index(after: at)...])
            switch prefix {
            case "ipv4", "tcp4": server.family = .ipv4
            case "ipv6", "tcp6": server.family = .ipv6
            case "tcp": break
            case "unix":
                server.host = value
                server.isUnixSocket = true
                server.port = nil
                return
            default:
                throw KeywordError("address family '\(prefix)@' is not supported by this build in '\(text)'")
            }
            rest = value
        } else if rest.hasPrefix("/") {
            server.host = rest
            server.isUnixSocket = true
            server.port = nil
            return
        }
        let (host, portText) = try splitHostPort(rest, original: text)
        server.host = host
        server.port = nil
        server.portOffset = nil
        guard let portText, !portText.isEmpty else { return }
        if portText.hasPrefix("+") || portText.hasPrefix("-") {
            guard let offset = Int(portText), abs(offset) <= 65535 else {
                throw KeywordError("invalid port '\(portText)'")
            }
            server.portOffset = offset
            return
        }
        guard let p = Int(portText), (1...65535).contains(p) else { throw KeywordError("invalid port '\(portText)'") }
        server.port = p
    }
}
