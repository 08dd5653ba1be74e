/// A `resolvers` section (manual 5.3.2): the nameservers asked and the
/// timers of the resolutions its servers run.
public struct ResolversConfig: Sendable, Equatable {
    /// A `nameserver <name> [udp@|tcp@]<ip>:<port>` line.
    public struct Nameserver: Sendable, Equatable {
        public var name: String
        public var host: String
        public var port: Int
        public var location: SourceLocation
        /// `tcp@`: queries go over one TCP connection, each with its
        /// two-byte length (RFC 1035 4.2.2).
        public var isTCP = false

        public init(name: String, host: String, port: Int, location: SourceLocation, isTCP: Bool = false) {
            self.name = name
            self.host = host
            self.port = port
            self.location = location
            self.isTCP = isTCP
        }
    }

    public var name: String
    public var location: SourceLocation
    public var nameservers: [Nameserver] = []
    /// `accepted_payload_size`: the EDNS0 UDP size announced (default 512).
    public var acceptedPayloadSize = 512
    /// `resolve_retries` (default 3).
    public var resolveRetries = 3
    /// `timeout resolve` and `timeout retry` (default 1s each).
    public var timeoutResolveMs = 1000
    public var timeoutRetryMs = 1000
    /// `hold nx|other|refused|timeout|valid|obsolete`. `hold valid` applies
    /// only to `do-resolve` actions in 2.6 (refused by this build): servers
    /// are resolved every `timeout resolve` whatever its value, as on 2.6.
    public var holdNXMs = 30_000
    public var holdOtherMs = 30_000
    public var holdRefusedMs = 30_000
    public var holdTimeoutMs = 30_000
    public var holdValidMs = 10_000
    public var holdObsoleteMs = 0

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    /// The `nameserver` addresses of a resolv.conf text, in order.
    public static func resolvConfNameservers(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { return nil }
            return String(words[1])
        }
    }

    /// The section 2.6 adds by itself when none is named `default`: the
    /// nameservers of /etc/resolv.conf (nil when it names none), shown by
    /// `show resolvers` and used by servers with `resolvers default`.
    public static func implicitDefault(resolvConf text: String) -> ResolversConfig? {
        var section = ResolversConfig(name: "default", location: SourceLocation(file: "/etc/resolv.conf", line: 0))
        for address in resolvConfNameservers(text) where !section.nameservers.contains(where: { $0.name == address }) {
            section.nameservers.append(Nameserver(name: address, host: address, port: 53, location: section.location))
        }
        return section.nameservers.isEmpty ? nil : section
    }
}

/// How a server with `resolvers` gets its first address (`init-addr`).
public enum InitAddrMethod: Sendable, Equatable {
    /// `last`: the `srv_addr` the server state file holds for the server
    /// (`load-server-state-from-file`).
    case last
    /// `libc`: the system resolver, once at start.
    case libc
    /// `none`: start without an address, in maintenance until resolved.
    case none
    /// An IP address to start with.
    case address(String)
}

/// `resolve-net`: a network whose addresses a server prefers.
public struct ResolveNetwork: Sendable, Equatable {
    public var bytes: [UInt8]
    public var prefixLength: Int

    public init(bytes: [UInt8], prefixLength: Int) {
        self.bytes = bytes
        self.prefixLength = prefixLength
    }
}
