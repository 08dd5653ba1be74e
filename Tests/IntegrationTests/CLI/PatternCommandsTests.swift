import Foundation
import XCTest

/// Map and ACL commands on the stats socket of the real binary: a
/// `use_backend` map and an ACL file edited at run time steer the very next
/// request of a real client to real backends, without reload. Answers
/// recorded from Debian's haproxy 2.6.12.
final class PatternCommandsTests: IntegrationTestCase {
    private var port = 0

    /// Starts the proxy: `Host` picks the backend through hosts.map
    /// (default `be_a`), paths in blocked.acl are denied.
    private func start() throws {
        let a = try startBackend("a")
        let b = try startBackend("b")
        port = Ports.free()
        try "www.example.com be_a\napi.example.com be_b\n".write(
            to: tmp.appendingPathComponent("hosts.map"), atomically: true, encoding: .utf8)
        try "/admin\n".write(to: tmp.appendingPathComponent("blocked.acl"), atomically: true, encoding: .utf8)
        try startProxy(config: """
        global
            stats socket \(tmp.path)/admin.sock mode 600 level admin
            stats socket \(tmp.path)/user.sock mode 600 level user

        """ + Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            acl blocked path -f \(tmp.path)/blocked.acl
            http-request deny if blocked
            use_backend %[req.hdr(host),lower,map(\(tmp.path)/hosts.map,be_a)]

        backend be_a
            server a 127.0.0.1:\(a.port)

        backend be_b
            server b 127.0.0.1:\(b.port)

        """, ports: [port])
    }

    /// One request with `host`: the status and the server that answered.
    private func request(host: String, path: String = "/") throws -> (status: Int, server: String?) {
        let c = try Conn(port: port, timeout: 5)
        defer { c.close() }
        try c.send(HTTPClient.request("GET", path, host: host, close: true))
        let r = try c.readResponse()
        return (r.status, r.header("x-server"))
    }

    private func cli(_ line: String, socket: String = "admin.sock") throws -> String {
        try StatsSocket.command("\(tmp.path)/\(socket)", line)
    }

    func testMapEditsSteerTheNextRequest() throws {
        try start()
        let map = "\(tmp.path)/hosts.map"
        XCTAssertEqual(try request(host: "api.example.com").server, "b")
        XCTAssertEqual(try request(host: "new.example.com").server, "a")

        XCTAssertEqual(try cli("add map \(map) new.example.com be_b"), "\n")
        XCTAssertEqual(try request(host: "NEW.example.com").server, "b")

        XCTAssertEqual(try cli("set map \(map) api.example.com be_a"), "\n")
        XCTAssertEqual(try request(host: "api.example.com").server, "a")

        XCTAssertEqual(try cli("del map \(map) new.example.com"), "\n")
        XCTAssertEqual(try request(host: "new.example.com").server, "a")
        XCTAssertEqual(try cli("del map \(map) new.example.com"), "Key not found.\n\n")

        // An entry by the handle `show map` printed.
        let dump = try cli("show map \(map)")
        let lines = dump.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, dump)
        let www = try XCTUnwrap(lines.first { $0.hasSuffix(" www.example.com be_a") }, dump)
        let handle = String(www.split(separator: " ")[0])
        XCTAssertTrue(handle.hasPrefix("0x"), handle)
        XCTAssertEqual(try cli("set map \(map) #\(handle) be_b"), "\n")
        XCTAssertEqual(try request(host: "www.example.com").server, "b")
        XCTAssertEqual(try cli("get map \(map) www.example.com"),
                       "type=str, case=sensitive, found=yes, idx=tree, key=\"www.example.com\", value=\"be_b\", type=\"str\"\n\n")

        // A new version, filled and then committed at once.
        XCTAssertEqual(try cli("prepare map \(map)"), "New version created: 1\n\n")
        XCTAssertEqual(try cli("add map @1 \(map) api.example.com be_b"), "\n")
        XCTAssertEqual(try request(host: "api.example.com").server, "a")
        XCTAssertEqual(try cli("commit map @1 \(map)"), "\n")
        XCTAssertEqual(try request(host: "api.example.com").server, "b")
        XCTAssertEqual(try request(host: "www.example.com").server, "a")
        XCTAssertTrue(try cli("show map").contains(" curr_ver=1 next_ver=1 entry_cnt=1\n"))

        XCTAssertEqual(try cli("clear map \(map)"), "\n")
        XCTAssertEqual(try request(host: "api.example.com").server, "a")
    }

    func testACLEditsApplyToTheNextRequest() throws {
        try start()
        let acl = "\(tmp.path)/blocked.acl"
        XCTAssertEqual(try request(host: "x", path: "/admin").status, 403)
        XCTAssertEqual(try request(host: "x", path: "/secret").status, 200)

        XCTAssertEqual(try cli("add acl \(acl) /secret"), "\n")
        XCTAssertEqual(try request(host: "x", path: "/secret").status, 403)
        XCTAssertEqual(try cli("get acl \(acl) /secret"),
                       "type=str, case=sensitive, match=yes, idx=tree, pattern=\"/secret\"\n\n")

        XCTAssertEqual(try cli("del acl \(acl) /admin"), "\n")
        XCTAssertEqual(try request(host: "x", path: "/admin").status, 200)

        XCTAssertEqual(try cli("clear acl \(acl)"), "\n")
        XCTAssertEqual(try request(host: "x", path: "/secret").status, 200)
        XCTAssertEqual(try cli("show acl \(acl)"), "\n")
    }

    func testListingsAndErrorsAsTheReferenceWritesThem() throws {
        try start()
        let cfg = "\(tmp.path)/haproxy.cfg"
        let text = try String(contentsOfFile: cfg, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let aclLine = try XCTUnwrap(text.firstIndex { $0.contains("acl blocked") }) + 1
        let mapLine = try XCTUnwrap(text.firstIndex { $0.contains("use_backend") }) + 1
        // 2.6 numbers the inline part of the ACL too, then its HTTP
        // client's two ACLs, then the use_backend map resolved last.
        XCTAssertEqual(try cli("show acl"), """
            # id (file) description
            0 (\(tmp.path)/blocked.acl) pattern loaded from file '\(tmp.path)/blocked.acl' used by acl at file '\(cfg)' line \(aclLine). curr_ver=0 next_ver=0 entry_cnt=1
            1 () acl 'path' file '\(cfg)' line \(aclLine). curr_ver=0 next_ver=0 entry_cnt=0
            2 () acl 'var' file 'httpclient' line 0. curr_ver=0 next_ver=0 entry_cnt=1
            3 () acl 'var' file 'httpclient' line 0. curr_ver=0 next_ver=0 entry_cnt=1


            """)
        XCTAssertEqual(try cli("show map"), """
            # id (file) description
            4 (\(tmp.path)/hosts.map) pattern loaded from file '\(tmp.path)/hosts.map' used by map at file '\(cfg)' line \(mapLine). curr_ver=0 next_ver=0 entry_cnt=2


            """)
        XCTAssertEqual(try cli("show map #0"), "Unknown map identifier. Please use #<id> or <file>.\n\n")
        XCTAssertEqual(try cli("show acl nope"), "Unknown ACL identifier. Please use #<id> or <file>.\n\n")
        XCTAssertEqual(try cli("get map #4"), "Missing map identifier and/or key.\n\n")
        XCTAssertEqual(try cli("get map #4 nowhere"), "type=str, case=sensitive, found=no\n\n")
        XCTAssertEqual(try cli("add map #4 onlykey"),
                       "'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n\n")
        XCTAssertEqual(try cli("add map @1 #4 k v"), "Version number in the future, please use 'prepare map' before.\n\n")
        XCTAssertEqual(try cli("del map #4 #0xzz"), "Malformed identifier. Please use #<id> or <file>.\n\n")
        XCTAssertEqual(try cli("set map #4 #0x1 v"), "key or pattern not found.\n\n")
        XCTAssertEqual(try cli("set map #4 nokey v"), "entry not found.\n\n")
        XCTAssertEqual(try cli("commit map @1 #4"), "Version number out of range.\n\n")
        XCTAssertEqual(try cli("clear acl"), "Missing ACL identifier.\n\n")

        // 2.6 asks no level for these: a user session edits maps too.
        XCTAssertEqual(try cli("add map #4 user.example.com be_b", socket: "user.sock"), "\n")
        XCTAssertEqual(try request(host: "user.example.com").server, "b")
    }
}
