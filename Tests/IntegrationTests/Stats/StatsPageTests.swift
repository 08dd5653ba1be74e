import Foundation
import XCTest

/// The statistics page of the real binary on loopback, with real
/// backends: authentication, the page's content, `;csv` against the
/// CLI's `show stat`, `;json`, and the admin form steering traffic.
final class StatsPageTests: IntegrationTestCase {
    private var statsPort = 0
    private var frontendPort = 0
    private let credentials = "Basic " + Data("admin:s3cret".utf8).base64EncodedString()

    private func start(admin: String = "stats admin if TRUE") throws {
        let a = try startBackend("a"), b = try startBackend("b")
        statsPort = Ports.free()
        frontendPort = Ports.free()
        try startProxy(config: """
        global
            stats socket \(tmp.path)/admin.sock level admin
        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(frontendPort)
            default_backend be

        backend be
            server a 127.0.0.1:\(a.port)
            server b 127.0.0.1:\(b.port)

        listen stats
            bind 127.0.0.1:\(statsPort)
            stats enable
            stats uri /stats
            stats realm Test\\ Realm
            stats auth admin:s3cret
            stats refresh 10s
            \(admin)
        """, ports: [statsPort, frontendPort])
    }

    private func page(_ path: String = "/stats") throws -> HTTPResponse {
        try HTTPClient.get(port: statsPort, path: path, headers: ["Authorization": credentials])
    }

    private func post(_ form: String, path: String = "/stats") throws -> HTTPResponse {
        let c = try Conn(port: statsPort, timeout: 5)
        defer { c.close() }
        try c.send("POST \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: \(credentials)\r\n"
                   + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n"
                   + "Connection: close\r\n\r\n\(form)")
        return try c.readResponse()
    }

