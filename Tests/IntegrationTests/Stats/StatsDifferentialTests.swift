import Foundation
import XCTest

/// Ours and Debian's haproxy 2.6 side by side on the same configuration
/// and the same traffic: the Prometheus exporter's metric names, HELP and
/// TYPE lines and label sets, the statistics page's process section,
/// column headers, row classes and tooltip lines, its `;csv` header and rows (proxy,
/// server, number of fields) and `;json` fields must be the same; the
/// values may differ (times, the host, the scrapes).
final class StatsDifferentialTests: IntegrationTestCase {
    private struct Listeners { var frontend = Ports.free(), stats = Ports.free(), metrics = Ports.free(), tcp = Ports.free() }

    /// One configuration for both: a frontend, a backend with an UP, a
    /// DOWN, a disabled and a backup server, a TCP frontend and backend, an
    /// empty backend, the page and the exporter.
    private func config(_ p: Listeners, socket: String, up: Int) -> String {
        """
        global
            stats socket \(socket) level admin
        \(Self.defaultsHTTP)
        frontend fe
            bind 127.0.0.1:\(p.frontend)
            default_backend be

        backend be
            server a 127.0.0.1:\(up) check inter 100ms
            server b 127.0.0.1:1 check inter 100ms
            server m 127.0.0.1:\(up) disabled
            server k 127.0.0.1:\(up) backup

        frontend fe_tcp
            mode tcp
            bind 127.0.0.1:\(p.tcp)
            default_backend be_tcp

        backend be_tcp
            mode tcp
            balance leastconn
            server t 127.0.0.1:\(up)

        backend be_empty

        listen stats
            bind 127.0.0.1:\(p.stats)
            stats enable
            stats uri /stats

        frontend metrics
            bind 127.0.0.1:\(p.metrics)
            http-request use-service prometheus-exporter if { path /metrics }

        """
    }

