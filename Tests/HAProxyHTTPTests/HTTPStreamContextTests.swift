import HAProxyRules
import NIOCore
import XCTest

@testable import HAProxyHTTP

/// A stream reuses its rule context from one transaction to the next
/// (`HTTPStreamContext.reuse`): nothing of the previous transaction may
/// show through.
final class HTTPStreamContextTests: XCTestCase {
    private func message(_ text: String) -> HTTPMessage {
        var parser = HTTPHeadParser.request(limits: HTTPHeadLimits(bufferSize: 16384, maxRewrite: 1024, maxHeaders: 101))
        let bytes = ByteBuffer(string: text)
        guard case .complete(let head) = parser.parse(bytes) else { fatalError("test request does not parse") }
        return HTTPMessage(head: head, bytes: bytes)
    }

    private func make(_ variables: StreamVariables, source: SocketEndpoint?) -> HTTPStreamContext {
        HTTPStreamContext(
            requestMessage: message("GET /next HTTP/1.1\r\nHost: b\r\n\r\n"), source: source, destination: source,
            frontendName: "fe", backend: nil, serverName: nil, runtime: nil, variables: variables)
    }

    /// Each stored property, as text (references show their type, values
    /// their contents).
    private func fields(_ context: HTTPStreamContext) -> [String: String] {
        var out: [String: String] = [:]
        for child in Mirror(reflecting: context).children {
            out[child.label ?? "?"] = String(describing: child.value)
        }
        return out
    }

    func testReuseGivesTheContextANewContextWouldHave() {
        let variables = StreamVariables()
        let endpoint = SocketEndpoint(address: .v4(IPv4Address(text: Array("198.18.0.1".utf8))!), port: 1000)
        let expected = make(variables, source: nil)
        // A stored property added later must be set again by `reuse`, and
        // dirtied below.
        XCTAssertEqual(Mirror(reflecting: expected).children.count, 26, "update reuse(...) and this test")

        // The previous transaction touched everything it could.
        let used = make(StreamVariables(), source: endpoint)
        used.requestMessage = message("POST /old HTTP/1.1\r\nHost: a\r\nX-Old: 1\r\n\r\n")
        used.responseMessage = message("GET /resp HTTP/1.1\r\nHost: r\r\n\r\n")
        used.editsResponse = true
        used.setEndpoint(.sourcePort, to: .int(2000))
        used.serverName = "s1"
        used.transactionLog = TransactionLog()
        used.loggedResponse = LoggedResponse(status: 503)
        used.failedRewrites = 3
        used.usesProxyAuthentication = true
        used.frontendID = 7
        used.serverID = 8
        used.interimResponses = ByteBuffer(string: "HTTP/1.1 103 Early Hints\r\n\r\n")
        used.interimLoggedBytes = 30
        used.addEarlyHint(Array("link".utf8), Array("</a>".utf8), sendsNow: false)
        used.receivedRequestLine = ByteBuffer(string: "POST /old HTTP/1.1")
        used.serverTimeout = 1000
        used.tunnelTimeout = 2000
        XCTAssertNotEqual(fields(used), fields(expected))

        used.retire()
        XCTAssertNil(used.requestMessage, "a waiting context holds no request")
        used.reuse(
            requestMessage: message("GET /next HTTP/1.1\r\nHost: b\r\n\r\n"), source: nil, destination: nil,
            backend: nil, serverName: nil, variables: variables)
        let got = fields(used), want = fields(expected)
        for (name, value) in want {
            XCTAssertEqual(got[name], value, "\(name) after reuse")
        }
        XCTAssertEqual(used.requestMessage.map { String(buffer: $0.bytes) }, "GET /next HTTP/1.1\r\nHost: b\r\n\r\n")
        XCTAssertTrue(used.variables === variables)
    }
}
