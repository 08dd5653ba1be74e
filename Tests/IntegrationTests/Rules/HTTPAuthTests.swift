import Foundation
import XCTest

/// `userlist` sections and `http-request auth` through the real binary and
/// raw sockets. The expected bytes were recorded from Debian's haproxy
/// 2.6.12 with the same configurations.
final class HTTPAuthTests: IntegrationTestCase {
    // `openssl passwd -6|-5|-1 -salt abcdefgh secretN`.
    static let userlist = """
    userlist L1
        group G1 users tiger,scott
        group G2 users xdb,scott
        user tiger password $6$abcdefgh$xCmU6eXePqd8uT3.jYlk3Fgv/roflqiCi/twHrvHhPTT4qT0rTqu/3ZTFEf6uqFcl7eKyk81ngZEadU/ehEy51
        user scott insecure-password elgato
        user xdb insecure-password hello
        user m5 password $5$abcdefgh$AVKsPBNtNFkXXKvvkrPMobKUZbm0i7P2XfVbwGW9BS/
        user m1 password $1$abcdefgh$ywpTNDTYPzAT3Ohgseebp/

    """

    static let page401Body =
        "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"

    static func challenge(_ status: String, _ header: String, realm: String, close: Bool = false) -> String {
        let code = status.prefix(3)
        let body = page401Body.replacingOccurrences(of: "401 Unauthorized", with: "\(code) Unauthorized")
        return "HTTP/1.1 \(status)\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n"
            + "\(header): Basic realm=\"\(realm)\"\r\n" + (close ? "connection: close\r\n" : "") + "\r\n" + body
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Authorization: Basic " + Data("\(user):\(password)".utf8).base64EncodedString() + "\r\n"
    }

    /// One raw response: its head and `content-length` bytes of body.
    func readRaw(_ c: Conn) throws -> String {
        let head = String(decoding: try c.read(until: Data("\r\n\r\n".utf8)), as: UTF8.self)
        let length = head.components(separatedBy: "\r\n")
            .first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        return head + String(decoding: try c.read(exactly: length), as: UTF8.self)
    }

