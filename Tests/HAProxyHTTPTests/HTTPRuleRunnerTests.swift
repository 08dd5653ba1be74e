import Foundation
import HAProxyConfig
import HAProxyRules
import NIOCore
import XCTest

@testable import HAProxyHTTP

/// Rule sets parsed from configuration text and run on parsed messages,
/// without sockets: edits, verdicts and variables.
final class HTTPRuleRunnerTests: XCTestCase {
    /// The first proxy of `lines` (inside a `frontend` section).
    private func proxy(_ lines: String) throws -> ProxyConfig {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.cfg")
        try ("frontend fe\n  mode http\n  bind 127.0.0.1:1\n" + lines + "\n").write(to: file, atomically: true, encoding: .utf8)
        let (config, diagnostics) = ConfigLoader.load(paths: [file.path], environment: [:], features: [], version: "2.6.12")
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        return try XCTUnwrap(config?.proxies.first)
    }

    private func message(_ text: String, request: Bool = true) -> HTTPMessage {
        let bytes = ByteBuffer(string: text)
        var parser: HTTPHeadParser = request ? .request() : .response(to: .get)
        guard case .complete(let head) = parser.parse(bytes) else { fatalError("unparsable test message") }
        return request ? HTTPMessage(head: head, bytes: bytes) : HTTPMessage(response: head, bytes: bytes, requestMethod: .get)
    }

    private func context(_ request: String = "GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\n") -> HTTPStreamContext {
        HTTPStreamContext(
            requestMessage: message(request), source: nil, destination: nil, frontendName: "fe", backend: nil,
            serverName: nil, runtime: nil, variables: StreamVariables())
    }

    private func text(_ message: HTTPMessage?) -> String {
        guard let message = message?.materialized() else { return "" }
        return message.bytes.getString(at: message.bytes.readerIndex, length: message.bytes.readableBytes) ?? ""
    }

    func testAllowStopsTheRuleSet() throws {
        let p = try proxy("  http-request set-header X-1 a\n  http-request allow\n  http-request set-header X-2 b")
        let c = context()
        guard case .allow = HTTPRuleRunner.run(p.httpRequestRules, on: c) else { return XCTFail() }
        XCTAssertTrue(text(c.requestMessage).contains("X-1: a\r\n"))
        XCTAssertFalse(text(c.requestMessage).contains("X-2"))
    }

    func testURIRewrites() throws {
        let c = context()
        _ = HTTPRuleRunner.run(try proxy("  http-request set-path /new%[path]").httpRequestRules, on: c)
        XCTAssertTrue(text(c.requestMessage).hasPrefix("GET /new/a/b?x=1 HTTP/1.1\r\n"), text(c.requestMessage))
        _ = HTTPRuleRunner.run(try proxy("  http-request set-pathq /only").httpRequestRules, on: c)
        XCTAssertTrue(text(c.requestMessage).hasPrefix("GET /only HTTP/1.1\r\n"), text(c.requestMessage))
        _ = HTTPRuleRunner.run(try proxy("  http-request set-uri http://h/z?y").httpRequestRules, on: c)
        XCTAssertTrue(text(c.requestMessage).hasPrefix("GET http://h/z?y HTTP/1.1\r\n"), text(c.requestMessage))
        _ = HTTPRuleRunner.run(try proxy("  http-request set-path /p").httpRequestRules, on: c)
        XCTAssertTrue(text(c.requestMessage).hasPrefix("GET http://h/p?y HTTP/1.1\r\n"), text(c.requestMessage))
    }

    func testVariables() throws {
        let p = try proxy("""
              http-request set-var(txn.a) req.hdr(x-a)
              http-request set-var-fmt(txn.b) v-%[var(txn.a)]
              http-request set-var(txn.c) str(gone)
              http-request unset-var(txn.c)
              http-request set-var(txn.a,ifnotexists) str(kept)
            """)
        let c = context()
        _ = HTTPRuleRunner.run(p.httpRequestRules, on: c)
        XCTAssertEqual(c.variable(VariableName(scope: .txn, name: "a")), .string(Array("1".utf8)))
        XCTAssertEqual(c.variable(VariableName(scope: .txn, name: "b")), .string(Array("v-1".utf8)))
        XCTAssertNil(c.variable(VariableName(scope: .txn, name: "c")))
    }

