/// A `server`/`default-server` option (HAProxy's `srv_kws`).
struct ServerKeyword {
    typealias Handler = (_ args: [String], _ options: inout ServerOptions, _ server: inout ServerConfig?) throws -> Void
    let name: String
    let argumentCount: Int
    let handler: Handler

    init(_ name: String, arguments: Int = 0, _ handler: @escaping Handler) {
        self.name = name
        self.argumentCount = arguments
        self.handler = handler
    }
}
