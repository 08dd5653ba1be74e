import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `log file@PATH local0 rotate size 64k keep 3 compress lz4` (the parser takes
/// these options after the facility only): the writer rotates by
/// itself. PATH.1 stays plain, PATH.2.lz4 and PATH.3.lz4 are LZ4 frames the
/// `lz4 -d` CLI reads, older segments are deleted.
///
/// What keep retains, precisely: the requests go one after the other on one
/// keep-alive connection, so their lines are written in request order. The
/// files PATH.3.lz4, PATH.2.lz4, PATH.1, PATH read in that order must then
/// hold exactly the requests k, k+1, ..., N-1 for some k > 0: the newest
/// lines without a gap, a duplicate or a reordering, ending with the last
/// request; everything before k went with the deleted segments.
final class LogSelfRotationTests: IntegrationTestCase {
    static let lz4Magic: [UInt8] = [0x04, 0x22, 0x4D, 0x18]

    func testSelfRotationKeepsPlainFirstSegmentAndLZ4OlderOnes() throws {
        let dir = tmp.appendingPathComponent("self")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("self.log")
        let backend = try startBackend("b1")
        let port = Ports.free()
        let cfg = """
        global
            log file@\(path.path) local0 rotate size 64k keep 3 compress lz4

        \(Self.defaultsHTTP)
        frontend fe_self
            bind 127.0.0.1:\(port)
            log global
            option httplog
            option dontlognull
            default_backend be_self

        backend be_self
            server srv_a 127.0.0.1:\(backend.port)

        """
        try startProxy(config: cfg, ports: [port])

        // ~480-byte lines: 64 KiB holds ~135 of them; 1,200 requests make
        // about 8 rotations, far more than keep 3 retains.
        let pad = String(repeating: "x", count: 300)
        let n = 1200
        let paths = (0..<n).map { "/s/\($0)?pad=\(pad)" }
        let started = Date()
        let done = try keepAliveGets(port: port, paths: paths, timeout: 10)
        XCTAssertEqual(done.count, n)
        print("self-rotation: \(n) requests in \(String(format: "%.2f", Date().timeIntervalSince(started)))s")

        // The writer and the compressor are done when the segment set is
        // final (no plain PATH.2, no temporary file: the compressor removes
        // PATH.2 last), the last request's line is written, and PATH is
        // below the rotation size (a write that reached it rotates at once,
        // so no rotation is pending). No line comes after the last one.
        let fm = FileManager.default
        func names() -> [String] { ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() }
        func lastLogged() -> Bool {
            for f in ["self.log", "self.log.1"] {
                if LogLines.lines(ofFile: dir.appendingPathComponent(f)).last.flatMap(LogLines.uri) == Substring(paths[n - 1]) {
                    return true
                }
            }
            return false
        }
        func pathSize() -> Int { (try? fm.attributesOfItem(atPath: path.path)[.size] as? Int) ?? Int.max }
        let expectedNames = ["self.log", "self.log.1", "self.log.2.lz4", "self.log.3.lz4"]
        try waitUntil("the segment set is final and holds the last line", timeout: 15) {
            names() == expectedNames && lastLogged() && pathSize() < 64 * 1024
        }
        XCTAssertEqual(names(), expectedNames, "keep 3: PATH, PATH.1 plain, PATH.2.lz4, PATH.3.lz4 and nothing else")

        // Read the segments oldest first.
        var sequence: [Substring] = []
        for name in ["self.log.3.lz4", "self.log.2.lz4", "self.log.1", "self.log"] {
            let url = dir.appendingPathComponent(name)
            let head = [UInt8]((try? Data(contentsOf: url).prefix(4)) ?? Data())
            let lines: [Substring]
            if name.hasSuffix(".lz4") {
                XCTAssertEqual(head, Self.lz4Magic, "\(name) is an LZ4 frame")
                lines = try LogLines.lz4Lines(url, dir: tmp)
            } else {
                XCTAssertNotEqual(head, Self.lz4Magic, "\(name) is plain text")
                lines = LogLines.lines(ofFile: url)
            }
            if name != "self.log" {
                let bytes = lines.reduce(0) { $0 + $1.utf8.count + 1 }
                XCTAssertGreaterThanOrEqual(bytes, 64 * 1024, "\(name) was rotated once it reached 64k")
                XCTAssertLessThan(bytes, 1024 * 1024, "\(name) was rotated soon after 64k")
            }
            for l in lines {
                let ok = l.range(of: #"^[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} \S+ haproxy\[[0-9]+\]: 127\.0\.0\.1:[0-9]+ \[[^]]+\] fe_self be_self/srv_a [0-9/-]+ 200 [0-9]+ - - ---- [0-9/]+ [0-9/]+ "GET /s/[0-9]+\?pad=x{300} HTTP/1\.1"$"#,
                                 options: .regularExpression) != nil
                if !ok { XCTFail("\(name): not a valid log line: \(l)"); break }
            }
            sequence += lines.compactMap(LogLines.uri)
        }

        let numbers = sequence.compactMap { u -> Int? in
            guard let q = u.firstIndex(of: "?") else { return nil }
            return Int(u[u.index(u.startIndex, offsetBy: 3)..<q])
        }
        XCTAssertEqual(numbers.count, sequence.count)
        guard let first = numbers.first else { return XCTFail("no line retained") }
        XCTAssertGreaterThan(first, 0, "the oldest lines went with the segments keep 3 deleted")
        XCTAssertEqual(numbers, Array(first..<n),
                       "retained lines are requests \(first)..<\(n) in order, no gap, no duplicate")
        print("self-rotation: retained requests \(first)..<\(n) (\(numbers.count) lines)")
    }
}
