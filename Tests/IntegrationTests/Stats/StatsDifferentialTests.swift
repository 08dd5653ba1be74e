import Foundation
import XCTest

/// Ours and Debian's haproxy 2.6 side by side on the same configuration
/// and the same traffic: the Prometheus exporter's metric names, HELP and
/// TYPE lines and label sets, and the statistics page's `;csv` header and
/// rows (proxy, server, number of fields) and `;json` fields must be the
/// same; the values may differ (times, the host, the scrapes).
final class StatsDifferentialTests: IntegrationTestCase {
    /// Debian's 2.6 unpacked for the comparison; fails the test when it is
    /// not there.
    private func referenceBinary() throws -> String {
        let reference = FramingDifferentialTests.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            throw HarnessError("reference missing")
        }
        return reference
    }

    private struct Ports3 { var frontend = Ports.free(), stats = Ports.free(), metrics = Ports.free() }

    /// One configuration for both: a frontend, a backend with an UP, a
    /// DOWN, a disabled and a backup server, a TCP pair, an empty backend,
    /// the page and the exporter.
    private func config(_ p: Ports3, socket: String, up: Int) -> String {
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
        let ours = Ports3(), theirs = Ports3()
        let ourSocket = tmp.appendingPathComponent("ours.sock").path
        let refSocket = tmp.appendingPathComponent("ref.sock").path
        try startProxy(config: config(ours, socket: ourSocket, up: up.port),
                       ports: [ours.frontend, ours.stats, ours.metrics])
        let refFile = tmp.appendingPathComponent("ref.cfg")
        try config(theirs, socket: refSocket, up: up.port).write(to: refFile, atomically: true, encoding: .utf8)
        let root = (reference as NSString).deletingLastPathComponent + "/../.."
        let ref = track(try ManagedProcess(
            label: "haproxy-2.6", executable: reference, arguments: ["-f", refFile.path, "-db"], dir: tmp,
            environment: ["LD_LIBRARY_PATH": "\(root)/lib/x86_64-linux-gnu:\(root)/usr/lib/x86_64-linux-gnu"]))
        for port in [theirs.frontend, theirs.stats, theirs.metrics] {
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
