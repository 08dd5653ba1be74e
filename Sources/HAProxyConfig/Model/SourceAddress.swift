/// A `source` address (manual 4.2): an IP literal and a port, 0 for any.
public struct SourceAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
