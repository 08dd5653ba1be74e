import XCTest

@testable import HAProxyRules

/// TCP rule sets run on plain contexts: verdicts in declaration order, and
/// content inspection that waits on contents still arriving (manual 4.2
/// `tcp-request inspect-delay`).
final class TCPRuleRunnerTests: XCTestCase {
    private func rule(_ action: TCPAction, _ condition: String? = nil) throws -> TCPRule {
        let words = condition.map { ArraySlice(["if"] + $0.split(separator: " ").map(String.init)) }
        return TCPRule(action: action, condition: try words.map { try Condition.parse($0, acls: ACLTable()) }, location: "t:1")
    }

    /// A context whose contents may still grow (`final` false) or not.
    private func context(_ payload: [UInt8], final: Bool) -> TestSampleContext {
        let c = TestSampleContext()
        c.payload = payload
        c.pendingContent = final ? nil : PendingContent()
        return c
    }

    func testFirstFinalActionWinsAndTheDefaultAccepts() throws {
        let rules = [try rule(.reject, "{ src 10.0.0.2 }"), try rule(.accept, "{ src 10.0.0.1 }"), try rule(.reject)]
        let c = TestSampleContext()
        XCTAssertEqual(TCPRuleRunner.run(rules, on: c), .accept)
        c.source = SocketEndpoint(address: .v4(IPv4Address(0x0a00_0002)), port: 1)
        XCTAssertEqual(TCPRuleRunner.run(rules, on: c), .reject)
        c.source = SocketEndpoint(address: .v4(IPv4Address(0x0a00_0003)), port: 1)
        XCTAssertEqual(TCPRuleRunner.run(rules, on: c), .reject)
        XCTAssertEqual(TCPRuleRunner.run([try rule(.accept, "{ src 1.2.3.4 }")], on: c), .accept)
        XCTAssertEqual(TCPRuleRunner.run([try rule(.close)], on: c), .close)
    }

    func testVariablesAndExpectProxy() throws {
        let name = try VariableName.parse("sess.origin")
        let rules = [
            TCPRule(action: .setVariable(name, try SampleExpression.parse("src"), conditions: []), condition: nil, location: ""),
            try rule(.expectProxy, "{ src 10.0.0.0/8 }"),
        ]
        let c = TestSampleContext()
        var expectProxy = false
        XCTAssertEqual(TCPRuleRunner.run(rules, on: c, expectProxy: &expectProxy), .accept)
        XCTAssertTrue(expectProxy)
        XCTAssertEqual(c.variables.get(name), .ipv4(IPv4Address(0x0a00_0001)))
        let unset = TCPRule(action: .unsetVariable(name), condition: nil, location: "")
        _ = TCPRuleRunner.run([unset], on: c)
        XCTAssertNil(c.variables.get(name))
    }

    /// `req.len ge 10` on 5 bytes: a miss while more may come, a failure
    /// once the contents are final (the delay expired).
    func testAMissWaitsUntilTheContentsAreFinal() throws {
        let rules = [try rule(.accept, "{ req.len ge 10 }"), try rule(.reject)]
        XCTAssertEqual(TCPRuleRunner.run(rules, on: context(Array("short".utf8), final: false)), .wait)
        XCTAssertEqual(TCPRuleRunner.run(rules, on: context(Array("short".utf8), final: true)), .reject)
        XCTAssertEqual(TCPRuleRunner.run(rules, on: context(Array("long enough".utf8), final: false)), .accept)
        // A payload test on enough bytes decides at once.
        let drop = [try rule(.reject, "{ req.payload(0,4) -m str DROP }")]
        XCTAssertEqual(TCPRuleRunner.run(drop, on: context(Array("DR".utf8), final: false)), .wait)
        XCTAssertEqual(TCPRuleRunner.run(drop, on: context(Array("KEEP".utf8), final: false)), .accept)
        XCTAssertEqual(TCPRuleRunner.run(drop, on: context(Array("DROP me".utf8), final: false)), .reject)
        // WAIT_END holds everything until the end of the delay.
        let waitEnd = [try rule(.reject, "WAIT_END")]
        XCTAssertEqual(TCPRuleRunner.run(waitEnd, on: context([], final: false)), .wait)
        XCTAssertEqual(TCPRuleRunner.run(waitEnd, on: context([], final: true)), .reject)
    }

    /// A miss combines as in 2.6: AND with a failure fails, OR with a
    /// match matches, `!` keeps it a miss.
    func testThreeValuedConditions() throws {
        func result(_ condition: String, _ payload: String) throws -> ConditionResult {
            let words = ArraySlice(condition.split(separator: " ").map(String.init))
            return try Condition.parse(words, acls: ACLTable()).test(context(Array(payload.utf8), final: false))
        }
        XCTAssertEqual(try result("if { req.len ge 10 }", "abc"), .miss)
        XCTAssertEqual(try result("if { req.len ge 10 } { src 1.2.3.4 }", "abc"), .fail)
        XCTAssertEqual(try result("if { req.len ge 10 } || { src 10.0.0.1 }", "abc"), .pass)
        XCTAssertEqual(try result("if ! { req.len ge 10 }", "abc"), .miss)
        XCTAssertEqual(try result("unless { req.len ge 10 }", "abc"), .miss)
        XCTAssertEqual(try result("if { req.len ge 2 }", "abc"), .pass)
    }

    /// The ClientHello fetches wait for the whole first record; anything
    /// that does not start like TLS fails at once.
    func testClientHelloFetchesWaitForTheWholeRecord() throws {
        let hello = SampleFetchTests.clientHello(serverName: "a.example.com")
        let rules = [try rule(.accept, "{ req.ssl_hello_type 1 }"), try rule(.reject)]
        let sni = [try rule(.accept, "{ req.ssl_sni -i A.example.com }"), try rule(.reject)]
        for length in [0, 3, 5, 10, hello.count - 1] {
            XCTAssertEqual(TCPRuleRunner.run(rules, on: context(Array(hello[..<length]), final: false)), .wait, "\(length)")
            XCTAssertEqual(TCPRuleRunner.run(sni, on: context(Array(hello[..<length]), final: false)), .wait, "\(length)")
            XCTAssertEqual(TCPRuleRunner.run(rules, on: context(Array(hello[..<length]), final: true)), .reject, "\(length)")
        }
        XCTAssertEqual(TCPRuleRunner.run(rules, on: context(hello, final: false)), .accept)
        XCTAssertEqual(TCPRuleRunner.run(sni, on: context(hello, final: false)), .accept)
        XCTAssertEqual(TCPRuleRunner.run(rules, on: context(Array("GET / HTTP/1.0\r\n".utf8), final: false)), .reject)
        let noSNI = [try rule(.reject, "{ req.ssl_sni -m found }")]
        let other = SampleFetchTests.clientHello(serverName: "")
        XCTAssertEqual(TCPRuleRunner.run(noSNI, on: context(other, final: false)), .reject, "an empty name is still found")
    }
}
