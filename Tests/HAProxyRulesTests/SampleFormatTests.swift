import HAProxyRules
import XCTest

/// `%[...]` strings; error texts from `haproxy -c` on `http-request
/// set-header X <format>`, rendering from `lf-string`.
final class SampleFormatTests: XCTestCase {
    private func formatError(_ text: String) -> String? {
        do {
            _ = try SampleFormat.parse(text)
            return nil
        } catch {
            return (error as? SampleParseError)?.message
        }
    }

    func testErrors() {
        XCTAssertEqual(formatError("%[foo]"), "failed to parse sample expression <foo]> : unknown fetch method 'foo'")
        XCTAssertEqual(formatError("%[src,foo]"), "failed to parse sample expression <src,foo]> : unknown converter 'foo'")
        XCTAssertEqual(formatError("%[str(a),]"), "failed to parse sample expression <str(a),]> : unknown converter ''")
        XCTAssertEqual(formatError("%[str(a]"), "failed to parse sample expression <str(a]> : fetch method 'str' : expected ')'")
        XCTAssertEqual(
            formatError("%[str(a),lower(]"), "failed to parse sample expression <str(a),lower(]> : invalid arg 1 in converter 'lower' : expected ')' before ']'")
        XCTAssertEqual(formatError("%[str(a) ,lower]"), "missing ']' after 'str(a)'")
        XCTAssertEqual(formatError("%[str(a)"), "missing ']' after 'str(a)'")
        XCTAssertEqual(formatError("%[str(a)]%["), "failed to parse sample expression <> : missing fetch method")
        XCTAssertEqual(
            formatError("%Zz"), "no such format variable 'Zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'")
        XCTAssertEqual(formatError("a%"), "truncated line after '%'")
        XCTAssertEqual(formatError("%{+Q"), "truncated line after '+Q'")
        XCTAssertNil(formatError("%ci:%cp %{+Q}[src]"))
    }

    func testRendering() throws {
        let context = TestSampleContext(request: TestMessage(headers: [("X", "a\tb\u{7f}c\r\n")]))
        XCTAssertEqual(try SampleFormat.parse("v=%[str(a)]%%%[str(b)]").evaluate(context), Array("v=a%b".utf8))
        XCTAssertEqual(try SampleFormat.parse("v=%[req.hdr(nope)]").evaluate(context), Array("v=".utf8))
        XCTAssertEqual(try SampleFormat.parse("v=%[int(5)] %[src,ipmask(8)]").evaluate(context), Array("v=5 10.0.0.0".utf8))
        XCTAssertEqual(try SampleFormat.parse("%[req.fhdr(x)]").evaluate(context), Array("a\tb%7Fc%0D%0A".utf8))
        XCTAssertEqual(try SampleFormat.parse("%[str(xyz),bytes(1)]").evaluate(context), Array("yz".utf8))
        let format = try SampleFormat.parse("%ci-%[str(a)]")
        XCTAssertEqual(format.evaluate(context) { name, _, out in out += Array("<\(name)>".utf8) }, Array("<ci>-a".utf8))
        XCTAssertTrue(try SampleFormat.parse("plain").isConstant)
    }

    /// `%{+X}o` hands its options to the variables after it, before their own.
    func testVariablesGetTheOptionsOfTheFormatsOVariable() throws {
        let context = TestSampleContext()
        let format = try SampleFormat.parse("%ci %{+X}o%cp %{-X,+Q}fi")
        let rendered = format.evaluate(context) { name, options, out in
            out += Array("<\(name)\(options.joined(separator: ","))>".utf8)
        }
        XCTAssertEqual(String(decoding: rendered, as: UTF8.self), "<ci> <cp+X> <fi+X,-X,+Q>")
    }

    /// `unique-id-format` reads its spaces as separators, as 2.6 does
    /// (recorded): one space for a run, none at the start nor right after
    /// another, an empty sample counting as written.
    func testMergingSpacesAsInALogLine() throws {
        let context = TestSampleContext()
        func render(_ text: String) throws -> String {
            let format = try SampleFormat.parse(text)
            let bytes = format.evaluate(context, mergingSpaces: true) { name, _, out in
                if name != "o" { out += Array("V".utf8) }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        XCTAssertEqual(try render(" %ci"), "V")
        XCTAssertEqual(try render("a  %ci"), "a V")
        XCTAssertEqual(try render("%ci  %cp"), "V V")
        XCTAssertEqual(try render("%{+X}o %ci"), "V")
        XCTAssertEqual(try render("x %{+X}o %ci"), "x V")
        XCTAssertEqual(try render("%[str(q)]  %[str()] z"), "q  z")
        XCTAssertEqual(try render("a  b"), "a b")
    }

    /// "sample fetch <res.hdr(a)]> may not be reliably used here because
    /// it needs 'HTTP response headers' which is not available here".
    func testMissingSource() throws {
        let format = try SampleFormat.parse("%[res.hdr(a)]")
        XCTAssertEqual(format.missingSource(at: .httpRequest(inBackend: false))?.source.name, "HTTP response headers")
        XCTAssertNil(format.missingSource(at: .httpResponse))
    }
}
