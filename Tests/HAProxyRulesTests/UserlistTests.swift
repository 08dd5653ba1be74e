import XCTest

@testable import HAProxyRules

/// Userlists, crypt(3) verification, the authorization header as 2.6
/// reads it, the `http_auth*` fetches and `http_auth_group` ACLs.
final class UserlistTests: XCTestCase {
    // `openssl passwd -6|-5|-1 -salt abcdefgh secretN`.
    static let sha512 = "$6$abcdefgh$xCmU6eXePqd8uT3.jYlk3Fgv/roflqiCi/twHrvHhPTT4qT0rTqu/3ZTFEf6uqFcl7eKyk81ngZEadU/ehEy51"
    static let sha256 = "$5$abcdefgh$AVKsPBNtNFkXXKvvkrPMobKUZbm0i7P2XfVbwGW9BS/"
    static let md5 = "$1$abcdefgh$ywpTNDTYPzAT3Ohgseebp/"

    func testCryptHashesFromOpenSSL() {
        XCTAssertTrue(PasswordHash.verify(Array("secret6".utf8), against: Self.sha512))
        XCTAssertTrue(PasswordHash.verify(Array("secret5".utf8), against: Self.sha256))
        XCTAssertTrue(PasswordHash.verify(Array("secret1".utf8), against: Self.md5))
        XCTAssertFalse(PasswordHash.verify(Array("secret5".utf8), against: Self.sha512))
        XCTAssertFalse(PasswordHash.verify(Array("Secret1".utf8), against: Self.md5))
        XCTAssertFalse(PasswordHash.verify([], against: Self.md5))
        // A truncated hash never matches; neither do the failure tokens.
        XCTAssertFalse(PasswordHash.verify(Array("secret6".utf8), against: "$6$k6y3o.eP$JlKBx"))
        XCTAssertFalse(PasswordHash.verify(Array("x".utf8), against: "*0"))
    }