    func testResponseEdits() throws {
        let p = try proxy("""
              http-after-response set-status 404
              http-after-response add-header X-B 2
              http-after-response del-header x-a
            """)
        let c = context()
        c.responseMessage = message("HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 0\r\n\r\n", request: false)
        c.editsResponse = true
        _ = HTTPRuleRunner.run(p.httpAfterResponseRules, on: c)
        XCTAssertEqual(text(c.responseMessage), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-B: 2\r\n\r\n")
    }

    /// Ordinary header edits are noted, seen by later fetches at once,
    /// and written once in the order a rewrite per edit would give.
    func testNotedHeaderEditsReadAndWriteInOrder() throws {
        let p = try proxy("""
              http-request set-header X-A 2
              http-request add-header X-B %[req.hdr(x-a)]
              http-request set-header X-C c
              http-request del-header x-c
              http-request add-header X-D d
              http-request set-header X-B b2
              http-request set-var(txn.n) req.hdr_cnt(x-b)
              http-request set-header Content-Length 0
            """)
        let c = context("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-E: e\r\n\r\n")
        _ = HTTPRuleRunner.run(p.httpRequestRules, on: c)
        XCTAssertEqual(c.variable(VariableName(scope: .txn, name: "n")), .int(1))
        XCTAssertEqual(text(c.requestMessage),
                       "GET / HTTP/1.1\r\nHost: h\r\nX-E: e\r\nX-A: 2\r\nX-D: d\r\nX-B: b2\r\nContent-Length: 0\r\n\r\n")
        // The framing header's edit was parsed: the request now has a length.
        XCTAssertEqual(c.requestMessage?.materialized().head.contentLength, 0)
    }

    /// What the forwarding writes for noted edits: removals skipped,
    /// added lines last with lowercase names, an empty value kept.
    func testNotedEditsAreWrittenByTheRewriter() throws {
        let p = try proxy("""
              http-request del-header X-A
              http-request set-header X-New v
              http-request set-header X-Empty ""
            """)
        let c = context("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-B: b\r\n\r\n")
        _ = HTTPRuleRunner.run(p.httpRequestRules, on: c)
        let message = try XCTUnwrap(c.requestMessage)
        var out = ByteBuffer()
        HTTPHeadRewriter.write(message.head, from: message.bytes, edits: message.notedEdits.headEdits, into: &out)
        XCTAssertEqual(String(buffer: out), "GET / HTTP/1.1\r\nhost: h\r\nx-b: b\r\nx-new: v\r\nx-empty: \r\n\r\n")
        XCTAssertEqual(text(c.requestMessage), "GET / HTTP/1.1\r\nHost: h\r\nX-B: b\r\nX-New: v\r\nX-Empty: \r\n\r\n")
    }

    /// `replace-header` after noted edits: a header of the head and a line
    /// added by a rule are both rewritten, in their places; a deleted one
    /// stays deleted. Header ACLs read every edit (names without case).
    func testReplaceHeaderAfterNotedEditsAndHeaderACLsSeeEdits() throws {
        let p = try proxy("""
              acl added_ok hdr(x-new) -i V2
              acl gone hdr(x-del) -m found
              acl cookie_ok cook(id) 7
              http-request del-header X-Del
              http-request add-header X-New v1
              http-request replace-header X-New ^v(.*)$ v2
              http-request replace-header x-keep ^k$ K
              http-request set-header X-Seen yes if added_ok !gone cookie_ok
            """)
        let c = context("GET / HTTP/1.1\r\nHost: h\r\nX-Keep: k\r\nX-Del: d\r\nCookie: a=1; id=7\r\n\r\n")
        _ = HTTPRuleRunner.run(p.httpRequestRules, on: c)
        XCTAssertEqual(text(c.requestMessage),
                       "GET / HTTP/1.1\r\nHost: h\r\nX-Keep: K\r\nCookie: a=1; id=7\r\nX-New: v2\r\nX-Seen: yes\r\n\r\n")
    }

    /// `replace-header` on ordinary headers is noted: fetches see the new
    /// value at once, a second replacement works on it, a later
    /// `del-header` wins, and the forwarding writes the values in their
    /// places; on `Host` the head is written at once.
    func testReplaceHeaderIsNotedAndWrittenInPlace() throws {
        let p = try proxy("""
              http-request replace-header X-A ^a(.*)$ b\\1
              http-request replace-header X-A ^b(.*)$ c\\1
              http-request set-header X-Seen %[req.hdr(x-a)]
              http-request replace-header X-D ^d$ dd
              http-request del-header X-D
              http-request replace-header Host ^h$ h2
            """)
        let c = context("GET / HTTP/1.1\r\nHost: h\r\nX-A: a1\r\nX-B: b\r\nX-D: d\r\n\r\n")
        _ = HTTPRuleRunner.run(p.httpRequestRules, on: c)
        XCTAssertEqual(text(c.requestMessage), "GET / HTTP/1.1\r\nHost: h2\r\nX-A: c1\r\nX-B: b\r\nX-Seen: c1\r\n\r\n")
        let e = context("GET / HTTP/1.1\r\nHost: h\r\nX-A: a1\r\nX-B: b\r\n\r\n")
        _ = HTTPRuleRunner.run(try proxy("  http-request replace-header X-A ^a(.*)$ long-\\1\n  http-request set-header X-N n").httpRequestRules, on: e)
        let message = try XCTUnwrap(e.requestMessage)
        var out = ByteBuffer()
        HTTPHeadRewriter.write(message.head, from: message.bytes, edits: message.notedEdits.headEdits, into: &out)
        XCTAssertEqual(String(buffer: out), "GET / HTTP/1.1\r\nhost: h\r\nx-a: long-1\r\nx-b: b\r\nx-n: n\r\n\r\n")
    }

    func testDeletingAFramingHeaderAfterNotedEditsParsesTheHead() throws {
        let p = try proxy("  http-request add-header X-N n\n  http-request del-header content-length")
        let c = context("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n")
        _ = HTTPRuleRunner.run(p.httpRequestRules, on: c)
        XCTAssertEqual(text(c.requestMessage), "POST / HTTP/1.1\r\nHost: h\r\nX-N: n\r\n\r\n")
        XCTAssertNil(c.requestMessage?.head.contentLength)
    }

    func testResponseDenyDefaultsTo502() throws {
        let p = try proxy("  http-response deny\n  http-request deny")
        guard case .deny(502, nil)? = p.httpResponseRules.first?.action else { return XCTFail() }
        guard case .deny(403, nil)? = p.httpRequestRules.first?.action else { return XCTFail() }
    }

    func testRedirectVerdicts() throws {
        let c = context("GET /x/y?q=2 HTTP/1.1\r\nHost: site\r\n\r\n")
        let scheme = try proxy("  http-response redirect scheme https code 307").httpResponseRules
        guard case .redirect(307, let location, nil) = HTTPRuleRunner.run(scheme, on: c) else { return XCTFail() }
        XCTAssertEqual(String(decoding: location, as: UTF8.self), "https://site/x/y?q=2")
        let empty = try proxy("  http-request redirect location %[req.hdr(none)] ignore-empty").httpRequestRules
        guard case .proceed = HTTPRuleRunner.run(empty, on: c) else { return XCTFail() }
    }

    func testReturnVerdict() throws {
        let c = context()
        c.responseMessage = message("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", request: false)
        let rules = try proxy("  http-response return status 404 content-type text/plain lf-string %[status]").httpResponseRules
        guard case .respond(let response) = HTTPRuleRunner.run(rules, on: c) else { return XCTFail() }
        let bytes = HTTPStreamStateMachine.build(response, connection: .none, c)
        XCTAssertEqual(
            String(buffer: bytes).replacingOccurrences(of: "4\r\ncontent-type", with: "3\r\ncontent-type"),
            "HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\ncontent-type: text/plain\r\n\r\n200")
    }

    func testReplaceActions() throws {
        let c = context("GET /api/v1/users?x=1 HTTP/1.1\r\nHost: h\r\nX-F: 10.1.2.3, 8.8.8.8, 10.9.9.9\r\nX-A: abc\r\n\r\n")
        let p = try proxy("""
              http-request replace-value X-F ^10\\.(.*)$ private-\\1
              http-request replace-header X-A ^a(.*)$ Z\\1
              http-request replace-path ^/api/(.*)$ /\\1
              http-request del-header ^x-z -m reg
            """)
        _ = HTTPRuleRunner.run(p.httpRequestRules, on: c)
        let edited = text(c.requestMessage)
        XCTAssertTrue(edited.hasPrefix("GET /v1/users?x=1 HTTP/1.1\r\n"), edited)
        // Recorded: a rewritten value loses its leading blank.
        XCTAssertTrue(edited.contains("X-F: private-1.2.3, 8.8.8.8,private-9.9.9\r\n"), edited)
        XCTAssertTrue(edited.contains("X-A: Zbc\r\n"), edited)
        let d = context("GET http://h/a/b?q HTTP/1.1\r\nHost: h\r\nX-Zap: 1\r\n\r\n")
        _ = HTTPRuleRunner.run(try proxy("  http-request replace-uri ^http://h/(.*)$ /\\1\n  http-request del-header x-z -m beg").httpRequestRules, on: d)
        XCTAssertEqual(text(d.requestMessage), "GET /a/b?q HTTP/1.1\r\nHost: h\r\n\r\n")
    }
}

extension HTTPRuleRunnerTests {
    /// `capture` writes the slot it names, truncated to the slot's length
    /// (a failed fetch leaves the slot alone, a slot the frontend lacks is
    /// ignored); `capture.req.hdr(N)` reads it back; `set-log-level`: the
    /// last one that runs wins.
    func testCaptureAndSetLogLevel() throws {
        let c = HTTPStreamContext(
            requestMessage: nil, source: nil, destination: nil, frontendName: "fe", backend: nil,
            serverName: nil, runtime: nil, variables: StreamVariables())
        let log = TransactionLog()
        log.requestSlots = [CapturedHeader(name: "X-A", length: 5), .slot(length: 3)]
        log.requestCaptures = [ByteBuffer(string: "kept"), nil]
        c.transactionLog = log
        let rules = try proxy("""
              capture request header X-A len 5
              declare capture request len 3
              http-request capture req.hdr(x-missing) id 0
              http-request capture str(abcdef) id 1
              http-request set-var(txn.back) capture.req.hdr(1)
              http-request set-log-level silent
              http-request set-log-level notice
            """).httpRequestRules
        let target = c
        _ = HTTPRuleRunner.run(rules, on: target)
        XCTAssertEqual(log.requestCaptures.map { $0.map { String(buffer: $0) } }, ["kept", "abc"])
        XCTAssertEqual(c.variable(VariableName(scope: .txn, name: "back")), .string(Array("abc".utf8)))
        XCTAssertEqual(log.level, .level(5))
        // A backend's rule naming a slot this frontend lacks.
        c.storeCapture(Array("zz".utf8), response: false, slot: 7)
        c.storeCapture(Array("zz".utf8), response: true, slot: 0)
        XCTAssertEqual(log.requestCaptures.count, 2)
        XCTAssertEqual(log.responseCaptures.count, 0)
    }
}
