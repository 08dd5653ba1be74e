import XCTest
@testable import HalogCore

/// Field navigation of a log line: the word-at-a-time space search agrees
/// with a byte-by-byte one wherever the space falls and whatever the length.
final class LineFieldsTests: XCTestCase {
    private func withLine<R>(_ bytes: [UInt8], _ body: (LineFields) -> R) -> R {
        bytes.withUnsafeBufferPointer { b in
            body(LineFields(start: b.baseAddress!, end: b.baseAddress! + b.count))
        }
    }

    func testNextSpaceMatchesAByteScanAtEveryPosition() {
        for length in 1...24 {
            for space in [-1] + Array(0..<length) {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                if space >= 0 { bytes[space] = 0x20 }
                // Bytes that differ from a space by one bit must not match.
                if length > 3 { bytes[length - 1] = space == length - 1 ? 0x20 : 0x21 }
                let expected = bytes.firstIndex(of: 0x20) ?? length
                withLine(bytes) { l in
                    XCTAssertEqual(l.nextSpace(l.start) - l.start, expected, "length \(length), space at \(space)")
                }
            }
        }
    }

    func testFieldSkipsRunsOfSpaces() {
        withLine(Array("a  bbbbbbbbbbbb   c dddddddddddddddd".utf8)) { l in
            XCTAssertEqual(l.field(l.start, 1) - l.start, 3)
            XCTAssertEqual(l.field(l.start, 2) - l.start, 18)
            XCTAssertEqual(l.field(l.start, 3) - l.start, 20)
            XCTAssertTrue(l.field(l.start, 4) == l.end)
        }
    }
}
