import XCTest
@testable import HAProxyObservability

final class LogFormatTests: XCTestCase {
    func testUnknownVariableIsRefusedAsHAProxyWordsIt() {
        XCTAssertThrowsError(try LogFormat(compiling: "%ci %zz")) { error in
            XCTAssertEqual((error as? LogFormatError)?.message,
                           "no such format variable 'zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'.")
        }
    }

    func testFlagsAndPercentAndSeparators() throws {
        let f = try LogFormat(compiling: "%{+Q}o %%  %{-Q,+X}ci")
        XCTAssertEqual(f.items, [.separator, .literal(Array("%".utf8)), .separator, .variable(.clientIP, [.hex])])
    }

    func testSampleExpressionsAreKeptAndReported() throws {
        let f = try LogFormat(compiling: "%[ssl_fc_sni,lower] %[fc_err_str] x")
        XCTAssertEqual(f.unsupportedSamples, ["fc_err_str"])
        XCTAssertThrowsError(try LogFormat(compiling: "%[src"))
    }

    func testBuiltinsCompile() {
        XCTAssertTrue(LogFormat.httpLog.usesHTTPVariables)
        XCTAssertFalse(LogFormat.tcpLog.usesHTTPVariables)
        XCTAssertEqual(LogFormat.httpsLog.unsupportedSamples, [], "the TLS fetches exist")
    }
}