    func testPageNeedsAuthThenShowsEveryProxy() throws {
        try start()
        let challenge = try HTTPClient.get(port: statsPort, path: "/stats")
        XCTAssertEqual(challenge.status, 401)
        XCTAssertEqual(challenge.header("www-authenticate"), "Basic realm=\"Test Realm\"")
        let wrong = try HTTPClient.get(port: statsPort, path: "/stats",
                                       headers: ["Authorization": "Basic " + Data("admin:bad".utf8).base64EncodedString()])
        XCTAssertEqual(wrong.status, 401)

        XCTAssertEqual(try HTTPClient.get(port: frontendPort, path: "/").status, 200)
        let r = try page()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("cache-control"), "no-cache")
        XCTAssertEqual(r.header("content-type"), "text/html")
        XCTAssertEqual(r.header("refresh"), "10")
        let html = r.text
        for anchor in ["fe/Frontend", "be/a", "be/b", "be/Backend", "stats/Frontend", "stats/Backend"] {
            XCTAssertTrue(html.contains("<a id=\"\(anchor)\">"), anchor)
        }
        XCTAssertTrue(html.contains("<tr class=\"active_no_check\"><td><input class=\"be-checkbox\""))
        XCTAssertTrue(html.contains("Statistics Report for pid"))
        XCTAssertNil(try page("/stats;norefresh").header("refresh"))
        // Another path goes to the stats proxy's (empty) backend: 503.
        XCTAssertEqual(try HTTPClient.get(port: statsPort, path: "/other", headers: ["Authorization": credentials]).status, 503)
    }

    func testCSVIsShowStatAndJSONIsTyped() throws {
        try start()
        let csv = try page("/stats;csv")
        XCTAssertEqual(csv.status, 200)
        XCTAssertEqual(csv.header("content-type"), "text/plain")
        let cli = try StatsSocket.command("\(tmp.path)/admin.sock", "show stat")
        let pageLines = csv.text.split(separator: "\n")
        let cliLines = cli.split(separator: "\n")
        XCTAssertEqual(pageLines.first, cliLines.first, "same header")
        XCTAssertEqual(pageLines.map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(2) },
                       cliLines.map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(2) },
                       "same rows in the same order")
        let json = try page("/stats;json")
        XCTAssertEqual(json.header("content-type"), "application/json")
        let objects = try XCTUnwrap(try JSONSerialization.jsonObject(with: json.body) as? [[[String: Any]]])
        XCTAssertEqual(objects.count, cliLines.count - 1)
        XCTAssertEqual(objects.first?.first?["objType"] as? String, "Frontend")
    }

    /// The page is built off the event loop; requests pipelined behind it
    /// on the same connection are answered after it, in order.
    func testPipelinedRequestsAreAnsweredInOrder() throws {
        try start()
        let c = try Conn(port: statsPort, timeout: 10)
        defer { c.close() }
        let head = "HTTP/1.1\r\nHost: x\r\nAuthorization: \(credentials)\r\n"
        try c.send("GET /stats;csv \(head)\r\nGET /stats;json \(head)\r\nGET /stats;csv;up \(head)\r\n"
                   + "GET /stats \(head)Connection: close\r\n\r\n")
        let csv = try c.readResponse()
        XCTAssertEqual(csv.header("content-type"), "text/plain")
        XCTAssertTrue(csv.text.hasPrefix("# pxname,svname,"))
        XCTAssertEqual(try c.readResponse().header("content-type"), "application/json")
        let rows = { (text: String) in text.split(separator: "\n").map { $0.split(separator: ",").prefix(2) } }
        XCTAssertEqual(rows(try c.readResponse().text), rows(csv.text), "the same rows (no server is down)")
        let html = try c.readResponse()
        XCTAssertEqual(html.header("content-type"), "text/html")
        XCTAssertTrue(html.text.hasSuffix("</html>\n"))
    }

    func testAdminFormPutsAServerInMaintenance() throws {
        try start()
        XCTAssertTrue(try page().text.contains("<form method=\"post\" action=\"/stats\">"))
        let done = try post("s=a&action=maint&b=be")
        XCTAssertEqual(done.status, 303)
        XCTAssertEqual(done.header("location"), "/stats;st=DONE")
        XCTAssertTrue(try page("/stats;st=DONE").text.contains("Action processed successfully."))
        for _ in 0..<4 {
            XCTAssertEqual(try HTTPClient.get(port: frontendPort, path: "/").header("x-server"), "b")
        }
        XCTAssertTrue(try page().text.contains("<tr class=\"maintain\">"))
        // The form names the backend by its id, as the page writes it.
        let iid = try XCTUnwrap(StatsCSV.rows(try StatsSocket.command("\(tmp.path)/admin.sock", "show stat"), proxy: "be")["a"]?["iid"])
        XCTAssertTrue(try page().text.contains("<input type=\"hidden\" name=\"b\" value=\"#\(iid)\">"))
        XCTAssertEqual(try post("s=zz&action=maint&b=%23\(iid)").header("location"), "/stats;st=ERRP")
        XCTAssertEqual(try post("s=a&action=bogus&b=be").header("location"), "/stats;st=ERRP")
        XCTAssertEqual(try post("action=maint&b=be").header("location"), "/stats;st=NONE")
        XCTAssertEqual(try post("s=zz&s=a&action=ready&b=%23\(iid)", path: "/stats;norefresh").header("location"),
                       "/stats;st=PART;norefresh")
        let servers = try waitForServers(["a", "b"])
        XCTAssertEqual(servers, ["a", "b"])
    }

    func testWithoutAdminRightsNothingChangesAndNoFormIsShown() throws {
        try start(admin: "stats admin if FALSE")
        XCTAssertFalse(try page().text.contains("<form method=\"post\""))
        XCTAssertEqual(try post("s=a&action=maint&b=be").header("location"), "/stats;st=DENY")
        let rows = StatsCSV.rows(try StatsSocket.command("\(tmp.path)/admin.sock", "show stat"), proxy: "be")
        XCTAssertEqual(rows["a"]?["status"], "no check")
    }

    /// The servers that answer a few requests after `a` came back.
    private func waitForServers(_ expected: Set<String>) throws -> Set<String> {
        var seen = Set<String>()
        try waitUntil("both servers answer") {
            if let s = try HTTPClient.get(port: frontendPort, path: "/").header("x-server") { seen.insert(s) }
            return seen == expected
        }
        return seen
    }
}

