import XCTest

@testable import HAProxyCore

/// Agent replies and what HAProxy 2.6.12 made of them (server weight 40).
final class AgentReplyTests: XCTestCase {
    private func reply(_ line: String) -> AgentReply { AgentReply(line: Substring(line)) }

    func testWeightPercentageOfTheConfiguredWeight() {
        XCTAssertEqual(reply("75%").weight(configured: 40), 30)
        XCTAssertEqual(reply("0%").weight(configured: 40), 0)
        XCTAssertEqual(reply("300%").weight(configured: 40), 120)
        XCTAssertEqual(reply("50% 20%").weight(configured: 40), 8)
        XCTAssertNil(reply("ready").weight(configured: 40))
        XCTAssertNil(reply("75%").info)
        XCTAssertNil(reply("75%").result)
    }

    func testWordsAreSeparatedBySpacesTabsAndCommas() {
        let r = reply("  75%\tmaxconn:30 ,drain")
        XCTAssertEqual(r.weight(configured: 40), 30)
        XCTAssertEqual(r.maxconn, 30)
        XCTAssertEqual(r.admin, .drain)
        XCTAssertNil(r.unknownWord)
    }

    func testAdministrativeWords() {
        XCTAssertEqual(reply("ready").admin, .ready)
        XCTAssertEqual(reply("Drain").admin, .drain)
        XCTAssertEqual(reply("50% drain").admin, .drain)
        XCTAssertEqual(reply("maint").admin, .maint)
        XCTAssertNil(reply("maint").result)
    }

    func testStatusWords() {
        XCTAssertEqual(reply("down").result, .L7STS)
        XCTAssertEqual(reply("down").info, "via agent : down")
        XCTAssertEqual(reply("fail").info, "via agent : fail")
        XCTAssertEqual(reply("stopped").info, "via agent : stopped")
        XCTAssertEqual(reply("up").result, .L7OK)
        XCTAssertEqual(reply("UP").info, "via agent : UP")
        XCTAssertEqual(reply("up down").info, "via agent : down")
        XCTAssertEqual(reply("down up").result, .L7OK)
    }

    func testUnknownWords() {
        XCTAssertEqual(reply("foo").info, "agent reports an error : foo")
        XCTAssertEqual(reply("foo bar").info, "agent reports an error : foo")
        XCTAssertEqual(reply("75").info, "agent reports an error : 75")
        XCTAssertEqual(reply("-5%").info, "agent reports an error : -5%")
        XCTAssertEqual(reply("down#going away").info, "agent reports an error : down#going")
        XCTAssertNil(reply("down#going away").result)
        XCTAssertEqual(reply("x 60%").weight(configured: 40), 24)
        XCTAssertEqual(reply("foo up").info, "via agent : up (foo)")
        XCTAssertEqual(reply("up foo").info, "via agent : up (foo)")
    }

    func testWarnings() {
        XCTAssertEqual(reply("75%x").info, "agent warns : Trailing garbage in weight string")
        XCTAssertNil(reply("75%x").weight(configured: 40))
        XCTAssertNil(reply("60%x 50%").info)
        XCTAssertEqual(reply("60%x 50%").weight(configured: 40), 20)
        XCTAssertEqual(reply("maxconn:abc").info, "agent warns : maxconn string empty or preceded by garbage")
        XCTAssertEqual(reply("maxconn:12x").info, "agent warns : Trailing garbage in maxconn string")
        XCTAssertNil(reply("maxconn:12x").maxconn)
        XCTAssertEqual(reply("maxconn:0").maxconn, 0)
    }

    func testEmptyLine() {
        XCTAssertEqual(reply(""), AgentReply())
        XCTAssertNil(reply("").info)
    }
}
