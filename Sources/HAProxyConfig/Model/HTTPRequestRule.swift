/// The `http-request` rules the proxy implements so far. The full rule set
/// (ACL conditions, header actions...) grows here.
public enum HTTPRequestRule: Sendable, Equatable {
    /// `http-request return [status N] [content-type T] [string S | file F | errorfile F] [hdr N V]*`.
    case returnResponse(ReturnResponse)
    /// `http-request deny [deny_status N]`.
    case deny(status: Int)

    public struct ReturnResponse: Sendable, Equatable {
        public var status = 200
        public var contentType: String?
        /// The body bytes (from `string` or `file`); nil for no body.
        public var body: [UInt8]?
        /// A complete raw response (from `errorfile`), sent as is.
        public var rawResponse: [UInt8]?
        public var headers: [HeaderPair] = []

        public init() {}
    }
}

public struct HeaderPair: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
