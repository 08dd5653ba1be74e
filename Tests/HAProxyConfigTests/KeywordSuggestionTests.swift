import XCTest

@testable import HAProxyConfig

final class KeywordSuggestionTests: XCTestCase {
    func testSuggestsLikeHAProxy() {
        XCTAssertEqual(KeywordSuggestion.bestMatch(for: "bindd", among: ["bind", "balance", "mode"]), "bind")
        XCTAssertEqual(KeywordSuggestion.bestMatch(for: "mode", among: ["node", "daemon"]), "node")
        XCTAssertEqual(KeywordSuggestion.bestMatch(for: "foo", among: ["tfo", "name"]), "tfo")
        XCTAssertNil(KeywordSuggestion.bestMatch(for: "blah", among: ["bind"]))
        XCTAssertNil(KeywordSuggestion.bestMatch(for: "x", among: []))
    }
}
