import Foundation
import XCTest

@testable import HAProxyCore

/// The page's HTML from a model, without a runtime: states and colours,
/// the admin form only with admin rights, the options' links, escaping,
/// and validity under Debian's `tidy` when it is installed.
final class StatsPageHTMLTests: XCTestCase {
    private func serverRow(_ name: String, status: String, id: Int) -> ShowStat.Row {
        var row = ShowStat.Row(type: 2, proxyID: 2, serverID: id)
        row["pxname"] = "be"
        row["svname"] = name
        row["status"] = status
        row["weight"] = "1"
        row["uweight"] = "1"
        row["lastchg"] = "75"
        return row
    }

    private func model(admin: Bool) -> StatsPageModel {
        var frontend = ShowStat.Row(type: 0, proxyID: 1, serverID: 0)
        frontend["pxname"] = "fe<&>"
        frontend["svname"] = "FRONTEND"
        frontend["status"] = "OPEN"
        var backend = ShowStat.Row(type: 1, proxyID: 2, serverID: 0)
        backend["pxname"] = "be"
        backend["svname"] = "BACKEND"
        backend["status"] = "UP"
        var model = StatsPageModel()
        model.uri = "/stats"
        model.refreshSeconds = 5
        model.admin = admin
        model.process.pid = 42
        model.process.node = "node1"
        model.proxies = [
            .init(name: "fe<&>", id: 1, capability: "frontend", mode: "http", lines: [.init(row: frontend)]),
            .init(name: "be", id: 2, capability: "backend", mode: "http", lines: [
                .init(row: serverRow("up", status: "UP", id: 1), checked: true, lastCheck: (" L4OK in 0ms", "Layer4 check passed"),
                      health: (4, 2, 3)),
                .init(row: serverRow("down", status: "DOWN", id: 2), checked: true, health: (0, 2, 3)),
                .init(row: serverRow("rising", status: "DOWN", id: 3), checked: true, health: (1, 2, 3)),
                .init(row: serverRow("falling", status: "UP", id: 4), checked: true, health: (3, 2, 3)),
                .init(row: serverRow("bk", status: "UP", id: 5), isBackup: true),
                .init(row: serverRow("mnt", status: "MAINT", id: 6)),
                .init(row: serverRow("drn", status: "DRAIN", id: 7)),
                .init(row: backend),
            ]),
        ]
        return model
    }

    func testStatesHaveTheReferenceClasses() {
        let html = renderedPage(model(admin: false))
        for (server, cls) in [("up", "active_up"), ("down", "active_down"), ("rising", "active_going_up"),
                              ("falling", "active_going_down"), ("bk", "backup_no_check"), ("mnt", "maintain"),
                              ("drn", "active_draining")] {
            XCTAssertTrue(html.contains("<tr class=\"\(cls)\"><td class=\"ac\"><a id=\"be/\(server)\">"), server)
        }
        XCTAssertTrue(html.contains("<tr class=\"frontend\">"))
        XCTAssertTrue(html.contains("<tr class=\"backend\">"))
        XCTAssertTrue(html.contains("1m15s UP"), "last change then status")
        XCTAssertTrue(html.contains(" L4OK in 0ms<span class=\"tips\">Layer4 check passed</span>"))
        XCTAssertTrue(html.contains("<title>Statistics Report for HAProxy on node1</title>"))
        XCTAssertTrue(html.contains("fe&lt;&amp;&gt;"))
        XCTAssertFalse(html.contains("fe<&>"))
        XCTAssertTrue(html.contains("<a href=\"/stats;norefresh\">Disable refresh</a>"))
        XCTAssertTrue(html.contains("<a href=\"/stats;csv;norefresh\">CSV export</a>"))
    }

    func testTheAdminFormComesOnlyWithAdminRights() {
        let readOnly = renderedPage(model(admin: false))
        XCTAssertFalse(readOnly.contains("<form method=\"post\""))
        XCTAssertFalse(readOnly.contains("type=\"checkbox\""))
        let admin = renderedPage(model(admin: true))
        XCTAssertTrue(admin.contains("<form method=\"post\" action=\"/stats\">"))
        XCTAssertTrue(admin.contains("<input class=\"be-checkbox\" type=\"checkbox\" name=\"s\" value=\"mnt\""))
        XCTAssertTrue(admin.contains("<input type=\"hidden\" name=\"b\" value=\"#2\">"))
        for (value, _) in StatsPageHTML.adminActions { XCTAssertTrue(admin.contains("<option value=\"\(value)\">")) }
    }

    func testUpOnlyHidesDownAndMaintenanceServers() {
        var m = model(admin: false)
        m.upOnly = true
        let html = renderedPage(m)
        XCTAssertFalse(html.contains("id=\"be/down\""))
        XCTAssertFalse(html.contains("id=\"be/mnt\""))
        XCTAssertTrue(html.contains("id=\"be/up\""))
        XCTAssertTrue(html.contains("Show all servers"))
    }

