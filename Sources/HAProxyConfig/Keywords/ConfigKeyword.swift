/// The sections a keyword may appear in.
public struct SectionKinds: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let global = SectionKinds(rawValue: 1)
    public static let defaults = SectionKinds(rawValue: 2)
    public static let frontend = SectionKinds(rawValue: 4)
    public static let backend = SectionKinds(rawValue: 8)
    public static let listen = SectionKinds(rawValue: 16)
    public static let proxies: SectionKinds = [.defaults, .frontend, .backend, .listen]
    /// Where a keyword about accepting connections makes sense.
    public static let frontendSide: SectionKinds = [.defaults, .frontend, .listen]
    /// Where a keyword about servers makes sense.
    public static let backendSide: SectionKinds = [.defaults, .backend, .listen]
}

/// A failure of one keyword line, reported as an ALERT.
struct KeywordError: Error {
    enum Form {
        /// Printed as `parsing [FILE:LINE] : MESSAGE`.
        case parsing
        /// Printed as `parsing [FILE:LINE]: MESSAGE` (no space before the colon).
        case parsingTight
        /// Printed as `[FILE:LINE] : MESSAGE` (server lines).
        case bracketed
        /// Printed as is.
        case raw
    }
    var message: String
    var form: Form = .parsing
    /// Stops parsing the file (HAProxy's ERR_ABORT).
    var abort = false

    init(_ message: String, form: Form = .parsing, abort: Bool = false) {
        self.message = message
        self.form = form
        self.abort = abort
    }
}

/// One configuration keyword: its name, where it is allowed and its parser.
///
/// Mirrors HAProxy's `cfg_kw_list`: each keyword group declares its table
/// in its own file and `KeywordRegistry` gathers them.
struct ConfigKeyword {
    typealias Handler = (_ args: [String], _ context: inout ParseContext) throws -> Void

    let name: String
    let sections: SectionKinds
    /// The proxy capability the keyword acts on; without it HAProxy warns
    /// "'X' ignored because backend 'b' has no frontend capability."
    let capability: ProxyCapabilities?
    let handler: Handler

    init(_ name: String, _ sections: SectionKinds, capability: ProxyCapabilities? = nil, _ handler: @escaping Handler) {
        self.name = name
        self.sections = sections
        self.capability = capability
        self.handler = handler
    }
}

/// A `bind` option (HAProxy's `bind_kws`).
struct BindKeyword {
    typealias Handler = (_ args: [String], _ bind: inout BindConfig, _ context: inout ParseContext) throws -> Void
    let name: String
    /// Number of arguments following the option name.
    let argumentCount: Int
    let handler: Handler

    init(_ name: String, arguments: Int = 0, _ handler: @escaping Handler) {
        self.name = name
        self.argumentCount = arguments
        self.handler = handler
    }
}

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
