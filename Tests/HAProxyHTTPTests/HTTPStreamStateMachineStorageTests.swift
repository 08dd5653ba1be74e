import Foundation
import HAProxyConfig
import NIOCore
import XCTest

@testable import HAProxyHTTP

/// The storage a stream that ended leaves to the next one on its loop
/// (`HTTPStreamStateMachine.Storage`): emptied arrays and buffers only,
/// so that the next client's stream starts as clean as a new one.
final class HTTPStreamStateMachineStorageTests: XCTestCase {
    typealias Action = HTTPStreamStateMachine.Action

    /// Rules that leave something of the first client behind if anything
    /// carried over: a capture, a session variable, a `set-timeout`, an
    /// added header, all only for requests with `X-Id`.
    private func policy() throws -> HTTPFrontendPolicy {
        let proxies = try loadProxies("""
            defaults
              mode http
              timeout client 10s
              timeout server 5s
              timeout connect 1s
            listen fe
              bind 127.0.0.1:1
              capture request header X-Id len 20
              http-request set-var(sess.who) req.hdr(x-id) if { req.hdr(x-id) -m found }
              http-request set-timeout server 1s if { req.hdr(x-id) -m found }
              http-request set-header X-Who %[var(sess.who)] if { var(sess.who) -m found }
              server s 127.0.0.1:2

            """)
        // A `listen` section: `set-timeout` needs the backend side.
        let own = HTTPBackendPolicy(index: 0, config: proxies[0], errorPages: [:])
        return HTTPFrontendPolicy(
            config: proxies[0], headLimits: HTTPHeadLimits(), errorPages: [:], defaultBackend: own,
            backendNamed: { $0 == "fe" ? own : nil })
    }

    private func machine(_ policy: HTTPFrontendPolicy, storage: HTTPStreamStateMachine.Storage?) -> HTTPStreamStateMachine {
        HTTPStreamStateMachine(
            policy: policy, clientAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 40000),
            localAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 8080), allocator: ByteBufferAllocator(),
            storage: storage)
    }

    private func written(toServer actions: [Action]) -> String {
        actions.compactMap { if case .writeServer(let b) = $0 { return String(buffer: b) } else { return nil } }.joined()
    }

    private func records(_ actions: [Action]) -> [HTTPStreamStateMachine.TransactionRecord] {
        actions.compactMap { if case .logTransaction(let r) = $0 { return r } else { return nil } }
    }

    /// One request with `Connection: close` through to the stream's end;
    /// returns what went to the server, the timers armed meanwhile and
    /// the request line and captures the transaction was logged with.
    private func exchange(
        _ machine: inout HTTPStreamStateMachine, _ request: String
    ) -> (String, [Int?], logged: (line: String?, captures: [String])) {
        machine.start(acceptProxy: false)
        _ = take(&machine)
        machine.clientRead(ByteBuffer(string: request))
        var actions = take(&machine)
        machine.serverSlotAcquired()
        actions += take(&machine)
        machine.connectStarted()
        actions += take(&machine)
        machine.serverConnected(reused: false)
        actions += take(&machine)
        let sent = written(toServer: actions)
        let armed = timers(actions)
        machine.serverRead(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Server: one\r\n\r\nhi"))
        actions = take(&machine)
        machine.flushedForClose()
        actions += take(&machine)
        XCTAssertEqual(machine.state, .closed)
        let logged = records(actions)
        XCTAssertEqual(logged.count, 1)
        let line = logged.first?.requestLine.map { String(buffer: $0) }
        let captures = logged.first?.withLog { $0.capturedRequestHeaders.compactMap { $0.map { String(buffer: $0) } } } ?? []
        return (sent, armed, (line, captures))
    }

    func testStorageOfAnEndedStreamIsEmpty() throws {
        var first = machine(try policy(), storage: nil)
        _ = exchange(&first, "GET /a HTTP/1.1\r\nHost: a\r\nX-Id: first-client\r\nCookie: secret\r\nConnection: close\r\n\r\n")
        let storage = first.takeStorage()
        XCTAssertTrue(storage.isEmpty)
    }

    func testAStreamOnRecycledStorageStartsClean() throws {
        let policy = try policy()
        var first = machine(policy, storage: nil)
        let (firstSent, firstTimers, firstLogged) = exchange(
            &first, "GET /a HTTP/1.1\r\nHost: a\r\nX-Id: first-client\r\nCookie: secret\r\nConnection: close\r\n\r\n")
        // The rules did act on the first client.
        XCTAssertTrue(firstSent.contains("x-who: first-client\r\n"), firstSent)
        XCTAssertTrue(firstTimers.contains(1000), "\(firstTimers)")
        XCTAssertEqual(firstLogged.line, "GET /a HTTP/1.1")
        XCTAssertEqual(firstLogged.captures, ["first-client"])

        var second = machine(policy, storage: first.takeStorage())
        XCTAssertEqual(second.state, .readingRequest)
        XCTAssertTrue(second.actions.isEmpty)
        XCTAssertEqual(second.request.headers.count, 0)
        XCTAssertNil(second.requestBytes)
        XCTAssertEqual(second.log.status, -1)
        XCTAssertEqual(second.log.bytesFromClient, 0)
        XCTAssertEqual(second.log.bytesFromServer, 0)
        XCTAssertEqual(second.log.cause, "-")
        XCTAssertNil(second.log.requestLine)
        XCTAssertEqual(second.log.capturedRequestHeaders.compactMap { $0 }.count, 0)
        XCTAssertNil(second.timeoutOverrides.server)
        XCTAssertNil(second.serverName)
        XCTAssertNil(second.persistence.server)

        let (sent, timers, logged) = exchange(&second, "GET /b HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
        // Nothing of the first client's request, variables, timeout or
        // capture in the second one's.
        XCTAssertEqual(sent, "GET /b HTTP/1.1\r\nhost: b\r\n\r\n")
        XCTAssertFalse(timers.contains(1000), "\(timers)")
        XCTAssertTrue(timers.contains(5000), "\(timers)")
        XCTAssertEqual(second.log.capturedRequestHeaders.compactMap { $0 }.count, 0)
        XCTAssertEqual(second.log.status, 200)
        // The log line (written from the first stream's record, refilled).
        XCTAssertEqual(logged.line, "GET /b HTTP/1.1")
        XCTAssertEqual(logged.captures, [])
    }
}