/// The statistics page in a real browser: Debian's Chromium, headless,
/// loads it from the proxy and builds the DOM 2.6's page has (one table
/// per proxy, the server rows, the admin form), with no console error.
final class StatsPageBrowserTests: IntegrationTestCase {
    func testChromiumRendersThePage() throws {
        let chromium = "/usr/bin/chromium"
        guard FileManager.default.isExecutableFile(atPath: chromium) else {
            throw XCTSkip("Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)")
        }
        let a = try startBackend("a")
        let statsPort = Ports.free()
        try startProxy(config: """
        \(Self.defaultsHTTP)
        backend be
            server a 127.0.0.1:\(a.port) check inter 200ms
            server b 127.0.0.1:1 check inter 200ms
            server c 127.0.0.1:\(a.port) backup

        listen stats
            bind 127.0.0.1:\(statsPort)
            stats enable
            stats uri /stats
            stats auth admin:s3cret
            stats refresh 5s
            stats show-legends
            stats admin if TRUE
        """, ports: [statsPort])
        let credentials = ["Authorization": "Basic " + Data("admin:s3cret".utf8).base64EncodedString()]
        try waitUntil("server b is seen DOWN") {
            try HTTPClient.get(port: statsPort, path: "/stats", headers: credentials).text
                .contains("<tr class=\"active_down\">")
        }
        // The browser authenticates with the credentials of the URL; the
        // page is also kept as a screenshot beside the build products.
        let url = "http://admin:s3cret@127.0.0.1:\(statsPort)/stats"
        let profile = tmp.appendingPathComponent("chromium-profile")
        let browser = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                       "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0"]
        let environment = ["HOME": tmp.path, "PATH": "/usr/bin:/bin"]
        let result = try runTool(chromium, browser + ["--dump-dom", url], dir: tmp, timeout: 90, environment: environment)
        let screenshots = Paths.packageRoot.appendingPathComponent(".build/artifacts-stats")
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        let png = screenshots.appendingPathComponent("stats-page.png")
        try? FileManager.default.removeItem(at: png)
        let shot = try runTool(chromium, browser + ["--window-size=1400,900", "--screenshot=\(png.path)", url],
                               dir: tmp, timeout: 90, environment: environment)
        XCTAssertEqual(shot.status, 0, shot.stderr.suffix(1000).description)
        let size = (try? FileManager.default.attributesOfItem(atPath: png.path)[.size] as? Int) ?? 0
        XCTAssertGreaterThan(size, 10_000, "screenshot at \(png.path)")
        XCTAssertEqual(result.status, 0, result.stderr.suffix(2000).description)
        let dom = result.stdout
        for anchor in ["be/a", "be/b", "be/c", "be/Backend", "stats/Frontend", "stats/Backend"] {
            XCTAssertTrue(dom.contains("<a id=\"\(anchor)\">"), "\(anchor) missing from the rendered page")
        }
        XCTAssertTrue(dom.contains("Statistics Report for pid"))
        XCTAssertTrue(dom.contains("<form method=\"post\" action=\"/stats\">"))
        XCTAssertTrue(dom.contains("class=\"active_down\""))
        // Every row with its state's class.
        for (row, state) in [("be/a", "active_up"), ("be/b", "active_down"), ("be/c", "backup_no_check"),
                             ("be/Backend", "backend"), ("stats/Frontend", "frontend"), ("stats/Backend", "backend")] {
            guard let anchor = dom.range(of: "<a id=\"\(row)\">"),
                  let tr = dom.range(of: "<tr class=\"", options: .backwards, range: dom.startIndex..<anchor.lowerBound)
            else { XCTFail("\(row) has no row"); continue }
            XCTAssertEqual(dom[tr.upperBound...].prefix { $0 != "\"" }, Substring(state), row)
        }
        XCTAssertTrue(dom.contains(" L4OK in "), "the UP server's last check")
        XCTAssertTrue(dom.contains(" L4CON in "), "the DOWN server's last check")
        XCTAssertTrue(dom.contains("class=\"backup_up\"") || dom.contains("class=\"backup_no_check\""))
        XCTAssertFalse(result.stderr.contains("Uncaught"), "a script error: \(result.stderr.suffix(1000))")
    }

    /// An operator's use of the admin form in the browser: tick server a,
    /// choose "Set state to MAINT", press Apply (driven through Chromium's
    /// DevTools protocol by browser_admin_form.py). The browser lands on
    /// the page with 2.6's success message and a in MAINT; the next
    /// requests all go to b.
    func testAdminFormInTheBrowserPutsAServerInMaintenance() throws {
        let chromium = "/usr/bin/chromium"
        guard FileManager.default.isExecutableFile(atPath: chromium) else {
            throw XCTSkip("Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)")
        }
        let a = try startBackend("a"), b = try startBackend("b")
        let statsPort = Ports.free(), frontendPort = Ports.free()
        try startProxy(config: """
        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(frontendPort)
            default_backend be

        backend be
            server a 127.0.0.1:\(a.port)
            server b 127.0.0.1:\(b.port)

        listen stats
            bind 127.0.0.1:\(statsPort)
            stats enable
            stats uri /stats
            stats auth admin:s3cret
            stats admin if TRUE
        """, ports: [statsPort, frontendPort])
        let script = Paths.packageRoot.appendingPathComponent("Tests/IntegrationTests/Stats/browser_admin_form.py")
        let profile = tmp.appendingPathComponent("chromium-profile")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let authorization = "Basic " + Data("admin:s3cret".utf8).base64EncodedString()
        let python = Paths.python()
        let run = try runTool(python, (python == "/usr/bin/env" ? ["python3"] : []) + [script.path, chromium, "http://127.0.0.1:\(statsPort)/stats",
                                                   authorization, "be", "a", "maint", profile.path],
                              dir: tmp, timeout: 90)
        XCTAssertEqual(run.status, 0, run.stderr.suffix(2000).description)
        let landed = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        XCTAssertEqual(landed["url"] as? String, "http://127.0.0.1:\(statsPort)/stats;st=DONE")
        XCTAssertEqual(landed["message"] as? String, "[X] Action processed successfully.")
        XCTAssertEqual(landed["rowClass"] as? String, "maintain")
        for _ in 0..<6 {
            XCTAssertEqual(try HTTPClient.get(port: frontendPort, path: "/").header("x-server"), "b")
        }
    }
}

