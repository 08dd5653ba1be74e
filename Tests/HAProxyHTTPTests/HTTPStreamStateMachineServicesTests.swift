import HAProxyConfig
import HAProxyRules
import NIOCore
import XCTest

@testable import HAProxyHTTP

/// The statistics page and `use-service` in the stream: which requests go
/// to the service, what guards it, and how its answer is sent.
final class HTTPStreamStateMachineServicesTests: XCTestCase {
    typealias Action = HTTPStreamStateMachine.Action

    private func machine(_ page: StatsPageConfig) -> HTTPStreamStateMachine {
        var backend = ProxyConfig(name: "be", capabilities: .backend, location: SourceLocation(file: "t.cfg", line: 1))
        backend.mode = .http
        let backendPolicy = HTTPBackendPolicy(index: 0, config: backend, errorPages: [:])
        var frontend = ProxyConfig(name: "fe", capabilities: .frontend, location: SourceLocation(file: "t.cfg", line: 2))
        frontend.mode = .http
        frontend.timeouts.client = 10000
        frontend.statsPage = page
        let policy = HTTPFrontendPolicy(
            config: frontend, headLimits: HTTPHeadLimits(), errorPages: [:], defaultBackend: backendPolicy,
            backendNamed: { _ in nil })
        var machine = HTTPStreamStateMachine(
            policy: policy, clientAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 40000),
            localAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 8080), allocator: ByteBufferAllocator())
        machine.start(acceptProxy: false)
        machine.clearActions()
        return machine
    }

    private func serviceCall(_ actions: [Action]) -> HTTPServiceCall? {
        for case .runService(let call) in actions { return call }
        return nil
    }

    private func written(_ actions: [Action]) -> String {
        actions.compactMap { action -> String? in
            if case .writeClient(let b) = action { return String(buffer: b) }
            return nil
        }.joined()
    }

    func testStatsURIPrefixGoesToThePageOthersToTheServer() throws {
        var page = StatsPageConfig()
        page.uri = "/stats"
        var m = machine(page)
        m.clientRead(ByteBuffer(string: "GET /stats;csv HTTP/1.1\r\nhost: a\r\n\r\n"))
        let call = try XCTUnwrap(serviceCall(take(&m)))
        XCTAssertEqual(call.target, "/stats;csv")
        guard case .statsPage(_, let admin) = call.service else { return XCTFail("stats page expected") }
        XCTAssertFalse(admin)
        m.serviceAnswered(HTTPServiceResponse(status: 200, headers: [("content-type", "text/plain")], body: Array("x".utf8)))
        XCTAssertEqual(written(take(&m)), "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1\r\n\r\nx")
        XCTAssertEqual(m.state, .readingRequest, "the connection stays open")

        m.clientRead(ByteBuffer(string: "GET /other HTTP/1.1\r\nhost: a\r\n\r\n"))
        let actions = take(&m)
        XCTAssertNil(serviceCall(actions))
        XCTAssertTrue(actions.contains { if case .acquireServer = $0 { return true } else { return false } })
    }

    func testAccountsAreChallengedWithTheRealm() throws {
        var page = StatsPageConfig()
        page.uri = "/"
        page.realm = "Stats Realm"
        page.accounts = [.init(user: "admin", password: "pw")]
        var m = machine(page)
        m.clientRead(ByteBuffer(string: "GET / HTTP/1.1\r\nhost: a\r\n\r\n"))
        let denied = take(&m)
        XCTAssertNil(serviceCall(denied))
        XCTAssertTrue(written(denied).hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        XCTAssertTrue(written(denied).contains("www-authenticate: Basic realm=\"Stats Realm\"\r\n"))
        // admin:pw
        m.clientRead(ByteBuffer(string: "GET / HTTP/1.1\r\nhost: a\r\nauthorization: Basic YWRtaW46cHc=\r\n\r\n"))
        XCTAssertNotNil(serviceCall(take(&m)))
    }

    func testAdminPostWaitsForItsBody() throws {
        var page = StatsPageConfig()
        page.uri = "/"
        page.adminCondition = try Condition.parse(["if", "TRUE"], acls: ACLTable())
        var m = machine(page)
        m.clientRead(ByteBuffer(string: "POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 9\r\n\r\nb=#2&s="))
        XCTAssertNil(serviceCall(take(&m)))
        XCTAssertEqual(m.state, .waitingBody)
        m.clientRead(ByteBuffer(string: "s1"))
        let call = try XCTUnwrap(serviceCall(take(&m)))
        XCTAssertEqual(String(decoding: call.body, as: UTF8.self), "b=#2&s=s1")
        guard case .statsPage(_, let admin) = call.service else { return XCTFail("stats page expected") }
        XCTAssertTrue(admin)
    }
}

extension HTTPStreamStateMachineServicesTests {
    func testUseServiceHandsTheRequestToTheNamedService() throws {
        var backend = ProxyConfig(name: "be", capabilities: .backend, location: SourceLocation(file: "t.cfg", line: 1))
        backend.mode = .http
        var frontend = ProxyConfig(name: "fe", capabilities: .frontend, location: SourceLocation(file: "t.cfg", line: 2))
        frontend.mode = .http
        frontend.timeouts.client = 10000
        frontend.httpRequestRules = [HTTPRule(
            action: .useService("metrics"), condition: try Condition.parse(["if", "{", "path", "/metrics", "}"], acls: ACLTable()),
            location: "t.cfg:3")]
        let policy = HTTPFrontendPolicy(
            config: frontend, headLimits: HTTPHeadLimits(), errorPages: [:],
            defaultBackend: HTTPBackendPolicy(index: 0, config: backend, errorPages: [:]), backendNamed: { _ in nil })
        var m = HTTPStreamStateMachine(policy: policy, clientAddress: nil, localAddress: nil, allocator: ByteBufferAllocator())
        m.start(acceptProxy: false)
        m.clientRead(ByteBuffer(string: "GET /metrics?scope=be HTTP/1.1\r\nhost: a\r\n\r\n"))
        var actions: [Action] = []
        m.takeActions(into: &actions)
        var found: HTTPServiceCall?
        for case .runService(let call) in actions { found = call }
        let call = try XCTUnwrap(found)
        guard case .named(let name) = call.service else { return XCTFail("named service expected") }
        XCTAssertEqual(name, "metrics")
        XCTAssertEqual(call.query, "scope=be")
        m.clearActions()
        m.serviceAnswered(HTTPServiceResponse(status: 200, body: Array("ok".utf8)))
        m.takeActions(into: &actions)
        XCTAssertTrue(actions.contains { action in
            if case .writeClient(let b) = action { return String(buffer: b) == "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok" }
            return false
        })
    }
}