    func testExporterAndCSVHaveTheRealOnesShape() throws {
        let reference = try referenceBinary()
        let up = try startBackend("a")
        let ours = Listeners(), theirs = Listeners()
        let ourSocket = tmp.appendingPathComponent("ours.sock").path
        let refSocket = tmp.appendingPathComponent("ref.sock").path
        try startProxy(config: config(ours, socket: ourSocket, up: up.port),
                       ports: [ours.frontend, ours.stats, ours.metrics, ours.tcp])
        let refFile = tmp.appendingPathComponent("ref.cfg")
        try config(theirs, socket: refSocket, up: up.port).write(to: refFile, atomically: true, encoding: .utf8)
        let root = (reference as NSString).deletingLastPathComponent + "/../.."
        let ref = track(try ManagedProcess(
            label: "haproxy-2.6", executable: reference, arguments: ["-f", refFile.path, "-db"], dir: tmp,
            environment: ["LD_LIBRARY_PATH": "\(root)/lib/x86_64-linux-gnu:\(root)/usr/lib/x86_64-linux-gnu"]))
        for port in [theirs.frontend, theirs.stats, theirs.metrics, theirs.tcp] {
            try Ports.waitUntilListening(port, timeout: 10, while: { ref.isRunning })
        }

        // The same traffic, and both have seen a up and b down.
        for port in [ours.frontend, theirs.frontend] {
            for _ in 0..<5 { XCTAssertEqual(try HTTPClient.get(port: port, path: "/").status, 200) }
        }
        for socket in [ourSocket, refSocket] {
            try waitUntil("a UP and b DOWN in \(socket)") {
                let rows = StatsCSV.rows(try StatsSocket.command(socket, "show stat"), proxy: "be")
                return rows["a"]?["status"]?.hasPrefix("UP") == true && rows["b"]?["status"] == "DOWN"
            }
        }

        for query in ["", "?scope=backend&scope=server&no-maint", "?scope=frontend"] {
            let a = try HTTPClient.get(port: ours.metrics, path: "/metrics" + query)
            let b = try HTTPClient.get(port: theirs.metrics, path: "/metrics" + query)
            XCTAssertEqual(a.status, 200)
            XCTAssertEqual(b.status, 200)
            XCTAssertEqual(a.header("content-type"), b.header("content-type"))
            let mine = Self.shape(of: a.text), real = Self.shape(of: b.text)
            XCTAssertGreaterThan(real.samples.count, 100, "2.6's scrape \(query)")
            XCTAssertEqual(mine.comments, real.comments, "HELP and TYPE lines, in order (\(query))")
            let missing = real.samples.subtracting(mine.samples), extra = mine.samples.subtracting(real.samples)
            XCTAssert(missing.isEmpty && extra.isEmpty,
                      "\(query): missing \(missing.sorted().prefix(20)); extra \(extra.sorted().prefix(20))")
        }

        let csvA = try HTTPClient.get(port: ours.stats, path: "/stats;csv").text
        let csvB = try HTTPClient.get(port: theirs.stats, path: "/stats;csv").text
        let linesA = csvA.split(separator: "\n"), linesB = csvB.split(separator: "\n")
        XCTAssertEqual(linesA.first, linesB.first, "the CSV header")
        XCTAssertEqual(linesA.map(Self.rowShape), linesB.map(Self.rowShape), "proxy, server and field count of each row")
        XCTAssertEqual(try StatsSocket.command(ourSocket, "show stat").split(separator: "\n").first, linesB.first,
                       "the CLI's header is the page's")

        // The HTML page: the process section's wording, the tables' column
        // headers and each row's class (the state colours) in order.
        let pageA = try HTTPClient.get(port: ours.stats, path: "/stats").text
        let pageB = try HTTPClient.get(port: theirs.stats, path: "/stats").text
        XCTAssertEqual(Self.processSection(pageA), Self.processSection(pageB))
        // (2.6 anchors a proxy's name with `name`, ours with `id`.)
        let headers = { (page: String) in
            Self.texts(of: "th", in: page).filter { !$0.hasSuffix(":") && !$0.hasPrefix("Max / Avg") }
                .map { $0.contains("<a ") ? "proxy" : $0 }
        }
        let (thA, thB) = (headers(pageA), headers(pageB))
        let common = min(thA.count, thB.count)
        if let i = (0..<common).first(where: { thA[$0] != thB[$0] }) ?? (thA.count == thB.count ? nil : common) {
            XCTFail("column headers differ at \(i): ours \(thA[i...].prefix(6)), 2.6 \(thB[i...].prefix(6))")
        }
        XCTAssertEqual(Self.rowClasses(pageA), Self.rowClasses(pageB), "row classes")
        let (tipsA, tipsB) = (Self.ourTipLabels(pageA), Self.realTipLabels(pageB))
        XCTAssertGreaterThan(tipsB.count, 100)
        let commonTips = min(tipsA.count, tipsB.count)
        if let i = (0..<commonTips).first(where: { tipsA[$0] != tipsB[$0] }) ?? (tipsA.count == tipsB.count ? nil : commonTips) {
            XCTFail("tooltips differ at \(i) after \(tipsB[..<i].suffix(12)): ours \(tipsA[i...].prefix(12)), 2.6 \(tipsB[i...].prefix(12))")
        }
        XCTAssertTrue(Self.rowClasses(pageB).contains("maintain") && Self.rowClasses(pageB).contains("active_down"))

        // Ours is valid HTML (Debian's tidy: no error, no warning).
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/tidy") {
            let file = tmp.appendingPathComponent("page.html")
            try pageA.write(to: file, atomically: true, encoding: .utf8)
            let tidy = try runTool("/usr/bin/tidy", ["-errors", "-q", file.path], dir: tmp)
            XCTAssertEqual(tidy.status, 0, tidy.stderr)
            XCTAssertEqual(tidy.stderr, "")
        }