    func testActionResultMessages() {
        var m = model(admin: true)
        m.actionStatus = "DONE"
        XCTAssertTrue(renderedPage(m).contains("<div class=\"active_up message\"><a class=\"lfsb\" href=\"/stats\" title=\"Remove this message\">[X]</a> Action processed successfully.</div>"))
        m.actionStatus = "DENY"
        XCTAssertTrue(renderedPage(m).contains("<b>Action denied.</b>"))
    }

    /// Recorded from 2.6's page: `<span class="rls">9</span>990`.
    func testNumbersAreGroupedByThousands() {
        XCTAssertEqual(StatsPageHTML.grouped("999"), "999")
        XCTAssertEqual(StatsPageHTML.grouped("9990"), "<span class=\"rls\">9</span>990")
        XCTAssertEqual(StatsPageHTML.grouped("1234567"),
                       "<span class=\"rls\">1</span><span class=\"rls\">234</span>567")
        XCTAssertEqual(StatsPageHTML.grouped("123456"), "<span class=\"rls\">123</span>456")
        XCTAssertEqual(StatsPageHTML.grouped("2s UP"), "2s UP")
        XCTAssertEqual(StatsPageHTML.grouped("-"), "-")
    }

    func testHumanTime() {
        XCTAssertEqual(StatsPageHTML.humanTime(5), "5s")
        XCTAssertEqual(StatsPageHTML.humanTime(65), "1m05s")
        XCTAssertEqual(StatsPageHTML.humanTime(3 * 3600 + 120), "3h02m")
        XCTAssertEqual(StatsPageHTML.humanTime(2 * 86400 + 3 * 3600), "2d3h")
    }

    func testOptionsAndFormDecoding() {
        let options = StatsPageService.Options(";up;norefresh;csv;st=DONE;scope=b%65")
        XCTAssertTrue(options.upOnly)
        XCTAssertTrue(options.noRefresh)
        XCTAssertEqual(options.format, .csv)
        XCTAssertEqual(options.status, "DONE")
        XCTAssertEqual(options.scope, "be")
        XCTAssertEqual(StatsPageService.Options("?scope=fe").scope, "fe")
        let form = StatsAdminForm(Array("s=s4&s=s+3&action=maint&b=%232".utf8))
        XCTAssertEqual(form.servers, ["s4", "s 3"])
        XCTAssertEqual(form.action, "maint")
        XCTAssertEqual(form.backend, "#2")
    }

    /// Debian's HTML validator (package tidy): no error, no warning.
    func testPageValidatesWithTidy() throws {
        let tidy = "/usr/bin/tidy"
        guard FileManager.default.isExecutableFile(atPath: tidy) else {
            throw XCTSkip("tidy is not installed (apt-get install tidy): the page's validity is not checked")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stats-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: file) }
        var m = model(admin: true)
        m.showLegends = true
        m.actionStatus = "ERRP"
        try renderedPage(m).write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tidy)
        process.arguments = ["-errors", "-q", file.path]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertEqual(output, "")
    }

    /// Self-contained: nothing loaded from elsewhere (no script or image
    /// source, no style sheet, no `url()`), the icon an empty data URL so
    /// that browsers do not ask for /favicon.ico.
    func testPageLoadsNothingFromElsewhere() {
        var m = model(admin: true)
        m.showLegends = true
        let html = renderedPage(m)
        for pattern in [" src=", "rel=\"stylesheet\"", "@import", "url("] {
            XCTAssertFalse(html.contains(pattern), pattern)
        }
        XCTAssertTrue(html.contains("<link rel=\"icon\" href=\"data:,\">"))
    }

    /// The last check's cell and tip, as 2.6 writes them.
    func testLastCheckCell() {
        let redis = StatsPageService.checkCell(HealthCheckResult(code: .L7OK, statusCode: 0, info: "Redis server is ok"))
        XCTAssertEqual(redis.text, " L7OK/0 in 0ms")
        XCTAssertEqual(redis.description, "Layer7 check passed: Redis server is ok")
        let con = StatsPageService.checkCell(HealthCheckResult(code: .L4CON, info: "Connection refused", durationMs: 3))
        XCTAssertEqual(con.text, " L4CON in 3ms")
        XCTAssertEqual(con.description, "Layer4 connection problem: Connection refused")
        var mysql = HealthCheckResult(code: .L7OK, statusCode: 0, info: "10.11.19-MariaDB")
        mysql.infoInStats = false
        XCTAssertEqual(StatsPageService.checkCell(mysql).description, "Layer7 check passed")
    }
}

/// The page as text.
private func renderedPage(_ model: StatsPageModel) -> String {
    String(decoding: StatsPageHTML.render(model), as: UTF8.self)
}
