import XCTest

@testable import HAProxyConfig

final class LineTokenizerTests: XCTestCase {
    let env = ["FOO": "bar", "LIST": "a b  c", "EMPTY": ""]

    func words(_ line: String) -> [String] {
        let env = self.env
        return (try? LineTokenizer(lookup: { env[$0] }).tokenize(line).get()) ?? ["<error>"]
    }

    func failure(_ line: String) -> LineTokenizer.Failure? {
        let env = self.env
        if case .failure(let f) = LineTokenizer(lookup: { env[$0] }).tokenize(line) { return f }
        return nil
    }

    func testWhitespaceAndComments() {
        XCTAssertEqual(words("  bind\t:80   name  x # comment"), ["bind", ":80", "name", "x"])
        XCTAssertEqual(words("# only a comment"), [])
        XCTAssertEqual(words(""), [])
        XCTAssertEqual(words("a#b"), ["a"])
        XCTAssertEqual(words("a\r\n"), ["a"])
        XCTAssertEqual(words("a\rb c"), ["a"], "a CR ends the line")
    }

    /// As HAProxy 2.6: a CR ends the line even inside quotes (the quote is
    /// then left open), and the line is shown with its blanks as spaces.
    func testCarriageReturnInsideQuotesEndsTheLine() throws {
        let f = try XCTUnwrap(failure("    description \"ab\tc\rd\""))
        XCTAssertEqual(f, .init(reason: "unmatched quote", offset: 16))
        XCTAssertEqual(
            f.message(line: "    description \"ab\tc\rd\""),
            "unmatched quote at position 17:\n  description \"ab c d\"\n              ^")
    }

    func testQuotes() {
        XCTAssertEqual(words(#"log-format "%t %s" x"#), ["log-format", "%t %s", "x"])
        XCTAssertEqual(words(#"a '$FOO # x'"#), ["a", "$FOO # x"])
        XCTAssertEqual(words(#""%{+Q}o %t"' %s'\ %{-Q}r"#), ["%{+Q}o %t %s %{-Q}r"])
        XCTAssertEqual(words(#"x """#), ["x", ""])
        XCTAssertEqual(words(#"'a\\b'"#), [#"a\\b"#])
    }

    func testEscapes() {
        XCTAssertEqual(words(##"a\ b \# \\ \" \' \$"##), ["a b", "#", "\\", "\"", "'", "$"])
        XCTAssertEqual(words(#""a\x41\tb\r\n""#), ["aA\tb\r\n"])
        XCTAssertEqual(words("\\1x"), ["\\1x"])
    }

    func testEnvironmentOnlyInDoubleQuotes() {
        XCTAssertEqual(words(#"$FOO ${FOO} "$FOO" "${FOO}x""#), ["$FOO", "${FOO}", "bar", "barx"])
        XCTAssertEqual(words(#""$FOO"x'$FOO'"#), ["barx$FOO"])
        XCTAssertEqual(words(#""${NOPE}" "${NOPE-def}" "${EMPTY-def}" "${NOPE-}""#), ["", "def", "", ""])
        XCTAssertEqual(words(#""\$FOO""#), ["$FOO"])
    }

    func testListExpansion() {
        XCTAssertEqual(words(#"x "${LIST[*]}" y"#), ["x", "a", "b", "c", "y"])
        XCTAssertEqual(words(#""x${LIST[*]}y""#), ["xa", "b", "cy"])
        XCTAssertEqual(words(#""${LIST}""#), ["a b  c"])
    }

    func testErrorsAndPositions() {
        XCTAssertEqual(failure(#"  description "abc"#), .init(reason: "unmatched quote", offset: 14))
        XCTAssertEqual(failure("x 'abc"), .init(reason: "unmatched quote", offset: 2))
        XCTAssertEqual(failure(#"d \x4"#), .init(reason: "truncated or invalid hexadecimal sequence", offset: 2))
        XCTAssertEqual(failure(#"d "${ABC""#)?.reason, "unmatched brace in environment variable name")
        XCTAssertEqual(failure(#"d "$""#)?.reason, "forbidden first char in environment variable name")
        XCTAssertEqual(
            failure("\t    description   x  \"abc")?.message(line: "\t    description   x  \"abc"),
            "unmatched quote at position 23:\n  description   x  \"abc\n                   ^")
    }

    func testTooManyWords() {
        let line = (0..<70).map(String.init).joined(separator: " ")
        XCTAssertEqual(failure(line)?.reason.hasPrefix("too many words"), true)
    }
}