        let jsonA = try Self.jsonShape(try HTTPClient.get(port: ours.stats, path: "/stats;json").body)
        let jsonB = try Self.jsonShape(try HTTPClient.get(port: theirs.stats, path: "/stats;json").body)
        XCTAssertEqual(jsonA.count, jsonB.count, "JSON rows")
        for (x, y) in zip(jsonA, jsonB) where x != y {
            let diff = zip(x, y).filter { $0 != $1 }.prefix(5).map { "ours \($0.0) / 2.6 \($0.1)" }
            XCTFail("JSON row \(x.first ?? "") \(x.dropFirst().first ?? "") (\(x.count) / \(y.count) fields): \(diff)")
        }
    }

    /// A scrape's HELP and TYPE lines in order, and its samples as the
    /// metric name with its labels (values left out).
    static func shape(of text: String) -> (comments: [String], samples: Set<String>) {
        var comments: [String] = [], samples = Set<String>()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") {
                comments.append(String(line))
                continue
            }
            // The value follows the last space (label values hold none here);
            // the version label is each build's own.
            guard let space = line.lastIndex(of: " ") else { continue }
            let sample = line[..<space]
            samples.insert(sample.hasPrefix("haproxy_process_build_info{") ? "haproxy_process_build_info" : String(sample))
        }
        return (comments, samples)
    }

    /// The lines of the page's process section from "pid = " to the
    /// running tasks, numbers left out.
    static func processSection(_ page: String) -> [String] {
        guard let start = page.range(of: "<b>pid = </b>"), let end = page.range(of: "Running tasks:", range: start.upperBound..<page.endIndex)
        else { return [] }
        return page[start.lowerBound..<end.upperBound].split(separator: "\n").map {
            String($0).replacing(try! Regex("[0-9]+(\\.[0-9]+)?( [kMG]?bps)?"), with: "#")
        }
    }

    /// The text of each `<tag ...>text</tag>`, in order.
    static func texts(of tag: String, in page: String) -> [String] {
        page.components(separatedBy: "<\(tag)").dropFirst().compactMap { part in
            guard let open = part.firstIndex(of: ">"), let close = part.range(of: "</\(tag)>") else { return nil }
            return String(part[part.index(after: open)..<close.lowerBound])
        }
    }

    /// The labels of 2.6's detailed tooltips (`<table class=det>`), in
    /// order.
    static func realTipLabels(_ page: String) -> [String] {
        page.components(separatedBy: "<table class=det>").dropFirst().flatMap { table in
            texts(of: "th", in: table.components(separatedBy: "</table>")[0])
                .filter { $0.hasSuffix(":") }
                .map { $0.replacingOccurrences(of: "&nbsp;", with: "\u{A0}") }
        }
    }

    /// The labels of our tooltips of several lines, in order.
    static func ourTipLabels(_ page: String) -> [String] {
        page.components(separatedBy: "<span class=\"tips\">").dropFirst().flatMap { tip -> [String] in
            let text = tip.components(separatedBy: "</span>")[0]
            guard text.contains("<br>") else { return [] }
            return text.components(separatedBy: "<br>").compactMap { line in
                line.firstIndex(of: ":").map { String(line[...$0]) }
            }
        }
    }

    /// The class of each table row, in order.
    static func rowClasses(_ page: String) -> [String] {
        page.components(separatedBy: "<tr class=").dropFirst().map { part in
            String(part.drop { $0 == "\"" }.prefix { $0 != "\"" && $0 != ">" })
        }
    }

    /// A CSV row's proxy, server and field count.
    static func rowShape(_ line: Substring) -> String {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        return "\(fields.first ?? "")/\(fields.count > 1 ? fields[1] : "") \(fields.count)"
    }

    /// Each `;json` row as its fields' names, tags and value types.
    static func jsonShape(_ body: Data) throws -> [[String]] {
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: body) as? [[[String: Any]]])
        return rows.map { row in
            row.map { field in
                let name = (field["field"] as? [String: Any])?["name"] as? String ?? "?"
                let tags = field["tags"] as? [String: Any] ?? [:]
                let value = field["value"] as? [String: Any]
                let type = value?["type"] as? String ?? "?"
                if name == "pxname" || name == "svname" { return "\(value?["value"] ?? "?")" }
                return "\(field["objType"] ?? "?") \(name) \(tags["origin"] ?? "?")/\(tags["nature"] ?? "?")/\(tags["scope"] ?? "?") \(type)"
            }
        }
    }
}
