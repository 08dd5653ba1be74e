import HAProxyConfig
import HAProxyHTTP
import NIOCore

/// The `prometheus-exporter` service (`http-request use-service
/// prometheus-exporter`): the process, frontend, backend and server
/// counters in the Prometheus text format, with the metric names, labels,
/// help texts, types and order of HAProxy 2.6's exporter.
///
/// The values are those of `show info` and `show stat`: the same
/// `ShowInfo.fields` and `StatSnapshot`s, read under the same locks.
/// Every object is read once per scrape, before anything is written, so
/// one scrape shows one moment; the body grows in one buffer.
public enum PrometheusExporter {
    /// The response's `content-type`.
    public static let contentType = "text/plain; version=0.0.4"
    /// The response's `cache-control`.
    public static let cacheControl = "no-cache"

    /// The body for a request's query string (after `?`, without it), or
    /// nil when HAProxy 2.6 answers 400 Bad request (see `PrometheusQuery`).
    public static func render(
        runtime: ProxyRuntime, queryString: Substring, allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> ByteBuffer? {
        guard let query = PrometheusQuery(queryString: queryString) else { return nil }
        return render(runtime: runtime, query: query, allocator: allocator)
    }

    /// The service's answer: the metrics, or 2.6's 400 page for a query
    /// it refuses.
    @Sendable static func respond(_ call: HTTPServiceCall, _ runtime: ProxyRuntime) -> HTTPServiceResponse {
        guard let body = render(runtime: runtime, queryString: call.query) else {
            return HTTPServiceResponse(
                status: 400, headers: [("cache-control", "no-cache"), ("content-type", "text/html")],
                body: Array((HTTPErrorPages.body(for: 400) ?? ByteBuffer()).readableBytesView))
        }
        return HTTPServiceResponse(
            status: 200, headers: [("cache-control", cacheControl), ("content-type", contentType)],
            body: Array(body.readableBytesView))
    }

    /// The body for a parsed query. May run on any event loop: it takes
    /// each frontend's and backend's lock in turn, as `show stat` does.
    public static func render(
        runtime: ProxyRuntime, query: PrometheusQuery, allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> ByteBuffer {
        var writer = PrometheusTextWriter(buffer: allocator.buffer(capacity: 0))
        render(runtime: runtime, query: query, into: &writer)
        return writer.buffer
    }

    static func render(runtime: ProxyRuntime, query: PrometheusQuery, into writer: inout PrometheusTextWriter) {
        let scopes = query.scopes
        if scopes.contains(.global) {
            let fields = ShowInfo.fields(runtime, settings: runtime.cli.settings)
            writer.buffer.reserveCapacity(writer.buffer.writerIndex + 16 * 1024)
            writeProcess(fields, to: &writer)
        }
        guard !scopes.isDisjoint(with: [.frontend, .backend, .server]) else { return }
        let objects = Objects(runtime: runtime, scopes: scopes)
        // About 35 samples a frontend, 75 a backend, 56 a server, of some
        // 70 bytes: the buffer grows once instead of doubling its way up.
        let servers = scopes.contains(.server) ? objects.servers.count : 0
        let samples = objects.frontends.count * 35 + objects.backends.count * 75 + servers * 56
        writer.buffer.reserveCapacity(writer.buffer.writerIndex + samples * 72)
        if scopes.contains(.frontend) {
            for metric in frontendMetrics { metric.write(objects.frontends, section: "frontend", to: &writer) }
        }
        if scopes.contains(.backend) {
            for metric in backendMetrics { metric.write(objects.backends, section: "backend", to: &writer) }
        }
        if scopes.contains(.server) {
            let servers = query.noMaint ? objects.servers.filter { !$0.isMaintenance } : objects.servers
            for metric in serverMetrics { metric.write(servers, section: "server", to: &writer) }
        }
    }

    /// The snapshots a scrape prints, taken once, proxies in configuration
    /// order and servers in their backend's order.
    struct Objects {
        var frontends: [StatSnapshot] = []
        var backends: [PrometheusBackendSample] = []
        var servers: [PrometheusServerSample] = []

        init(runtime: ProxyRuntime, scopes: PrometheusQuery.Scopes) {
            let globalMaxconn = runtime.configuration.global.maxconn ?? ShowInfo.derivedMaxconn(runtime)
            let now = RateClock.now
            var frontendsByName: [String: Frontend] = [:]
            var feeders: [ObjectIdentifier: [Frontend]] = [:]
            for frontend in runtime.frontends {
                frontendsByName[frontend.name] = frontendsByName[frontend.name] ?? frontend
                if let backend = frontend.backend { feeders[ObjectIdentifier(backend), default: []].append(frontend) }
            }
            let wantsBackends = !scopes.isDisjoint(with: [.backend, .server])
            for proxy in runtime.configuration.proxies where !proxy.disabled {
                if scopes.contains(.frontend), proxy.capabilities.contains(.frontend),
                    let frontend = frontendsByName[proxy.name]
                {
                    frontends.append(StatSnapshot(frontend: frontend, iid: 0, globalMaxconn: globalMaxconn, now: now))
                }
                guard wantsBackends, proxy.capabilities.contains(.backend),
                    let backend = runtime.backendsByName[proxy.name]
                else { continue }
                let first = servers.endIndex
                // `add server` and `del server` change the list under the lock.
                for server in backend.lock.withLock({ backend.servers }) {
                    servers.append(PrometheusServerSample(StatSnapshot(server: server, backend: backend, iid: 0, now: now)))
                }
                if scopes.contains(.backend) {
                    let stats = StatSnapshot(
                        backend: backend, iid: 0, feeders: feeders[ObjectIdentifier(backend)] ?? [],
                        globalMaxconn: globalMaxconn, now: now)
                    backends.append(PrometheusBackendSample(stats, servers: servers[first...]))
                }
            }
        }
    }
}
