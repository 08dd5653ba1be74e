import HAProxyConfig
import HAProxyRules
import NIOCore
import XCTest

@testable import HAProxyHTTP

/// The HTTP stream's decisions without any socket: which actions each
/// event brings (writes, server slots, reuse, timers, logs, closes).
final class HTTPStreamStateMachineTests: XCTestCase {
    typealias Action = HTTPStreamStateMachine.Action

    private func makePolicies(
        reuse: HTTPReuse = .safe, timeouts: (inout Timeouts) -> Void = { _ in },
        ignoreProbes: Bool = false, retryOn: RetryOn = .connFailure, requestRules: [HTTPRule] = []
    ) -> HTTPFrontendPolicy {
        var backend = ProxyConfig(name: "be", capabilities: .backend, location: SourceLocation(file: "t.cfg", line: 1))
        backend.mode = .http
        backend.httpReuse = reuse
        backend.retryOn = retryOn
        backend.timeouts.server = 5000
        backend.timeouts.connect = 1000
        backend.timeouts.queue = 2000
        timeouts(&backend.timeouts)
        let backendPolicy = HTTPBackendPolicy(index: 0, config: backend, errorPages: [:])
        var frontend = ProxyConfig(name: "fe", capabilities: .frontend, location: SourceLocation(file: "t.cfg", line: 2))
        frontend.mode = .http
        frontend.timeouts.client = 10000
        frontend.timeouts.httpKeepAlive = 3000
        frontend.options.httpIgnoreProbes = ignoreProbes
        frontend.httpRequestRules = requestRules
        return HTTPFrontendPolicy(
            config: frontend, headLimits: HTTPHeadLimits(), errorPages: [:], defaultBackend: backendPolicy,
            backendNamed: { _ in nil })
    }

