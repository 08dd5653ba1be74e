import Foundation
import HAProxyRules
import XCTest

/// ACL lines, match methods, flags, pattern files and conditions over a
/// plain test context.
final class ACLTests: XCTestCase {
    private func context(
        path: String = "/api/v1/users", headers: [(String, String)] = [("Host", "www.Example.com")], method: String = "GET"
    ) -> TestSampleContext {
        let c = TestSampleContext()
        c.request = TestMessage(method: Array(method.utf8), uri: Array(path.utf8), headers: headers)
        return c
    }

    /// Whether `if ACL` holds for a table made of `lines` (each after `acl`).
    private func holds(_ lines: [String], _ condition: String, _ c: TestSampleContext) throws -> Bool {
        var table = ACLTable()
        for line in lines { try table.add(line.split(separator: " ").map(String.init)) }
        let words = ["if"] + condition.split(separator: " ").map(String.init)
        return try Condition.parse(ArraySlice(words), acls: table).evaluate(c)
    }

    func testMatchMethods() throws {
        let c = context()
        XCTAssertTrue(try holds(["a path /api/v1/users"], "a", c))
        XCTAssertTrue(try holds(["a path_beg /api /x"], "a", c))
        XCTAssertTrue(try holds(["a path_end /users"], "a", c))
        XCTAssertTrue(try holds(["a path_sub v1"], "a", c))
        XCTAssertTrue(try holds(["a path_reg ^/api/v[0-9]+/"], "a", c))
        XCTAssertTrue(try holds(["a path_dir v1"], "a", c))
        XCTAssertFalse(try holds(["a path_dir v"], "a", c))
        XCTAssertTrue(try holds(["a hdr_dom(host) -i example.com"], "a", c))
        XCTAssertFalse(try holds(["a hdr_dom(host) example.com"], "a", c))
        XCTAssertTrue(try holds(["a hdr(host) -m len 15"], "a", c))
        XCTAssertTrue(try holds(["a hdr_len(host) gt 10"], "a", c))
        XCTAssertTrue(try holds(["a hdr(host) -m found"], "a", c))
        XCTAssertFalse(try holds(["a hdr(x-none) -m found"], "a", c))
        XCTAssertTrue(try holds(["a src 10.0.0.0/8"], "a", c))
        XCTAssertTrue(try holds(["a src 10.0.0.0/255.0.0.0 192.168.0.1"], "a", c))
        XCTAssertFalse(try holds(["a src 127.0.0.1"], "a", c))
        XCTAssertTrue(try holds(["a dst_port 8000:9000"], "a", c))
        XCTAssertTrue(try holds(["a dst_port ge 8080"], "a", c))
        XCTAssertFalse(try holds(["a dst_port lt 8080"], "a", c))
        XCTAssertTrue(try holds(["a always_true"], "a", c))
        XCTAssertTrue(try holds(["a -- path /api/v1/users"].map { $0.replacingOccurrences(of: "a -- path", with: "a path --") }, "a", c))
    }

    func testConditionsAndPredefinedACLs() throws {
        let c = context()
        XCTAssertTrue(try holds(["api path_beg /api", "get method GET"], "api get", c))
        XCTAssertFalse(try holds(["api path_beg /api", "post method POST"], "api post", c))
        XCTAssertTrue(try holds(["api path_beg /api", "post method POST"], "post || api", c))
        XCTAssertTrue(try holds(["post method POST"], "!post", c))
        XCTAssertTrue(try holds(["post method POST"], "! post", c))
        XCTAssertTrue(try holds([], "{ path_beg /api } METH_GET", c))
        XCTAssertTrue(try holds([], "HTTP_URL_SLASH TRUE !FALSE", c))
        XCTAssertTrue(try holds(["x path /nope", "x path /api/v1/users"], "x", c))
        // Recorded: `if` alone is false (and `unless` alone true); `or`, in
        // any case, is ||.
        XCTAssertFalse(try holds([], "", c))
        XCTAssertTrue(try holds(["post method POST"], "post OR TRUE", c))
        XCTAssertTrue(try holds(["post method POST"], "post or TRUE", c))
        XCTAssertTrue(try holds(["post method POST", "api path_beg /api"], "post Or api", c))
        XCTAssertFalse(try holds(["post method POST"], "post or FALSE", c))
    }

    func testErrorsAsTheReferenceWordsThem() {
        // Recorded with `haproxy -c` (Debian's 2.6.12), one line each.
        func message(_ line: String) -> String? {
            var table = ACLTable()
            do {
                try table.add(line.split(separator: " ").map(String.init))
            } catch let e as ACLParseError {
                return e.message
            } catch {
                return "\(error)"
            }
            return nil
        }
        XCTAssertEqual(message("x foo"), "error detected while parsing ACL 'x' : unknown fetch method 'foo' in ACL expression 'foo'.")
        XCTAssertEqual(message("x src 1.2.3.400"), "error detected while parsing ACL 'x' : '1.2.3.400' is not a valid IPv4 or IPv6 address.")
        XCTAssertEqual(message("x dst_port abc"), "error detected while parsing ACL 'x' : 'abc' is not a number.")
        XCTAssertEqual(message("x path -m foo /a"), "error detected while parsing ACL 'x' : unknown matching method 'foo' when parsing ACL expression.")
        XCTAssertEqual(message("x path -f /nonexistent"), "error detected while parsing ACL 'x' : failed to open pattern file </nonexistent>.")
        XCTAssertEqual(message("x! path /a"), "character '!' is not permitted in acl name 'x!'.")
        XCTAssertEqual(message("or path /a"), "acl name 'or' will never match. 'or' is used to express a logical disjunction within a condition.")
        XCTAssertEqual(message("OR path /a"), "acl name 'OR' will never match. 'or' is used to express a logical disjunction within a condition.")
        XCTAssertEqual(message("x path_reg ("), "error detected while parsing ACL 'x' : regex '(' is invalid (error=missing closing parenthesis, erroffset=1).")
        XCTAssertThrowsError(try holds([], "nope", context()))
        XCTAssertThrowsError(try holds([], "{ path /a", context()))
    }

    func testPatternFileWithCommentsAndBlankLines() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("acl-\(UUID().uuidString).lst")
        try "# blocked paths\n\n/admin\n  /secret\n/.env   \n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        XCTAssertTrue(try holds(["a path -f \(file.path)"], "a", context(path: "/admin")))
        XCTAssertTrue(try holds(["a path -f \(file.path)"], "a", context(path: "/secret")))
        // Recorded: trailing blanks stay part of the pattern.
        XCTAssertFalse(try holds(["a path -f \(file.path)"], "a", context(path: "/.env")))
        XCTAssertFalse(try holds(["a path -f \(file.path)"], "a", context(path: "/public")))
    }
}
