/// One address of a `bind` line; a line with several addresses or a port
/// range yields several of these sharing the same options.
public struct BindConfig: Sendable, Equatable {
    public var address: ListenAddress
    public var name: String?
    public var maxconn: Int?
    public var backlog: Int?
    public var acceptProxy = false
    public var deferAccept = false
    /// `tfo`: TCP Fast Open on the listening socket (TCP only), its
    /// queue as long as the listen backlog.
    public var tfo = false
    public var v4v6 = false
    public var v6only = false
    /// UNIX socket ownership and permissions (`mode`, `uid`/`user`, `gid`/`group`).
    public var unixMode: UInt32?
    public var unixUser: String?
    public var unixGroup: String?
    /// `ssl` and its options; shared by every address of the line.
    public var tls = TLSBindConfig()
    public var location: SourceLocation

    public init(address: ListenAddress, location: SourceLocation) {
        self.address = address
        self.location = location
    }
}
