import Dispatch
import HAProxyHTTP
import HAProxyRules
import NIOConcurrencyHelpers

/// The services a stream can hand a request to (HAProxy's applets): the
/// statistics page, and those `http-request use-service <name>` names.
///
/// A service is a function from the request and the runtime to a
/// response, run on `renderQueue` (an admin POST: on the stream's event
/// loop). Registering one makes its
/// name valid in the configuration; register before the configuration is
/// read, in `registerBuiltIns`:
///
///     HTTPServices.register("prometheus-exporter", logName: "<PROMEX>") { call, runtime in ... }
///
/// `call.query` is the query string (`scope=...&no-maint`), `call.body`
/// the request body when it was awaited.
public enum HTTPServices {
    public typealias Handler = @Sendable (HTTPServiceCall, ProxyRuntime) -> HTTPServiceResponse

    /// Where streams have their services' answers built, one at a time,
    /// off the event loops (they read the runtime under its locks, as
    /// the CLI does).
    static let renderQueue = DispatchQueue(label: "haproxy.services")

    private static let handlers = NIOLockedValueBox<[String: (logName: String, handler: Handler)]>([:])

    /// Makes `name` a service of `http-request use-service`; its answers
    /// are logged with `logName` as the server.
    public static func register(_ name: String, logName: String, _ handler: @escaping Handler) {
        handlers.withLockedValue { $0[name] = (logName, handler) }
        HTTPServiceCatalog.shared.register(name)
    }

    /// The services this build ships; called once before the
    /// configuration is read. One `register` line per service.
    public static func registerBuiltIns() {
        register("prometheus-exporter", logName: "<PROMEX>", PrometheusExporter.respond)
    }

    /// The names registered, in order (`-vv`).
    public static var names: [String] { HTTPServiceCatalog.shared.registered }

    /// The response of the service `call` is for.
    static func respond(_ call: HTTPServiceCall, runtime: ProxyRuntime?) -> HTTPServiceResponse {
        guard let runtime else { return HTTPServiceResponse(status: 503) }
        switch call.service {
        case .statsPage(let page, let admin):
            var response = StatsPageService.respond(call, page: page, admin: admin, runtime: runtime)
            response.logName = "<STATS>"
            return response
        case .named(let name):
            guard let service = handlers.withLockedValue({ $0[name] }) else { return HTTPServiceResponse(status: 503) }
            var response = service.handler(call, runtime)
            response.logName = service.logName
            return response
        }
    }
}
