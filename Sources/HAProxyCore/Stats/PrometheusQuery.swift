/// The query string of a scrape, as HAProxy 2.6's exporter reads it.
///
/// - `scope=<name>`, repeatable: `global`, `frontend`, `backend`,
///   `server` add that section; `*` adds them all; an empty value removes
///   all those given so far. Without any `scope`, every section is printed.
///   Sections always come in the order global, frontend, backend, server.
/// - `no-maint` (with or without a value): servers in maintenance print no
///   samples (their backends still count them in `agg_server_status`).
///
/// Other parameters are ignored. Each parameter's name and value are
/// percent-decoded; a bad `%` escape anywhere, an unknown scope, or `scope`
/// without `=` make the request invalid (400 Bad request).
public struct PrometheusQuery: Equatable, Sendable {
    public struct Scopes: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let global = Scopes(rawValue: 1)
        public static let frontend = Scopes(rawValue: 2)
        public static let backend = Scopes(rawValue: 4)
        public static let server = Scopes(rawValue: 8)
        public static let all: Scopes = [.global, .frontend, .backend, .server]
    }

    public var scopes: Scopes
    public var noMaint: Bool

    public init(scopes: Scopes = .all, noMaint: Bool = false) {
        self.scopes = scopes
        self.noMaint = noMaint
    }

    /// The query of a request target's query string (the part after `?`,
    /// without it); nil when 2.6 answers 400.
    public init?<Bytes: Collection>(queryString: Bytes) where Bytes.Element == UInt8 {
        self.init()
        var sawScope = false
        for parameter in queryString.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = parameter.firstIndex(of: UInt8(ascii: "="))
            guard let name = Self.percentDecoded(parameter[..<(equals ?? parameter.endIndex)]) else { return nil }
            let value: [UInt8]?
            if let equals {
                guard let decoded = Self.percentDecoded(parameter[parameter.index(after: equals)...]) else { return nil }
                value = decoded
            } else {
                value = nil
            }
            switch name {
            case Array("scope".utf8):
                guard let value else { return nil }
                if !sawScope {
                    sawScope = true
                    scopes = []
                }
                switch value {
                case []: scopes = []
                case [UInt8(ascii: "*")]: scopes = .all
                case Array("global".utf8): scopes.insert(.global)
                case Array("frontend".utf8): scopes.insert(.frontend)
                case Array("backend".utf8): scopes.insert(.backend)
                case Array("server".utf8): scopes.insert(.server)
                default: return nil
                }
            case Array("no-maint".utf8):
                noMaint = true
            default:
                continue
            }
        }
    }

    /// The query of a request target's query string; nil when 2.6 answers 400.
    public init?(queryString: Substring) {
        self.init(queryString: queryString.utf8)
    }

    /// `%XX` escapes decoded; nil for a `%` not followed by two hex digits.
    static func percentDecoded<Bytes: Collection>(_ bytes: Bytes) -> [UInt8]? where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let byte = bytes[i]
            i = bytes.index(after: i)
            guard byte == UInt8(ascii: "%") else {
                out.append(byte)
                continue
            }
            guard i != bytes.endIndex, let high = hexValue(bytes[i]) else { return nil }
            i = bytes.index(after: i)
            guard i != bytes.endIndex, let low = hexValue(bytes[i]) else { return nil }
            i = bytes.index(after: i)
            out.append(high << 4 | low)
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
