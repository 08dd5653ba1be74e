import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `option tcplog` through a `mode tcp` listen section: one line per
/// connection with the `--` termination of a clean close and the byte count.
final class LogTCPLogTests: IntegrationTestCase {
    func testTCPLogLineHasCleanTerminationAndByteCounts() throws {
        let sock = tmp.appendingPathComponent("tcp.sock").path
        let receiver = try DatagramReceiver(unixPath: sock)
        let echo = try startBackend("e1", mode: "echo")
        let port = Ports.free()
        let cfg = """
        global
            log \(sock) format rfc3164 local0

        defaults
            mode tcp
            log global
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        listen tcp_in
            bind 127.0.0.1:\(port)
            option tcplog
            server echo1 127.0.0.1:\(echo.port)

        """
        try startProxy(config: cfg, ports: [port])

        // Two connections with different payload sizes, each closed cleanly:
        // the client half-closes after its data, the echo server answers
        // everything then half-closes, the proxy closes the client.
        var expected: [(port: Int, bytes: Int)] = []
        for size in [1000, 70_001] {
            let c = try Conn(port: port, timeout: 10)
            let payload = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
            try c.send(payload)
            c.shutdownWrite()
            let back = try c.readToEOF()
            XCTAssertEqual(back, payload, "echo through the proxy")
            expected.append((c.localPort, size))
            c.close()
        }

        // A third connection as sentinel: lines come in order, so once its
        // line is in, every line of the first two has arrived.
        let sentinel = try Conn(port: port, timeout: 10)
        try sentinel.send("end")
        sentinel.shutdownWrite()
        _ = try sentinel.readToEOF()
        let sentinelPort = sentinel.localPort
        sentinel.close()
        let got = try receiver.receive(until: { $0.contains(" 127.0.0.1:\(sentinelPort) [") }, timeout: 10, maxLines: 20)
        var lines: [String] = []
        for (clientPort, _) in expected {
            let mine = got.filter { $0.contains(" 127.0.0.1:\(clientPort) [") }
            XCTAssertEqual(mine.count, 1, "exactly one line for the connection from port \(clientPort): \(got)")
            lines.append(mine.first ?? "")
        }
        // Besides those, only startProxy's readiness probe may have logged.
        XCTAssertLessThanOrEqual(got.count, expected.count + 2, "unexpected extra lines: \(got)")
        for ((clientPort, size), line) in zip(expected, lines) {
            let body = line.trimmingCharacters(in: .newlines)
            // ... 127.0.0.1:PORT [date] tcp_in tcp_in/echo1 Tw/Tc/Tt BYTES -- ac/fc/bc/sc/rc sq/bq
            let pattern = #"^<134>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} \S+ haproxy\[[0-9]+\]: "#
                + #"127\.0\.0\.1:\#(clientPort) \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:.]+\] tcp_in tcp_in/echo1 "#
                + #"([0-9]+)/([0-9]+)/([0-9]+) ([0-9]+) (..) [0-9]+/[0-9]+/[0-9]+/[0-9]+/[0-9]+ [0-9]+/[0-9]+$"#
            let re = try NSRegularExpression(pattern: pattern)
            guard let m = re.firstMatch(in: body, range: NSRange(body.startIndex..., in: body)) else {
                XCTFail("not a tcplog line for client port \(clientPort): \(body)")
                continue
            }
            func group(_ i: Int) -> String { String(body[Range(m.range(at: i), in: body)!]) }
            XCTAssertEqual(group(5), "--", "clean close: \(body)")
            XCTAssertEqual(Int(group(4)), size, "bytes sent to the client: \(body)")
            let tc = Int(group(2))!, tt = Int(group(3))!
            XCTAssertGreaterThanOrEqual(tc, 0, "connected to the server: \(body)")
            XCTAssertGreaterThanOrEqual(tt, tc, "Tt covers Tc: \(body)")
        }
    }
}
