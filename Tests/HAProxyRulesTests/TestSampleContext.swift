import HAProxyRules
import HAProxyTables

/// An HTTP message over plain values.
struct TestMessage: HTTPMessageReader {
    var method: [UInt8] = Array("GET".utf8)
    var uri: [UInt8] = Array("/".utf8)
    var version: (major: Int, minor: Int) = (1, 1)
    var status: Int = 0
    var headers: [(String, String)] = []
    var body: [UInt8]? = nil

    func withMethod<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { method.withUnsafeBytes(body) }
    func withURI<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { uri.withUnsafeBytes(body) }
    func forEachHeader(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) {
        for (name, value) in headers {
            let keepGoing = Array(name.utf8).withUnsafeBytes { n in Array(value.utf8).withUnsafeBytes { v in body(n, v) } }
            if !keepGoing { return }
        }
    }
    func withBody<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? { self.body?.withUnsafeBytes(body) }
}

/// A sample context over plain values, with a variable store.
final class TestSampleContext: SampleContext {
    var source: SocketEndpoint? = SocketEndpoint(address: .v4(IPv4Address(0x0a00_0001)), port: 40000)
    var destination: SocketEndpoint? = SocketEndpoint(address: .v4(IPv4Address(0x7f00_0001)), port: 8080)
    var bindName: String? = "web"
    var frontendName: String = "fe"
    var backendName: String? = nil
    var serverName: String? = nil
    var frontendConnections: Int = 3
    var request: (any HTTPMessageReader)? = TestMessage()
    var response: (any HTTPMessageReader)? = nil
    var payload: [UInt8]? = nil
    var backends: [String: BackendState] = [:]
    var servers: [String: Bool] = [:]
    var variables = Variables()
    var uniqueID: [UInt8]? = nil
    var capturedRequest: [[UInt8]] = []
    var capturedResponse: [[UInt8]] = []
    var currentTime = SampleTime(seconds: 1_700_000_000, microseconds: 250_000)
    var isFirstRequest: Bool? = true
    /// Set to inspect contents that may still grow.
    var pendingContent: PendingContent? = nil
    var userlists: [String: Userlist] = [:]
    var usesProxyAuthentication = false
    /// The stream's tracked stick table entries.
    var stickCounters: StickCounters? = nil
    var frontHTTPMajorVersion: Int? = 1
    var listener: ListenerView? = nil
    var frontendRateTable: [String: FrontendRates] = [:]
    var clientConnection: (any ClientConnectionView)? = nil
    var threadIndex = 0
    var isStopping = false
    var lastFinalRule: String? = nil
    func noteFinalRule(_ location: String) { lastFinalRule = location }

    init() {}

    init(request: TestMessage) { self.request = request }

    func withRequestPayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? { payload?.withUnsafeBytes(body) }
    func backendState(named name: String?) -> BackendState? { backends[name ?? backendName ?? ""] }
    func serverIsUp(backend: String, server: String) -> Bool? { servers["\(backend)/\(server)"] }
    func variable(_ name: VariableName) -> Sample? { variables.get(name) }
    func frontendRates(named name: String?) -> FrontendRates? { frontendRateTable[name ?? frontendName] }
    func setVariable(_ name: VariableName, to value: Sample?) {
        if let value = value { variables.set(name, value) } else { variables.unset(name) }
    }
    func userlist(named name: String) -> Userlist? { userlists[name] }
    func capturedRequestHeader(_ index: Int) -> [UInt8]? { index < capturedRequest.count ? capturedRequest[index] : nil }
    func capturedResponseHeader(_ index: Int) -> [UInt8]? { index < capturedResponse.count ? capturedResponse[index] : nil }
}

extension Sample {
    /// A string sample from text.
    static func text(_ s: String) -> Sample { .string(Array(s.utf8)) }
}

/// Parses and evaluates `text` in `context`.
func evaluate(_ text: String, _ context: TestSampleContext = TestSampleContext()) throws -> Sample? {
    try SampleExpression.parse(text).evaluate(context)
}

/// The parse error's message for `text`, nil when it parses.
func parseError(_ text: String) -> String? {
    do {
        _ = try SampleExpression.parse(text)
        return nil
    } catch {
        return (error as? SampleParseError)?.message
    }
}

/// A client socket over plain values (`fc_*` fetches).
final class TestClientConnection: ClientConnectionView {
    var socketSource: SocketEndpoint?
    var socketDestination: SocketEndpoint?
    var roundTripTimes: (rtt: Int, variation: Int)?

    /// What `set-mark` and `set-tos` set, in order.
    var options: [ClientSocketOption] = []

    init(source: SocketEndpoint?, destination: SocketEndpoint?, roundTripTimes: (rtt: Int, variation: Int)?) {
        socketSource = source
        socketDestination = destination
        self.roundTripTimes = roundTripTimes
    }

    func setOption(_ option: ClientSocketOption) { options.append(option) }
}