    func testChallengeAndCredentialsAsTheReference() throws {
        let port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + Self.userlist + """
        frontend fe
            bind 127.0.0.1:\(port)
            acl ok http_auth(L1)
            http-request auth realm Admin if !ok
            http-request return status 200 content-type text/plain lf-string "user=%[http_auth_user] pass=%[http_auth_pass] type=%[http_auth_type] grp=%[http_auth_group(L1)]\\n"

        """, ports: [port])
        // No credentials, then the right ones on the same connection: the
        // challenge keeps the connection open.
        let c = try Conn(port: port)
        try c.send(HTTPClient.request("GET", "/", host: "x"))
        XCTAssertEqual(try readRaw(c), Self.challenge("401 Unauthorized", "www-authenticate", realm: "Admin"))
        try c.send(HTTPClient.request("GET", "/", host: "x", extra: Self.basic("scott", "elgato")))
        XCTAssertEqual(
            try readRaw(c),
            "HTTP/1.1 200 OK\r\ncontent-length: 44\r\ncontent-type: text/plain\r\n\r\nuser=scott pass=elgato type=Basic grp=scott\n")
        // crypt(3) hashes: SHA-512, SHA-256, MD5; then a wrong password.
        for (user, password) in [("tiger", "secret6"), ("m5", "secret5"), ("m1", "secret1")] {
            try c.send(HTTPClient.request("GET", "/", host: "x", extra: Self.basic(user, password)))
            XCTAssertTrue(try readRaw(c).hasPrefix("HTTP/1.1 200 OK\r\n"), user)
        }
        try c.send(HTTPClient.request("GET", "/", host: "x", extra: Self.basic("m1", "bad")))
        XCTAssertEqual(try readRaw(c), Self.challenge("401 Unauthorized", "www-authenticate", realm: "Admin"))
        // HTTP/1.0: the challenge closes.
        let old = try Conn(port: port)
        try old.send("GET / HTTP/1.0\r\n\r\n")
        XCTAssertEqual(try readRaw(old), Self.challenge("401 Unauthorized", "www-authenticate", realm: "Admin", close: true))
        XCTAssertTrue(old.closesWithin(2))
    }

    func testGroupsDefaultRealmsAndBackendRules() throws {
        let fe = Ports.free(), fe3 = Ports.free(), li = Ports.free()
        try startProxy(config: Self.defaultsHTTP + Self.userlist + """
        frontend fe2
            bind 127.0.0.1:\(fe)
            http-request auth
        frontend fe3
            bind 127.0.0.1:\(fe3)
            default_backend be
        backend be
            http-request auth unless { http_auth_group(L1) G2 }
            http-request return status 200 content-type text/plain lf-string "ok %[http_auth_user]\\n"
        listen li
            bind 127.0.0.1:\(li)
            http-request auth realm "My Realm" if !{ http_auth(L1) }
            http-request return status 200 content-type text/plain lf-string "ok %[http_auth_user]\\n"

        """, ports: [fe, fe3, li])
        func get(_ port: Int, _ extra: String = "") throws -> String {
            let c = try Conn(port: port)
            defer { c.close() }
            try c.send(HTTPClient.request("GET", "/", host: "x", extra: extra))
            return try readRaw(c)
        }
        // The realm defaults to the name of the proxy holding the rule.
        XCTAssertEqual(try get(fe), Self.challenge("401 Unauthorized", "www-authenticate", realm: "fe2"))
        XCTAssertEqual(try get(fe3), Self.challenge("401 Unauthorized", "www-authenticate", realm: "be"))
        XCTAssertEqual(try get(li), Self.challenge("401 Unauthorized", "www-authenticate", realm: "My Realm"))
        // G2 holds scott and xdb, not tiger.
        XCTAssertTrue(try get(fe3, Self.basic("xdb", "hello")).hasSuffix("\r\n\r\nok xdb\n"))
        XCTAssertTrue(try get(fe3, Self.basic("scott", "elgato")).hasSuffix("\r\n\r\nok scott\n"))
        XCTAssertTrue(try get(fe3, Self.basic("tiger", "secret6")).hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        XCTAssertTrue(try get(fe3, Self.basic("xdb", "wrong")).hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        XCTAssertTrue(try get(li, Self.basic("m5", "secret5")).hasSuffix("\r\n\r\nok m5\n"))
    }

    func testProxyAuthenticationAndErrorfile() throws {
        let fp = Ports.free(), fe = Ports.free()
        let errorfile = tmp.appendingPathComponent("401.http")
        try Data(("HTTP/1.1 401 Nope\r\nContent-Type: text/plain\r\nWWW-Authenticate: Digest x\r\nX-A: 1\r\n"
                  + "www-authenticate: Basic realm=\"old\"\r\nContent-Length: 5\r\n\r\nnope\n").utf8).write(to: errorfile)
        try startProxy(config: Self.defaultsHTTP + Self.userlist + """
        frontend fp
            bind 127.0.0.1:\(fp)
            option http-use-proxy-header
            http-request auth realm Px unless { http_auth(L1) }
            http-request return status 200 content-type text/plain lf-string "ok %[http_auth_user]\\n"
        frontend fe
            bind 127.0.0.1:\(fe)
            errorfile 401 \(errorfile.path)
            http-request auth realm X

        """, ports: [fp, fe])
        let c = try Conn(port: fp)
        // A proxied request (absolute target) gets the 407 and must answer
        // with Proxy-Authorization; an origin-form one stays on 401.
        try c.send(HTTPClient.request("GET", "http://example.com/", host: "example.com"))
        XCTAssertEqual(try readRaw(c), Self.challenge("407 Unauthorized", "proxy-authenticate", realm: "Px"))
        try c.send(HTTPClient.request("GET", "http://example.com/", host: "example.com", extra: Self.basic("scott", "elgato")))
        XCTAssertTrue(try readRaw(c).hasPrefix("HTTP/1.1 407 Unauthorized\r\n"))
        try c.send(HTTPClient.request(
            "GET", "http://example.com/", host: "example.com",
            extra: "Proxy-" + Self.basic("scott", "elgato")))
        XCTAssertTrue(try readRaw(c).hasSuffix("\r\n\r\nok scott\n"))
        try c.send(HTTPClient.request("GET", "/", host: "x"))
        XCTAssertEqual(try readRaw(c), Self.challenge("401 Unauthorized", "www-authenticate", realm: "Px"))

        // The proxy's errorfile, its challenge headers replaced by ours.
        let e = try Conn(port: fe)
        try e.send(HTTPClient.request("GET", "/", host: "x"))
        XCTAssertEqual(
            try readRaw(e),
            "HTTP/1.1 401 Nope\r\ncontent-type: text/plain\r\nx-a: 1\r\ncontent-length: 5\r\nwww-authenticate: Basic realm=\"X\"\r\n\r\nnope\n")
    }

    func testCheckModeReportsUserlistErrors() throws {
        let file = try writeConfig("userlist L1\n  group G1 users a\nfrontend fe\n  mode http\n  bind 127.0.0.1:8\n  http-request auth if { http_auth(L9) }\n")
        let result = try haproxy(["-c", "-f", file.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("config : userlist 'L1': no such user 'a' specified in group 'G1'\n"), result.stderr)
        XCTAssertFalse(result.stderr.contains("L9"), "the userlist check stops the others")
    }
}
