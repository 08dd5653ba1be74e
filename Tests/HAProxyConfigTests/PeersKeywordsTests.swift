import XCTest

@testable import HAProxyConfig

/// `peers` sections, `localpeer`, `-L` and `stick-table ... peers`, with
/// 2.6's messages (recorded with `haproxy -c -L a` on the same lines).
final class PeersKeywordsTests: XCTestCase {
    static let defaults = "defaults\n mode http\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n"

    private func load(_ text: String, localPeer: String? = "a") -> (Configuration?, [String]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peerscfg-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.cfg")
        try? text.write(to: file, atomically: true, encoding: .utf8)
        let cwd = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(dir.path)
        defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
        let (config, diagnostics) = ConfigLoader.load(
            paths: ["t.cfg"], environment: [:], features: [], version: "2.6.12", localPeerName: localPeer)
        return (config, diagnostics.messages.map(\.message))
    }

    func testPeerFormAndTables() throws {
        let (config, messages) = load(
            "peers p\n peer a 127.0.0.1:21001\n peer b [::1]:21002\n table t type string len 8 size 1k expire 10s store gpc0,http_req_rate(5s)\n"
                + Self.defaults
                + "frontend f\n bind 127.0.0.1:21080\n stick-table type ip size 10 peers p store conn_cnt\n http-request track-sc1 src table p/t\n")
        XCTAssertEqual(messages, [])
        let c = try XCTUnwrap(config)
        let p = try XCTUnwrap(c.peers.first)
        XCTAssertEqual(p.peers.map(\.name), ["a", "b"])
        XCTAssertEqual(p.localPeer?.host, "127.0.0.1")
        XCTAssertEqual(p.localPeer?.port, 21001)
        XCTAssertEqual(p.remotePeers.map(\.host), ["::1"])
        XCTAssertEqual(p.tables.map(\.definition.name), ["p/t"])
        XCTAssertEqual(p.tables.first?.definition.expire, 10_000)
        XCTAssertEqual(c.proxies.first?.stickTable?.peers, "p")
        XCTAssertEqual(c.localPeerName, "a")
    }

    func testBindAndServerFormWithGlobalLocalpeer() throws {
        let (config, messages) = load(
            "global\n localpeer me\npeers p\n bind 127.0.0.1:21001\n server me\n server b 127.0.0.1:21002\n disabled\n",
            localPeer: nil)
        XCTAssertEqual(messages.filter { !$0.contains("no listener") }, [])
        let p = try XCTUnwrap(config?.peers.first)
        XCTAssertEqual(p.localPeer?.name, "me")
        XCTAssertEqual(p.localPeer?.port, 21001)
        XCTAssertTrue(p.disabled)
        // `-L` wins over `localpeer`.
        let (other, warnings) = load("global\n localpeer me\npeers p\n peer b 127.0.0.1:21002\n", localPeer: "b")
        XCTAssertEqual(other?.peers.first?.localPeer?.name, "b")
        XCTAssertEqual(warnings, [])
    }

    func testSectionWithoutTheLocalPeerIsRemoved() throws {
        let (config, messages) = load(
            "peers p\n peer b 127.0.0.1:21001\n" + Self.defaults
                + "frontend f\n bind :21080\n stick-table type ip size 10 peers p\n")
        XCTAssertEqual(messages, ["Removing incomplete section 'peers p' (no peer named 'a')."])
        XCTAssertEqual(config?.peers.count, 0)
        XCTAssertNil(config?.proxies.first?.stickTable?.peers)
    }

    func testErrorsWordedAs26() {
        let cases: [(String, String)] = [
            ("peers\n", "parsing [t.cfg:1] : missing name for peers section."),
            ("peers p\n peer a 127.0.0.1:1\npeers p\n peer a 127.0.0.1:2\n",
             "Parsing [t.cfg:3]: peers section 'p' has the same name as another peers section declared at t.cfg:1."),
            ("peers p\n peer a 127.0.0.1:1\n peer a 127.0.0.1:2\n",
             "[t.cfg:2] : parsing [t.cfg:3] : 'peer a' : local peer name already referenced at t.cfg:2. a"),
            ("peers p\n peer c 127.0.0.1:x\n",
             "[t.cfg:2] : 'server (null)/c' : invalid character 'x' in port number 'x' in '127.0.0.1:x'"),
            ("peers p\n peer d foo:1\n", "[t.cfg:2] : 'server (null)/d' : invalid address: 'foo' in 'foo:1'"),
            ("peers p\n bind 127.0.0.1:1\n bind 127.0.0.1:2\n",
             "parsing [t.cfg:3] : One listener per \"peers\" section is authorized but another is already configured at [t.cfg:2]."),
            ("peers p\n bind 127.0.0.1:1\n peer a 127.0.0.1:3\n", "parsing [t.cfg:3] : mixing \"peer\" and \"bind\" line is forbidden"),
            ("peers p\n bind 127.0.0.1:1\n server a 127.0.0.1:1\n",
             "[t.cfg:3] : 'server a/a' : unknown keyword '127.0.0.1:1'. Hint: no address was expected for this server."),
            ("peers p\n table t\n", "parsing [t.cfg:2] : table: missing size."),
            ("peers p\n table t type ip size 10 peers p\n", "parsing [t.cfg:2] : table: unknown argument 'peers'."),
            ("peers p\n enable\n", "parsing [t.cfg:2] : unknown keyword 'enable' in 'peers' section"),
            ("peers p\n log 127.0.0.1 local0\n",
             "parsing [t.cfg:2] : 'log' in a 'peers' section is not supported by this build."),
            ("peers p\n peer a 127.0.0.1:1\n" + Self.defaults + "frontend f\n bind :1\n stick-table type ip size 10 peers q\n",
             "Proxy 'f': unable to find sync peers 'q'."),
        ]
        for (text, expected) in cases {
            let (config, messages) = load(text)
            XCTAssertNil(config, text)
            XCTAssertEqual(messages.first, expected, text)
        }
    }
}
