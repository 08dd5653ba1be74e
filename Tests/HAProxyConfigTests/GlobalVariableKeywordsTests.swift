import HAProxyRules
import XCTest

@testable import HAProxyConfig

/// `set-var` and `set-var-fmt` in the global section: values computed when
/// the configuration is read; errors worded as 2.6's `-c` words them.
final class GlobalVariableKeywordsTests: XCTestCase {
    func testValuesAreComputedAtParseTime() throws {
        let (config, diagnostics) = TestSupport.load(
            "global\n  set-var proc.x str(a),upper\n  set-var-fmt proc.y abc%[str(q)]\n  set-var proc.z var(proc.x),lower\n")
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        let values = try XCTUnwrap(config).global.processVariables
        XCTAssertEqual(values.map { $0.0.name }, ["x", "y", "z"])
        XCTAssertEqual(values.map(\.1), [.string(Array("A".utf8)), .string(Array("abcq".utf8)), .string(Array("a".utf8))])
    }

    func testErrorsAsTheReferenceWordsThem() {
        let cases = [
            ("set-var txn.x int(1)",
             "parsing [test.cfg:2] : 'set-var': cannot set variable 'txn.x', only scope 'proc' is permitted in the global section."),
            ("set-var proc.x",
             "parsing [test.cfg:2] : 'set-var' requires a process-wide variable name ('proc.<name>') and a sample expression."),
            ("set-var proc.x req.hdr(a)",
             "parsing [test.cfg:2] : fetch method 'set-var(proc.x)' extracts information from 'HTTP request headers', none of which is available here"),
        ]
        for (line, expected) in cases {
            let (_, diagnostics) = TestSupport.load("global\n  \(line)\n")
            XCTAssertEqual(diagnostics.alerts.first?.message, expected, line)
        }
    }
}
