import HAProxyBase
import XCTest

/// The printf and CharacterSet replacements give what Foundation gave.
final class TextHelpersTests: XCTestCase {
    func testZeroPaddedMatchesPrintf() {
        XCTAssertEqual(7.zeroPadded(2), "07")
        XCTAssertEqual(123.zeroPadded(2), "123")
        XCTAssertEqual(0.zeroPadded(3), "000")
        XCTAssertEqual((-5).zeroPadded(3), "-05")
        XCTAssertEqual(Int32(2026).zeroPadded(4), "2026")
    }

    func testHexPaddedMatchesPrintf() {
        XCTAssertEqual(UInt32(0x7c).hexPadded(2, uppercase: true), "7C")
        XCTAssertEqual(UInt32(0x1f).hexPadded(4), "001f")
        XCTAssertEqual(UInt32(0x12345).hexPadded(4), "12345")
    }

    func testTrimmingWhitespaceKeepsLineBreaks() {
        XCTAssertEqual("  \tabc d \t".trimmingWhitespace(), "abc d")
        XCTAssertEqual("\u{00A0}x\u{2003}".trimmingWhitespace(), "x")
        XCTAssertEqual("\nx\n".trimmingWhitespace(), "\nx\n")
        XCTAssertEqual("   ".trimmingWhitespace(), "")
        XCTAssertEqual(" 1 "[...].trimmingWhitespace(), "1")
    }

    func testTrimmingPredicate() {
        XCTAssertEqual("[::1]".trimming { $0 == "[" || $0 == "]" }, "::1")
        XCTAssertEqual("'allow'".trimming { $0 == "'" }, "allow")
    }
}