    private func makeMachine(
        reuse: HTTPReuse = .safe, ignoreProbes: Bool = false, retryOn: RetryOn = .connFailure
    ) -> HTTPStreamStateMachine {
        var machine = HTTPStreamStateMachine(
            policy: makePolicies(reuse: reuse, ignoreProbes: ignoreProbes, retryOn: retryOn), clientAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 40000),
            localAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 8080), allocator: ByteBufferAllocator())
        machine.start(acceptProxy: false)
        _ = take(&machine)
        return machine
    }

    private func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    /// A compact spelling of actions for assertions.
    private func describe(_ actions: [Action]) -> [String] {
        actions.map { action in
            switch action {
            case .writeClient(let b): return "writeClient(\(String(buffer: b)))"
            case .flushClient: return "flushClient"
            case .writeServer(let b): return "writeServer(\(String(buffer: b)))"
            case .flushServer: return "flushServer"
            case .shutdownServerOutput: return "shutdownServerOutput"
            case .readClient(let on): return "readClient(\(on))"
            case .readServer(let on): return "readServer(\(on))"
            case .armTimer(let ms): return "armTimer(\(ms.map(String.init) ?? "nil"))"
            case .countRequest: return "countRequest"
            case .countRequestError: return "countRequestError"
            case .countIntercepted: return "countIntercepted"
            case .countDenied: return "countDenied"
            case .countDeniedResponse: return "countDeniedResponse"
            case .acquireServer(let b): return "acquireServer(\(b.index))"
            case .useServerConnection(let pool): return "useServerConnection(pool: \(pool))"
            case .reconnect: return "reconnect"
            case .retryRequest: return "retryRequest"
            case .releaseServer(let keep): return "releaseServer(keep: \(keep))"
            case .abandonQueue: return "abandonQueue"
            case .countResponseError: return "countResponseError"
            case .countCompression(let bytesIn, let bytesOut): return "countCompression(\(bytesIn), \(bytesOut))"
            case .countAbort(let byClient): return "countAbort(\(byClient ? "client" : "server"))"
            case .logTransaction(let r): return "logTransaction(\(r.serverStatus))"
            case .closeAfterFlush: return "closeAfterFlush"
            case .close: return "close"
            case .dropClient: return "dropClient"
            case .runService(let call): return "runService(\(call.target))"
            }
        }
    }

    private let get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"

    /// `http-request reject` and `silent-drop`: a denied request, no
    /// answer, no server; the drop makes the client connection vanish
    /// before the stream closes.
    func testRejectAndSilentDropCloseWithoutAnswering() {
        for (action, dropped) in [(HTTPAction.reject, false), (.silentDrop, true)] {
            var machine = HTTPStreamStateMachine(
                policy: makePolicies(requestRules: [HTTPRule(action: action, condition: nil, location: "t.cfg:3")]),
                clientAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 40000),
                localAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 8080), allocator: ByteBufferAllocator())
            machine.start(acceptProxy: false)
            _ = take(&machine)
            machine.clientRead(bytes(get))
            let actions = describe(take(&machine))
            XCTAssertFalse(actions.contains { $0.hasPrefix("writeClient") || $0.hasPrefix("acquireServer") }, "\(actions)")
            XCTAssertEqual(actions.filter { ["countDenied", "dropClient", "close"].contains($0) },
                           dropped ? ["countDenied", "dropClient", "close"] : ["countDenied", "close"])
            XCTAssertEqual(machine.log.status, -1)
            XCTAssertEqual([machine.log.cause, machine.log.phase], ["P", "R"])
            XCTAssertNil(machine.log.requestReady)
        }
    }
    private let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"

    /// Runs one request to the point where the server connection is open.
    private func connect(_ machine: inout HTTPStreamStateMachine, request: String, reused: Bool = false) -> [String] {
        machine.clientRead(bytes(request))
        var all = describe(take(&machine))
        machine.serverSlotAcquired()
        all += describe(take(&machine))
        if !reused {
            machine.connectStarted()
            all += describe(take(&machine))
        }
        machine.serverConnected(reused: reused)
        all += describe(take(&machine))
        return all
    }

    func testKeepAliveTransactionReleasesTheConnectionForReuse() {
        var machine = makeMachine()
        XCTAssertEqual(connect(&machine, request: get), [
            "countRequest", "acquireServer(0)", "useServerConnection(pool: false)", "armTimer(nil)",
            "writeServer(GET / HTTP/1.1\r\nhost: a\r\n\r\n)", "flushServer", "armTimer(5000)",
        ])
        machine.serverRead(bytes(ok))
        XCTAssertEqual(describe(take(&machine)), [
            "writeClient(HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi)", "flushClient",
            "releaseServer(keep: true)", "logTransaction(200)", "armTimer(3000)",
        ])
        XCTAssertEqual(machine.state, .readingRequest)
    }

    func testSafeReuseTakesIdleConnectionsFromTheSecondRequestOn() {
        var machine = makeMachine()
        _ = connect(&machine, request: get)
        machine.serverRead(bytes(ok))
        _ = take(&machine)
        machine.clientRead(bytes(get))
        machine.serverSlotAcquired()
        XCTAssertEqual(describe(take(&machine)).last, "useServerConnection(pool: true)")
    }

    func testNeverReuseNeverAsksThePool() {
        var machine = makeMachine(reuse: .never)
        _ = connect(&machine, request: get)
        machine.serverRead(bytes(ok))
        _ = take(&machine)
        machine.clientRead(bytes(get))
        machine.serverSlotAcquired()
        XCTAssertEqual(describe(take(&machine)).last, "useServerConnection(pool: false)")
    }

    func testAlwaysReuseAsksThePoolForTheFirstRequest() {
        var machine = makeMachine(reuse: .always)
        machine.clientRead(bytes(get))
        machine.serverSlotAcquired()
        XCTAssertEqual(describe(take(&machine)).last, "useServerConnection(pool: true)")
    }

    func testClientCloseEndsTheStreamAfterTheResponse() {
        var machine = makeMachine()
        _ = connect(&machine, request: "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        machine.serverRead(bytes(ok))
        let actions = describe(take(&machine))
        XCTAssertEqual(Array(actions.suffix(3)), ["releaseServer(keep: true)", "logTransaction(200)", "closeAfterFlush"])
        XCTAssertTrue(actions[0].contains("connection: close"), actions[0])
        XCTAssertEqual(machine.state, .closing)
        machine.flushedForClose()
        XCTAssertEqual(describe(take(&machine)), ["armTimer(nil)", "close"])
    }

    func testQueueTimeoutAnswers503AndLeavesTheQueue() {
        var machine = makeMachine()
        machine.clientRead(bytes(get))
        _ = take(&machine)
        machine.timeout()
        let actions = describe(take(&machine))
        XCTAssertEqual(Array(actions.prefix(2)), ["abandonQueue", "logTransaction(0)"])
        XCTAssertTrue(actions[2].hasPrefix("writeClient(HTTP/1.1 503"), actions[2])
        XCTAssertEqual(actions.last, "closeAfterFlush")
        XCTAssertEqual(machine.log.status, 503)
        XCTAssertEqual("\(machine.log.cause)\(machine.log.phase)", "sQ")
    }

    func testConnectTimeoutReleasesTheSlot() {
        var machine = makeMachine()
        machine.clientRead(bytes(get))
        machine.serverSlotAcquired()
        machine.connectStarted()
        _ = take(&machine)
        machine.timeout()
        XCTAssertEqual(describe(take(&machine)).first, "releaseServer(keep: false)")
        XCTAssertEqual("\(machine.log.cause)\(machine.log.phase)", "sC")
    }

    func testReusedConnectionClosedBeforeAnsweringIsRetriedOnANewOne() {
        var machine = makeMachine(reuse: .always)
        _ = connect(&machine, request: get, reused: true)
        machine.serverConnectionClosed()
        XCTAssertEqual(describe(take(&machine)), ["reconnect"])
        machine.connectStarted()
        machine.serverConnected(reused: false)
        let actions = describe(take(&machine))
        XCTAssertTrue(actions.contains("writeServer(GET / HTTP/1.1\r\nhost: a\r\n\r\n)"), "\(actions)")
    }

    /// `retry-on 503`: the 503 goes nowhere, the request (body included)
    /// is made ready to go again and a retry is taken; with none left, the
    /// server's 503 goes to the client.
    func testRetryOnStatusSendsTheRequestAgainWithItsBody() {
        var machine = makeMachine(retryOn: RetryOn.status(503)!)
        machine.retriesLeft = 1
        let post = "POST /p HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\n\r\nhello"
        _ = connect(&machine, request: post)
        let failed = "HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n"
        machine.serverRead(bytes(failed))
        XCTAssertEqual(describe(take(&machine)), ["retryRequest"])
        XCTAssertEqual(machine.retriesLeft, 0)
        XCTAssertEqual(machine.log.retries, 1)
        machine.connectStarted()
        machine.serverConnected(reused: false)
        let resent = describe(take(&machine)).filter { $0.hasPrefix("writeServer") }.joined()
        XCTAssertTrue(resent.contains("POST /p HTTP/1.1"), resent)
        XCTAssertTrue(resent.hasSuffix("hello)"), resent)
        machine.serverRead(bytes(failed))
        let actions = describe(take(&machine))
        XCTAssertFalse(actions.contains("retryRequest"), "\(actions)")
        XCTAssertTrue(actions.contains { $0.hasPrefix("writeClient(HTTP/1.1 503 Busy") }, "\(actions)")
    }

    /// Without `retry-on`, a 503 and a close are answered at once.
    func testDefaultRetryOnSendsNoRequestAgain() {
        var machine = makeMachine()
        machine.retriesLeft = 3
        _ = connect(&machine, request: get)
        machine.serverConnectionClosed()
        XCTAssertFalse(describe(take(&machine)).contains("retryRequest"))
        XCTAssertEqual(machine.log.status, 502)
    }

    func testNewConnectionClosedBeforeAnsweringIs502() {
        var machine = makeMachine()
        _ = connect(&machine, request: get)
        machine.serverConnectionClosed()
        let actions = describe(take(&machine))
        XCTAssertEqual(Array(actions.prefix(2)), ["countResponseError", "releaseServer(keep: false)"])
        XCTAssertEqual(machine.log.status, 502)
        XCTAssertEqual("\(machine.log.cause)\(machine.log.phase)", "SH")
    }

    func testInvalidResponseIs502FromTheProxy() {
        var machine = makeMachine()
        _ = connect(&machine, request: get)
        machine.serverRead(bytes("HTTP/1.1 abc Bad\r\n\r\n"))
        XCTAssertEqual(describe(take(&machine)).first, "countResponseError")
        XCTAssertEqual("\(machine.log.cause)\(machine.log.phase)", "PH")
    }

    /// As recorded from 2.6.12: the proxy's 502 and 504 pages carry the
    /// connection header the request called for, and the connection
    /// closes after them either way.
    func testErrorPageConnectionHeaderFollowsTheRequest() {
        let cases: [(request: String, header: String?)] = [
            (get, nil),
            ("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "close"),
            ("GET / HTTP/1.0\r\nHost: a\r\n\r\n", "close"),
            ("GET / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", "keep-alive"),
        ]
        for (request, header) in cases {
            var machine = makeMachine()
            _ = connect(&machine, request: request)
            machine.serverRead(bytes("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n"))
            let actions = describe(take(&machine))
            guard let page = actions.first(where: { $0.hasPrefix("writeClient(HTTP/1.1 502") }) else {
                XCTFail("no 502 for \(request.debugDescription): \(actions)")
                continue
            }
            let head = page.components(separatedBy: "\r\n\r\n")[0].lowercased()
            XCTAssertEqual(head.contains("\r\nconnection: "), header != nil, head)
            if let header { XCTAssertTrue(head.contains("\r\nconnection: \(header)"), head) }
            XCTAssertTrue(actions.contains("closeAfterFlush"), "\(actions)")
        }
    }

    func testPipelinedRequestWaitsForTheFirstResponse() {
        var machine = makeMachine()
        machine.clientRead(bytes(get + get))
        XCTAssertEqual(describe(take(&machine)), ["countRequest", "acquireServer(0)"])
        machine.serverSlotAcquired()
        machine.connectStarted()
        machine.serverConnected(reused: false)
        XCTAssertTrue(describe(take(&machine)).contains("readClient(false)"))
        machine.serverRead(bytes(ok))
        let actions = describe(take(&machine))
        // The second request starts at once from the buffered bytes.
        XCTAssertEqual(Array(actions.suffix(3)), ["armTimer(3000)", "countRequest", "acquireServer(0)"])
    }

    func testServerBackPressurePausesTheClient() {
        var machine = makeMachine()
        _ = connect(&machine, request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n")
        machine.serverWritabilityChanged(false)
        XCTAssertEqual(describe(take(&machine)), ["readClient(false)"])
        machine.serverWritabilityChanged(true)
        XCTAssertEqual(describe(take(&machine)), ["readClient(true)"])
    }

    func testMalformedRequestGetsTheEarly400() {
        var machine = makeMachine()
        machine.clientRead(bytes("GET / HTTP/1.1\r\nHost a\r\n\r\n"))
        let actions = describe(take(&machine))
        XCTAssertEqual(actions.first, "countRequestError")
        XCTAssertTrue(actions[1].hasPrefix("writeClient(HTTP/1.1 400"), actions[1])
        XCTAssertEqual(actions.last, "closeAfterFlush")
    }

    /// A connection that ends before its first request is a request error
    /// (400 on close, 408 on timeout, `<BADREQ>` logged) as in 2.6, unless
    /// `option http-ignore-probes`; between keep-alive requests it just closes.
    func testEmptyConnectionIsARequestErrorUnlessProbesAreIgnored() {
        var closed = makeMachine()
        closed.clientInputClosed()
        var actions = describe(take(&closed))
        XCTAssertEqual(actions.first, "countRequestError")
        XCTAssertTrue(actions.contains { $0.hasPrefix("writeClient(HTTP/1.1 400") }, "\(actions)")

        var timedOut = makeMachine()
        timedOut.timeout()
        actions = describe(take(&timedOut))
        XCTAssertEqual(actions.first, "countRequestError")
        XCTAssertTrue(actions.contains { $0.hasPrefix("writeClient(HTTP/1.1 408") }, "\(actions)")

        var partial = makeMachine(ignoreProbes: true)
        partial.clientRead(bytes("GET / HT"))
        _ = take(&partial)
        partial.clientInputClosed()
        actions = describe(take(&partial))
        XCTAssertEqual(actions.first, "countRequestError", "a partial request is not a probe")

        for event in ["close", "timeout"] {
            var probe = makeMachine(ignoreProbes: true)
            if event == "close" { probe.clientInputClosed() } else { probe.timeout() }
            actions = describe(take(&probe))
            XCTAssertFalse(actions.contains { $0.hasPrefix("count") || $0.hasPrefix("writeClient") }, "\(event): \(actions)")
        }
    }

    func testUpgradeSwitchesToATunnel() {
        var machine = makeMachine()
        _ = connect(&machine, request: "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n")
        machine.serverRead(bytes("HTTP/1.1 101 Switching\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n"))
        _ = take(&machine)
        XCTAssertEqual(machine.state, .tunnel)
        machine.clientRead(bytes("raw"))
        XCTAssertEqual(describe(take(&machine)).first, "writeServer(raw)")
        machine.clientInputClosed()
        XCTAssertEqual(describe(take(&machine)), ["shutdownServerOutput"])
    }
}

extension HTTPStreamStateMachineTests {
    /// Actions are moved through an array on every event: keep them a few
    /// words long (large payloads go by reference).
    func testActionsStaySmall() {
        XCTAssertLessThanOrEqual(MemoryLayout<HTTPStreamStateMachine.Action>.size, 32)
    }
}
