import XCTest

@testable import HAProxyConfig

/// `fe_req_rate(F)` and `fe_sess_rate(F)` name a frontend that must exist
/// once the whole configuration is read; messages recorded from 2.6.
final class FrontendRateReferenceTests: XCTestCase {
    func testUnknownFrontendIsRefusedAsTheReference() {
        let cases: [(String, String)] = [
            ("http-request deny if { fe_sess_rate(bk) gt 1 }",
             "parsing [test.cfg:3]: unable to find frontend 'bk' referenced in arg 1 of ACL keyword 'fe_sess_rate' "
                + "in proxy 'fe'."),
            ("http-request set-header x %[fe_req_rate(nope)]",
             "parsing [test.cfg:3]: unable to find frontend 'nope' referenced in arg 1 of sample fetch keyword "
                + "'fe_req_rate' in http-request expression in proxy 'fe'."),
        ]
        for (line, expected) in cases {
            let (config, diagnostics) = TestSupport.load("frontend fe\n    bind :80\n    \(line)\nbackend bk\n")
            XCTAssertNil(config, line)
            XCTAssertEqual(diagnostics.alerts.first?.message, expected, line)
        }
    }

    func testKnownFrontendsAreAccepted() {
        let (config, diagnostics) = TestSupport.load(
            """
            frontend fe
                bind :80
                http-request set-header x %[fe_req_rate(fe)]/%[fe_sess_rate(other)]/%[fe_req_rate]
            listen other
                bind :81
            """)
        XCTAssertNotNil(config)
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
    }
}
