import Foundation
import XCTest

/// `compression algo|type|offload` through the real binary with curl:
/// which responses come compressed (what Debian's 2.6 does, recorded
/// side by side), the headers it sets, and that the client decodes the
/// server's exact body.
final class CompressionTests: IntegrationTestCase {
    private var port = 0
    private var offloadPort = 0
    private var backend: Backend!
    private var statsSocket: String { tmp.appendingPathComponent("admin.sock").path }

    private func start(_ frontend: String, offload: String = "compression offload", global: String = "") throws {
        backend = try startBackend("web1")
        port = Ports.free()
        offloadPort = Ports.free()
        try startProxy(config: """
        global
            stats socket \(statsSocket) level admin
        \(global)

        """ + Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
        \(frontend)
            default_backend be

        frontend fe_offload
            bind 127.0.0.1:\(offloadPort)
        \(frontend)
            \(offload)
            default_backend be

        backend be
            server web1 127.0.0.1:\(backend.port)

        """, ports: [port, offloadPort])
    }

    private struct Fetched {
        var status: Int
        var headers: [(String, String)]
        var body: Data
        var stderr: String
        func header(_ name: String) -> String? { headers.last { $0.0 == name }?.1 }
        func all(_ name: String) -> [String] { headers.filter { $0.0 == name }.map(\.1) }
    }

    /// One request with curl; the head of the last response and the body
    /// as curl wrote it (decoded with `--compressed`).
    private func curl(_ url: String, _ args: [String]) throws -> Fetched {
        let id = UUID().uuidString.prefix(8)
        let headFile = tmp.appendingPathComponent("head-\(id)"), bodyFile = tmp.appendingPathComponent("body-\(id)")
        let r = try runTool("/usr/bin/curl", ["-sS", "--max-time", "10", "-D", headFile.path, "-o", bodyFile.path] + args + [url], dir: tmp)
        XCTAssertEqual(r.status, 0, r.stderr)
        let head = (try? String(contentsOf: headFile, encoding: .utf8)) ?? ""
        let blocks = head.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }
        var lines = (blocks.last ?? "").components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        lines.removeFirst()
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Fetched(status: status, headers: headers, body: (try? Data(contentsOf: bodyFile)) ?? Data(), stderr: r.stderr)
    }

    private func viaProxy(_ path: String, _ args: [String] = [], port: Int? = nil) throws -> Fetched {
        try curl("http://127.0.0.1:\(port ?? self.port)\(path)", args)
    }

    /// The server's own answer, straight from it.
    private func direct(_ path: String) throws -> Data {
        try curl("http://127.0.0.1:\(backend.port)\(path)", []).body
    }

    func testGzipBodyDecodesToTheServersBody() throws {
        try start("    compression algo gzip\n    compression type text/html text/plain")
        for path in ["/text?bytes=30000", "/text?bytes=30000&te=chunked", "/text?bytes=1", "/text?bytes=0&te=chunked"] {
            let r = try viaProxy(path, ["--compressed"])
            XCTAssertEqual(r.status, 200, path)
            XCTAssertEqual(r.header("content-encoding"), "gzip", path)
            XCTAssertEqual(r.header("vary"), "Accept-Encoding", path)
            XCTAssertEqual(r.header("transfer-encoding"), "chunked", path)
            XCTAssertNil(r.header("content-length"), path)
            XCTAssertEqual(r.body, try direct(path), path)
        }
        // The bytes on the wire are gzip's, and smaller.
        let raw = try viaProxy("/text?bytes=30000", ["-H", "Accept-Encoding: gzip"])
        XCTAssertEqual(Array(raw.body.prefix(2)), [0x1F, 0x8B])
        XCTAssertLessThan(raw.body.count, 30000)
    }

    func testDeflateAndRawDeflateAnswerTheDeflateToken() throws {
        try start("    compression algo raw-deflate gzip")
        let path = "/text?bytes=20000&te=chunked"
        let r = try viaProxy(path, ["-H", "Accept-Encoding: deflate;q=0.8, gzip;q=0.5", "--compressed"])
        XCTAssertEqual(r.header("content-encoding"), "deflate")
        XCTAssertEqual(r.body, try direct(path))
        // `*` takes the algorithm configured last.
        XCTAssertEqual(try viaProxy(path, ["-H", "Accept-Encoding: *", "--compressed"]).header("content-encoding"), "gzip")
        XCTAssertNil(try viaProxy(path, ["-H", "Accept-Encoding: gzip;q=0, br"]).header("content-encoding"))
    }

    func testResponsesLeftAsTheServerSentThem() throws {
        try start("    compression algo gzip\n    compression type text/html")
        let cases: [(String, [String])] = [
            ("/text?bytes=5000", []),
            ("/text?bytes=5000", ["-H", "Accept-Encoding: br"]),
            ("/text?bytes=5000", ["--compressed", "-0"]),
            ("/text?bytes=5000&status=404", ["--compressed"]),
            ("/text?bytes=5000&status=206", ["--compressed"]),
            ("/text?bytes=5000&type=image/png", ["--compressed"]),
            ("/text?bytes=5000&h=Content-Encoding:identity", ["--compressed"]),
            ("/text?bytes=5000&h=Cache-Control:public,no-transform", ["--compressed"]),
            ("/text?bytes=5000&h=ETag:unquoted", ["--compressed"]),
            ("/text?bytes=5000", ["--compressed", "-A", "Mozilla/4.0 (compatible)"]),
            ("/text?bytes=0", ["--compressed"]),
        ]
        for (path, args) in cases {
            let r = try viaProxy(path, args)
            let label = "\(path) \(args)"
            XCTAssertNotEqual(r.header("content-encoding"), "gzip", label)
            XCTAssertNil(r.header("vary"), label)
            XCTAssertNotNil(r.header("content-length"), label)
        }
        let head = try viaProxy("/text?bytes=5000", ["--compressed", "-I"])
        XCTAssertNil(head.header("content-encoding"))
        XCTAssertEqual(head.header("content-length"), "5000")
    }

    /// On one connection, a request to a backend that compresses, then
    /// one to a backend that does not: only the first answer is encoded.
    func testOnlyTheBackendThatCompressesDoes() throws {
        backend = try startBackend("web1")
        port = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            use_backend plain if { url_param(plain) -m found }
            default_backend compressing

        backend compressing
            compression algo gzip
            server web1 127.0.0.1:\(backend.port)

        backend plain
            server web1 127.0.0.1:\(backend.port)

        """, ports: [port])
        let r = try runTool("/usr/bin/curl", ["-sS", "-v", "--max-time", "10", "--compressed", "-o", "/dev/null", "-o", "/dev/null",
            "http://127.0.0.1:\(port)/text?bytes=5000", "http://127.0.0.1:\(port)/text?bytes=5000&plain=1"], dir: tmp)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr.components(separatedBy: "Re-using existing connection").count - 1, 1, r.stderr)
        XCTAssertEqual(r.stderr.lowercased().components(separatedBy: "< content-encoding: gzip").count - 1, 1, r.stderr)
        XCTAssertEqual(r.stderr.lowercased().components(separatedBy: "< content-length: 5000").count - 1, 1, r.stderr)
    }

    func testStrongETagBecomesWeak() throws {
        try start("    compression algo gzip")
        let r = try viaProxy("/text?bytes=5000&h=ETag:%22v1%22", ["--compressed"])
        XCTAssertEqual(r.header("content-encoding"), "gzip")
        XCTAssertEqual(r.header("etag"), "W/\"v1\"")
        let weak = try viaProxy("/text?bytes=5000&h=ETag:W/%22v1%22", ["--compressed"])
        XCTAssertEqual(weak.header("etag"), "W/\"v1\"")
    }

    /// A chunked body's trailers follow the compressed body (recorded:
    /// 2.6 keeps them, names in lowercase).
    func testTrailersFollowTheCompressedBody() throws {
        try start("    compression algo gzip")
        let c = try Conn(port: port)
        try c.send(HTTPClient.request(
            "GET", "/text?bytes=3000&te=chunked&trailer=X-Sum:%20abc", extra: "Accept-Encoding: gzip\r\nConnection: close\r\n"))
        let raw = try c.readToEOF()
        XCTAssertTrue(String(decoding: raw.prefix(400), as: UTF8.self).lowercased().contains("content-encoding: gzip"))
        let end = Data("\r\n0\r\nx-sum: abc\r\n\r\n".utf8)
        XCTAssertEqual(Data(raw.suffix(end.count)), end, String(decoding: raw.suffix(40), as: UTF8.self))
    }

    /// Services' answers (the statistics page, the Prometheus exporter)
    /// are compressed like a server's; `http-request return` ones are not
    /// (recorded from 2.6).
    func testServicesAnswersAreCompressedButNotReturns() throws {
        try start("""
                compression algo gzip
                stats uri /stats
                http-request use-service prometheus-exporter if { path /metrics }
                http-request return status 200 content-type text/plain string "a local answer" if { path /ret }
            """)
        let metrics = try viaProxy("/metrics", ["--compressed"])
        XCTAssertEqual(metrics.header("content-encoding"), "gzip")
        XCTAssertEqual(metrics.header("vary"), "Accept-Encoding")
        XCTAssertNil(metrics.header("content-length"))
        XCTAssertTrue(String(decoding: metrics.body, as: UTF8.self).contains("haproxy_process_nbthread "))
        let csv = try viaProxy("/stats;csv", ["--compressed"])
        XCTAssertEqual(csv.header("content-encoding"), "gzip")
        XCTAssertTrue(String(decoding: csv.body, as: UTF8.self).hasPrefix("# pxname,svname,"))
        let local = try viaProxy("/ret", ["--compressed"])
        XCTAssertNil(local.header("content-encoding"))
        XCTAssertEqual(String(decoding: local.body, as: UTF8.self), "a local answer")
        XCTAssertNil(try viaProxy("/metrics", []).header("content-encoding"))
    }

    func testIdentityRechunksWithoutEncoding() throws {
        try start("    compression algo identity")
        let r = try viaProxy("/text?bytes=5000", [])
        XCTAssertNil(r.header("content-encoding"))
        XCTAssertEqual(r.header("transfer-encoding"), "chunked")
        XCTAssertEqual(r.header("vary"), "Accept-Encoding")
        XCTAssertEqual(r.body, try direct("/text?bytes=5000"))
    }

    /// With `offload` the server never sees Accept-Encoding once an
    /// algorithm is chosen (`/headers` lists what it received).
    func testOffloadKeepsAcceptEncodingFromTheServer() throws {
        try start("    compression algo gzip\n    compression type text/plain")
        let plain = try viaProxy("/headers", ["-H", "Accept-Encoding: gzip", "--compressed"])
        XCTAssertEqual(plain.header("content-encoding"), "gzip")
        XCTAssertTrue(String(decoding: plain.body, as: UTF8.self).lowercased().contains("accept-encoding: gzip"))
        let offloaded = try viaProxy("/headers", ["-H", "Accept-Encoding: gzip", "--compressed"], port: offloadPort)
        XCTAssertEqual(offloaded.header("content-encoding"), "gzip")
        XCTAssertFalse(String(decoding: offloaded.body, as: UTF8.self).lowercased().contains("accept-encoding"), "\(offloaded.body)")
        // Nothing chosen: the header goes through.
        let kept = try viaProxy("/headers", ["-H", "Accept-Encoding: br"], port: offloadPort)
        XCTAssertTrue(String(decoding: kept.body, as: UTF8.self).lowercased().contains("accept-encoding: br"))
    }

    func testSeveralCompressedResponsesOnOneConnection() throws {
        try start("    compression algo gzip deflate")
        let paths = ["/text?bytes=40000", "/text?bytes=7000&te=chunked", "/text?bytes=100"]
        let files = paths.indices.map { tmp.appendingPathComponent("out-\($0)") }
        var args = ["-sS", "-v", "--max-time", "10", "--compressed"]
        for (path, file) in zip(paths, files) { args += ["-o", file.path, "http://127.0.0.1:\(port)\(path)"] }
        let r = try runTool("/usr/bin/curl", args, dir: tmp)
        XCTAssertEqual(r.status, 0, r.stderr)
        for (path, file) in zip(paths, files) {
            XCTAssertEqual(try Data(contentsOf: file), try direct(path), path)
        }
        XCTAssertEqual(r.stderr.components(separatedBy: "Re-using existing connection").count - 1, 2, r.stderr)
        // curl asks for "deflate, gzip, ...": the first of equal q-values wins.
        XCTAssertEqual(r.stderr.lowercased().components(separatedBy: "< content-encoding: deflate").count - 1, 3, r.stderr)
    }

    /// `comp_in`, `comp_out` and `comp_rsp` of the frontend and the
    /// backend count the compressed responses only, a chunked body one
    /// byte more, as 2.6 does (its `comp_out` differs with its encoder).
    func testStatsCountCompressedResponses() throws {
        try start("    compression algo gzip\n    compression type text/html")
        _ = try viaProxy("/text?bytes=3000", ["--compressed"])
        _ = try viaProxy("/text?bytes=5000&te=chunked", ["--compressed"])
        _ = try viaProxy("/text?bytes=3000", [])
        _ = try viaProxy("/text?bytes=3000&type=text/css", ["--compressed"])
        // The last second's rates (the requests took well under one).
        let info = try XCTUnwrap(LifecycleHarness.unixCommand(statsSocket, "show info"))
        XCTAssertTrue(info.contains("CompressBpsIn: 8001\n"), info)
        XCTAssertFalse(info.contains("CompressBpsOut: 0\n"), info)
        let csv = try XCTUnwrap(LifecycleHarness.unixCommand(statsSocket, "show stat"))
        for (proxy, row) in [("fe", "FRONTEND"), ("be", "BACKEND")] {
            let r = try XCTUnwrap(StatsCSV.rows(csv, proxy: proxy)[row], csv)
            XCTAssertEqual(r["comp_in"], "8001", proxy)
            XCTAssertEqual(r["comp_rsp"], "2", proxy)
            XCTAssertEqual(r["comp_byp"], "0", proxy)
            let out = try XCTUnwrap(Int(r["comp_out"] ?? ""), proxy)
            XCTAssertGreaterThan(out, 0, proxy)
            XCTAssertLessThan(out, 8000, proxy)
        }
        XCTAssertEqual(StatsCSV.rows(csv, proxy: "be")["web1"]?["comp_in"], "")
    }

    /// `tune.comp.maxlevel` is zlib's level: 9 encodes the test pattern
    /// smaller than the default 1 (zlib itself: 481 bytes against 607).
    func testMaxLevelIsTheEncodersLevel() throws {
        try start("    compression algo gzip")
        let path = "/text?bytes=30000"
        let fast = try viaProxy(path, ["-H", "Accept-Encoding: gzip"]).body.count
        try start("    compression algo gzip", global: "    tune.comp.maxlevel 9")
        let best = try viaProxy(path, ["-H", "Accept-Encoding: gzip"])
        XCTAssertEqual(best.header("content-encoding"), "gzip")
        XCTAssertLessThan(best.body.count + 50, fast, "level 9: \(best.body.count) bytes, level 1: \(fast)")
        XCTAssertEqual(try viaProxy(path, ["--compressed"]).body, try direct(path))
    }

    func testBuildInfoNamesZlib() throws {
        let r = try haproxy(["-vv"])
        XCTAssertTrue(r.stdout.contains("Built with zlib version : "), r.stdout)
        XCTAssertTrue(r.stdout.contains(
            #"Compression algorithms supported : identity("identity"), deflate("deflate"), raw-deflate("deflate"), gzip("gzip")"#))
        XCTAssertTrue(r.stdout.contains("+ZLIB"))
    }
}
