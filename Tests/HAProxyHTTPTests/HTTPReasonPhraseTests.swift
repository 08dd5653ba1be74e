import XCTest
@testable import HAProxyHTTP

final class HTTPReasonPhraseTests: XCTestCase {
    func testKnownAndClassFallbacks() {
        XCTAssertEqual(HTTPReasonPhrase.phrase(for: 302).description, "Moved Temporarily")
        XCTAssertEqual(HTTPReasonPhrase.phrase(for: 208).description, "Success")
        XCTAssertEqual(HTTPReasonPhrase.phrase(for: 399).description, "Redirection")
        XCTAssertEqual(HTTPReasonPhrase.phrase(for: 430).description, "Client Error")
        XCTAssertEqual(HTTPReasonPhrase.phrase(for: 599).description, "Server Error")
    }
}
