import Foundation
import HAProxyConfig
import NIOCore
import XCTest

@testable import HAProxyHTTP

/// The stream's request-side holds without sockets: `early-hint` (103
/// before the final response), `tarpit` (a timer, then the deny answer)
/// and the body awaited for the rules (`option http-buffer-request`,
/// `wait-for-body`).
final class HTTPStreamStateMachineRequestHoldTests: XCTestCase {
    typealias Action = HTTPStreamStateMachine.Action

    /// A machine for a frontend with `lines` and a backend `be`.
    private func machine(_ lines: String, backend: String = "") throws -> HTTPStreamStateMachine {
        let proxies = try loadProxies("""
            defaults
              mode http
              timeout client 10s
              timeout server 5s
              timeout connect 1s
            frontend fe
              bind 127.0.0.1:1
            \(lines)
              default_backend be
            backend be
            \(backend)
              server s 127.0.0.1:2

            """)
        let be = HTTPBackendPolicy(index: 0, config: proxies[1], errorPages: [:])
        let policy = HTTPFrontendPolicy(
            config: proxies[0], headLimits: HTTPHeadLimits(), errorPages: [:], defaultBackend: be,
            backendNamed: { $0 == "be" ? be : nil })
        var machine = HTTPStreamStateMachine(
            policy: policy, clientAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 40000),
            localAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 8080), allocator: ByteBufferAllocator())
        machine.start(acceptProxy: false)
        _ = take(&machine)
        return machine
    }

    private func written(_ actions: [Action]) -> String {
        actions.compactMap { if case .writeClient(let b) = $0 { return String(buffer: b) } else { return nil } }.joined()
    }

    private func asksServer(_ actions: [Action]) -> Bool {
        actions.contains { if case .acquireServer = $0 { return true } else { return false } }
    }

    private func contains(_ actions: [Action], _ wanted: (Action) -> Bool) -> Bool { actions.contains(where: wanted) }

    // MARK: early-hint

    func testConsecutiveUnconditionalHintsShareOne103() throws {
        var m = try machine("""
              http-request early-hint link "</a.css>" if { path / }
              http-request early-hint x-b 2
              http-request early-hint x-c 3 if { path / }
              http-request set-header x-after 1
              http-request early-hint x-d %[path]
            """)
        m.clientRead(ByteBuffer(string: "GET / HTTP/1.1\r\nhost: h\r\n\r\n"))
        let actions = take(&m)
        XCTAssertEqual(
            written(actions),
            "HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\nx-b: 2\r\n\r\n"
                + "HTTP/1.1 103 Early Hints\r\nx-c: 3\r\n\r\n"
                + "HTTP/1.1 103 Early Hints\r\nx-d: /\r\n\r\n")
        XCTAssertTrue(asksServer(actions))
        // Counted as 2.6 does: overhead, start line and fields of each.
        let expected: UInt64 = 59 + 47 + 47
        XCTAssertEqual(m.log.bytesFromServer, expected)
    }

    func testNoHintsForAnHTTP10Client() throws {
        var m = try machine("  http-request early-hint link x")
        m.clientRead(ByteBuffer(string: "GET / HTTP/1.0\r\n\r\n"))
        let actions = take(&m)
        XCTAssertEqual(written(actions), "")
        XCTAssertTrue(asksServer(actions))
    }

    // MARK: tarpit

    func testTarpitHoldsTheRequestThenAnswers500AndKeepsTheConnection() throws {
        var m = try machine("  timeout tarpit 300ms\n  http-request tarpit if { path_beg /t }")
        m.clientRead(ByteBuffer(string: "GET /t HTTP/1.1\r\nhost: h\r\n\r\n"))
        var actions = take(&m)
        XCTAssertEqual(m.state, .tarpitted)
        XCTAssertEqual(timers(actions), [300])
        XCTAssertEqual(written(actions), "")
        XCTAssertTrue(contains(actions) { if case .countDenied = $0 { return true } else { return false } })
        XCTAssertFalse(asksServer(actions))
        m.timeout()
        actions = take(&m)
        XCTAssertTrue(written(actions).hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
        XCTAssertFalse(written(actions).contains("connection: close"))
        let logged = actions.compactMap { if case .logTransaction(let r) = $0 { return r.log } else { return nil } }
        XCTAssertEqual(logged.map(\.status), [500])
        XCTAssertEqual(logged.map { "\($0.cause)\($0.phase)" }, ["PT"])
        XCTAssertEqual(m.state, .readingRequest)
    }

    func testTarpitDelayFallsBackToTheBackendsConnectTimeout() throws {
        var m = try machine("", backend: "  http-request tarpit deny_status 429")
        m.clientRead(ByteBuffer(string: "GET / HTTP/1.1\r\nhost: h\r\n\r\n"))
        XCTAssertEqual(timers(take(&m)), [1000])
        m.timeout()
        XCTAssertTrue(written(take(&m)).hasPrefix("HTTP/1.1 429 Too Many Requests\r\n"))
    }

    func testFrontendWithoutTarpitOrConnectTimeoutAnswersAtOnce() throws {
        // A frontend does not take `timeout connect` from its defaults.
        var m = try machine("  http-request tarpit")
        m.clientRead(ByteBuffer(string: "GET / HTTP/1.1\r\nhost: h\r\n\r\n"))
        XCTAssertTrue(written(take(&m)).hasPrefix("HTTP/1.1 500 "))
    }

    func testTarpitWithAnIncompleteBodyClosesAfterTheAnswer() throws {
        var m = try machine("  timeout tarpit 1s\n  http-request tarpit")
        m.clientRead(ByteBuffer(string: "POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 5\r\n\r\nhel"))
        _ = take(&m)
        m.timeout()
        let actions = take(&m)
        XCTAssertTrue(written(actions).contains("connection: close\r\n"))
        XCTAssertTrue(contains(actions) { if case .closeAfterFlush = $0 { return true } else { return false } })
    }

    // MARK: body wait

    func testBufferRequestWaitsForTheBodyBeforeTheRules() throws {
        var m = try machine("  option http-buffer-request\n  http-request set-header x-len %[req.body_len]")
        m.clientRead(ByteBuffer(string: "POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 10\r\n\r\nuser="))
        var actions = take(&m)
        XCTAssertEqual(m.state, .waitingBody)
        XCTAssertFalse(asksServer(actions))
        m.clientRead(ByteBuffer(string: "alice"))
        actions = take(&m)
        XCTAssertTrue(asksServer(actions))
        m.serverSlotAcquired()
        m.connectStarted()
        m.serverConnected(reused: false)
        let sent = take(&m).compactMap { if case .writeServer(let b) = $0 { return String(buffer: b) } else { return nil } }
        XCTAssertEqual(sent.joined(), "POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 10\r\nx-len: 10\r\n\r\nuser=alice")
    }

    func testBufferRequestAnswers100ContinueAndDropsExpect() throws {
        var m = try machine("  option http-buffer-request")
        m.clientRead(ByteBuffer(string: "POST / HTTP/1.1\r\nhost: h\r\nexpect: 100-continue\r\ncontent-length: 2\r\n\r\n"))
        XCTAssertEqual(written(take(&m)), "HTTP/1.1 100 Continue\r\n\r\n")
        m.clientRead(ByteBuffer(string: "hi"))
        XCTAssertTrue(asksServer(take(&m)))
        m.serverSlotAcquired()
        m.connectStarted()
        m.serverConnected(reused: false)
        let sent = take(&m).compactMap { if case .writeServer(let b) = $0 { return String(buffer: b) } else { return nil } }
        XCTAssertEqual(sent.joined(), "POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 2\r\n\r\nhi")
    }

    func testWaitForBodyGoesOnWithAtLeastBytesAndResumesAfterItsRule() throws {
        var m = try machine("""
              http-request set-header x-before 1
              http-request wait-for-body time 500ms at-least 4
              http-request set-header x-body %[req.body]
            """)
        m.clientRead(ByteBuffer(string: "POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 10\r\n\r\nab"))
        XCTAssertEqual(timers(take(&m)), [500])
        XCTAssertEqual(m.state, .waitingBody)
        m.clientRead(ByteBuffer(string: "cd"))
        XCTAssertTrue(asksServer(take(&m)))
        m.serverSlotAcquired()
        m.connectStarted()
        m.serverConnected(reused: false)
        let sent = take(&m).compactMap { if case .writeServer(let b) = $0 { return String(buffer: b) } else { return nil } }
        XCTAssertEqual(
            sent.joined(), "POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 10\r\nx-before: 1\r\nx-body: abcd\r\n\r\nabcd")
    }

    func testBodyWaitTimeoutAnswers408() throws {
        var m = try machine("  http-request wait-for-body time 500ms")
        m.clientRead(ByteBuffer(string: "POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 10\r\n\r\nab"))
        _ = take(&m)
        m.timeout()
        XCTAssertTrue(written(take(&m)).hasPrefix("HTTP/1.1 408 Request Time-out\r\n"))
        m.flushedForClose()
        let logged = take(&m).compactMap { if case .logTransaction(let r) = $0 { return r.log } else { return nil } }
        XCTAssertEqual(logged.map { "\($0.cause)\($0.phase)" }, ["cR"])
    }

    func testBodyViewStopsAtTheBufferLimit() {
        var parser = HTTPHeadParser.request()
        let head = "POST /n HTTP/1.1\r\nhost: x\r\ncontent-length: 20000\r\n\r\n"
        guard case .complete(let parsed) = parser.parse(ByteBuffer(string: head)) else { return XCTFail() }
        // Recorded with 2.6.12's default buffers.
        XCTAssertEqual(HTTPRequestBody.limit(for: parsed, HTTPHeadLimits()), 15213)
        let body = HTTPRequestBody(
            bytes: ByteBuffer(string: String(repeating: "a", count: 20000)), framing: parsed.bodyFraming, limit: 15213)
        XCTAssertEqual(body.status.available, 15213)
        XCTAssertTrue(body.status.isFull)
        XCTAssertEqual(body.withPayload { $0.count }, 15213)
    }

    func testChunkedBodyIsDecodedForTheRules() {
        let body = HTTPRequestBody(bytes: ByteBuffer(string: "5\r\nuser=\r\n5\r\nalice\r\n0\r\n\r\nGET"), framing: .chunked, limit: 100)
        XCTAssertEqual(body.withPayload { String(decoding: $0, as: UTF8.self) }, "user=alice")
        XCTAssertTrue(body.status.isComplete)
    }
}