    func testCryptIsSafeOnSeveralThreads() {
        let ok = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        ok.initialize(to: 0)
        defer { ok.deallocate() }
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let good = PasswordHash.verify(Array("secret\(i % 2 == 0 ? 6 : 5)".utf8), against: i % 2 == 0 ? Self.sha512 : Self.sha256)
            lock.lock()
            if good { ok.pointee += 1 }
            lock.unlock()
        }
        XCTAssertEqual(ok.pointee, 16)
    }

    static func manualExample() -> Userlist {
        // Manual 3.4's L2, membership declared on the users.
        var list = Userlist(name: "L1")
        list.add(Userlist.Group(name: "G1", users: ["tiger"]))
        list.add(Userlist.Group(name: "G2", users: []))
        list.add(Userlist.User(name: "tiger", password: .hashed(sha512), groups: []))
        list.add(Userlist.User(name: "scott", password: .insecure(Array("elgato".utf8)), groups: ["G1", "G2"]))
        list.add(Userlist.User(name: "xdb", password: .insecure(Array("hello".utf8)), groups: ["G2"]))
        list.add(Userlist.User(name: "nopass", password: nil, groups: ["G1"]))
        return list
    }

    func testMembershipFromBothSidesAndPasswords() {
        let list = Self.manualExample()
        XCTAssertTrue(list.isMember("tiger", ofAnyOf: ["G1"]))
        XCTAssertFalse(list.isMember("tiger", ofAnyOf: ["G2"]))
        XCTAssertTrue(list.isMember("scott", ofAnyOf: ["G3", "G2"]))
        XCTAssertFalse(list.isMember("nobody", ofAnyOf: ["G1"]))
        XCTAssertTrue(list.authenticates(user: Array("scott".utf8), password: Array("elgato".utf8)))
        XCTAssertFalse(list.authenticates(user: Array("scott".utf8), password: Array("elgato ".utf8)))
        XCTAssertTrue(list.authenticates(user: Array("tiger".utf8), password: Array("secret6".utf8)))
        XCTAssertFalse(list.authenticates(user: Array("nobody".utf8), password: Array("x".utf8)))
        // 2.6 crashes on a user without password; here nothing matches.
        XCTAssertFalse(list.authenticates(user: Array("nopass".utf8), password: []))
        XCTAssertNil(list.firstInconsistency)
    }

    func testDuplicatesKeepTheFirstDeclaration() {
        var list = Userlist(name: "L")
        XCTAssertTrue(list.add(Userlist.User(name: "a", password: .insecure([0x31]), groups: [])))
        XCTAssertFalse(list.add(Userlist.User(name: "a", password: .insecure([0x32]), groups: [])))
        XCTAssertTrue(list.authenticates(user: [0x61], password: [0x31]))
        XCTAssertTrue(list.add(Userlist.Group(name: "G", users: [])))
        XCTAssertFalse(list.add(Userlist.Group(name: "G", users: ["a"])))
        XCTAssertFalse(list.isMember("a", ofAnyOf: ["G"]))
    }

    func testInconsistenciesInTheOrder26ReportsThem() {
        // Recorded: users before groups, the last declared first, the
        // first missing name of a list.
        var list = Userlist(name: "L1")
        list.add(Userlist.Group(name: "G1", users: ["a"]))
        list.add(Userlist.Group(name: "G2", users: ["b"]))
        XCTAssertEqual(list.firstInconsistency, "userlist 'L1': no such user 'b' specified in group 'G2'")
        list.add(Userlist.User(name: "d", password: nil, groups: ["X", "Y"]))
        list.add(Userlist.User(name: "e", password: nil, groups: ["G1", "Z"]))
        XCTAssertEqual(list.firstInconsistency, "userlist 'L1': no such group 'Z' specified in user 'e'")
    }

    func testAuthorizationHeaderAsTheReferenceReadsIt() {
        func parse(_ s: String) -> HTTPCredentials? { HTTPCredentials.parse(Array(s.utf8)) }
        let scott = HTTPCredentials.basic(user: Array("scott".utf8), password: Array("elgato".utf8))
        // Recorded from 2.6 with http_auth_type/user/pass in a return.
        XCTAssertEqual(parse("Basic c2NvdHQ6ZWxnYXRv"), scott)
        XCTAssertEqual(parse("basic c2NvdHQ6ZWxnYXRv"), scott)
        XCTAssertEqual(parse("BASIC  c2NvdHQ6ZWxnYXRv"), scott)
        XCTAssertEqual(parse("Basic c2NvdHQ6ZWxnYXRvOmV4dHJh"),
                       .basic(user: Array("scott".utf8), password: Array("elgato:extra".utf8)))
        XCTAssertEqual(parse("Basic OmVsZ2F0bw=="), .basic(user: [], password: Array("elgato".utf8)))
        XCTAssertEqual(parse("Bearer abc.def"), .bearer(token: Array("abc.def".utf8)))
        XCTAssertEqual(parse("bearer  abc def"), .bearer(token: Array("abc def".utf8)))
        XCTAssertEqual(parse("bearer x")?.scheme, Array("Bearer".utf8))
        for refused in [
            "Basic c2NvdHQ", "Basic c2NvdHQ=", "Basic !!!", "Basic", "Basic c2NvdHQ6ZWxnYXRv==",
            "Basicc2NvdHQ6ZWxnYXRv", "Basic\tc2NvdHQ6ZWxnYXRv", "Basic c2NvdHQ6ZWxnYXRv x", "Bearer",
            "Digest username=x", "Basic dGlnZXI6c2VjcmV0Ng",
        ] {
            XCTAssertNil(parse(refused), refused)
        }
    }

    func context(_ headers: [(String, String)], uri: String = "/") -> TestSampleContext {
        var message = TestMessage(headers: headers)
        message.uri = Array(uri.utf8)
        let context = TestSampleContext(request: message)
        context.userlists = ["L1": Self.manualExample()]
        return context
    }

    func testFetches() throws {
        let scott = context([("Authorization", "Basic c2NvdHQ6ZWxnYXRv, Basic eGRiOmhlbGxv")])
        XCTAssertEqual(try evaluate("http_auth(L1)", scott), .bool(true))
        XCTAssertEqual(try evaluate("http_auth_group(L1)", scott), .text("scott"))
        XCTAssertEqual(try evaluate("http_auth_user", scott), .text("scott"))
        XCTAssertEqual(try evaluate("http_auth_pass", scott), .text("elgato"))
        XCTAssertEqual(try evaluate("http_auth_type", scott), .text("Basic"))
        XCTAssertNil(try evaluate("http_auth_bearer", scott))

        let wrong = context([("Authorization", "Basic c2NvdHQ6eA==")])
        XCTAssertEqual(try evaluate("http_auth(L1)", wrong), .bool(false))
        XCTAssertNil(try evaluate("http_auth_group(L1)", wrong))

        let none = context([])
        XCTAssertNil(try evaluate("http_auth(L1)", none))
        XCTAssertNil(try evaluate("http_auth_type", none))

        let bearer = context([("Authorization", "Basic c2NvdHQ6ZWxnYXRv"), ("X-Tok", "bearer  Tk x")])
        XCTAssertEqual(try evaluate("http_auth_bearer(x-tok)", bearer), .text("Tk x"))
        XCTAssertEqual(try evaluate("http_auth_bearer(X-Tok)", bearer), .text("Tk x"))

        // Under `option http-use-proxy-header`, a proxied request's
        // credentials are in Proxy-Authorization.
        let proxied = context([("Authorization", "Basic eGRiOmhlbGxv"), ("Proxy-Authorization", "Basic c2NvdHQ6ZWxnYXRv")])
        proxied.usesProxyAuthentication = true
        XCTAssertEqual(try evaluate("http_auth_user", proxied), .text("scott"))
    }

    func testUserlistArgumentMayBeEmptyUntilTheConfigurationChecksIt() throws {
        XCTAssertEqual(try SampleExpression.parse("http_auth").fetchArguments, [.userlist("")])
        XCTAssertEqual(try SampleExpression.parse("http_auth()").fetchArguments, [.userlist("")])
        XCTAssertEqual(parseError("http_auth(L1,x)"), "fetch method 'http_auth' : expected ')' before ',x)'")
        XCTAssertEqual(
            parseError("http_auth_user(x)"), "fetch method 'http_auth_user' : expected ')' before 'x)'")
    }

    func testGroupACLMatchesMembershipNotNames() throws {
        var acls = ACLTable()
        let term = try acls.add(["admins", "http_auth_group(L1)", "G2", "G9"])
        XCTAssertEqual(term.groupMatch?.groups, ["G2", "G9"])
        let condition = try Condition.parse(["if", "admins"], acls: acls)
        XCTAssertTrue(condition.evaluate(context([("Authorization", "Basic eGRiOmhlbGxv")])))  // xdb in G2
        XCTAssertFalse(condition.evaluate(context([("Authorization", "Basic c2NvdHQ6eA==")])))  // wrong password
        // tiger:secret6 is only in G1.
        XCTAssertFalse(condition.evaluate(context([("Authorization", "Basic dGlnZXI6c2VjcmV0Ng==")])))
        // A match method or a converter makes the values plain patterns.
        XCTAssertNil(try acls.add(["x", "http_auth_group(L1)", "-m", "str", "G1"]).groupMatch?.groups)
        XCTAssertNil(try acls.add(["y", "http_auth_group(L1),lower", "G1"]).groupMatch?.groups)
        XCTAssertNil(try acls.add(["z", "http_auth_user", "G1"]).groupMatch)
    }

    func testNegatedAnonymousACL() throws {
        let condition = try Condition.parse(["if", "!{", "http_auth(L1)", "}"], acls: ACLTable())
        XCTAssertTrue(condition.evaluate(context([])))
        XCTAssertFalse(condition.evaluate(context([("Authorization", "Basic c2NvdHQ6ZWxnYXRv")])))
        XCTAssertEqual(condition.anonymousTerms.count, 1)
    }
}
