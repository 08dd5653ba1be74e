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
        let f = try LogFormat(compiling: "%[ssl_fc_sni,lower] x")
        XCTAssertEqual(f.unsupportedSamples, ["ssl_fc_sni,lower"])
        XCTAssertThrowsError(try LogFormat(compiling: "%[src"))
    }

    func testBuiltinsCompile() {
        XCTAssertTrue(LogFormat.httpLog.usesHTTPVariables)
        XCTAssertFalse(LogFormat.tcpLog.usesHTTPVariables)
        XCTAssertEqual(LogFormat.httpsLog.unsupportedSamples.count, 6)
    }
}