/// `chkfail` and `downtime` of a server whose checks fail, as `show stat`
/// (and so the page and the exporter) report them: 2.6 counts the checks
/// that failed while the server was up (one: the first failure takes a
/// server that just started down) and the seconds it has been down.
final class CheckCountersTests: IntegrationTestCase {
    func testFailedChecksAndDowntimeAreCounted() throws {
        let port = Ports.free()
        let socket = "\(tmp.path)/admin.sock"
        try startProxy(config: """
        global
            stats socket \(socket) level admin
        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be
        backend be
            server down 127.0.0.1:1 check inter 100ms
        """, ports: [port])
        var row: [String: String] = [:]
        try waitUntil("the server has been down for a second", timeout: 10) {
            row = StatsCSV.rows(try StatsSocket.command(socket, "show stat"), proxy: "be")["down"] ?? [:]
            return (Int(row["downtime"] ?? "") ?? 0) >= 1
        }
        XCTAssertEqual(row["status"], "DOWN")
        XCTAssertEqual(row["chkfail"], "1")
        XCTAssertEqual(row["chkdown"], "1")
        let backend = StatsCSV.rows(try StatsSocket.command(socket, "show stat"), proxy: "be")["BACKEND"] ?? [:]
        XCTAssertGreaterThanOrEqual(Int(backend["downtime"] ?? "") ?? 0, 1)
    }
}
