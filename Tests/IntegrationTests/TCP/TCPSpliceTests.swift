import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `option splice-request|response|auto` in `mode tcp`: the bytes of a
/// spliced direction go from socket to socket through a pipe (visible in
/// /proc/PID/fd while the stream lives), intact; `nosplice` and -dS turn
/// it off.
final class TCPSpliceTests: IntegrationTestCase {
    /// Pipes the proxy holds open now.
    private func pipes(_ pid: Int32) -> Int {
        let dir = "/proc/\(pid)/fd"
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return 0 }
        return fds.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(dir)/\($0)"))?.hasPrefix("pipe:") ?? false }.count
    }

    /// Sends `size` random bytes through the proxy to the echo backend and
    /// reads them back on the same connection, which stays open; returns
    /// the proxy's pipe count before and during the stream.
    private func exchange(extra: String, global: String = "", args: [String] = [], size: Int = 4 << 20)
        throws -> (before: Int, during: Int)
    {
        let (port, _, proxy) = try startTCPForwarder(extra: extra, global: global, extraArgs: args)
        let before = pipes(proxy.pid)
        var g = SystemRandomNumberGenerator()
        let seed = g.next()
        var state = seed
        print("splice payload seed \(seed)")
        let payload = Data((0..<size).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        })
        let c = try Conn(port: port, timeout: 30)
        let writer = Thread { try? c.send(payload) }
        writer.start()
        let back = try c.read(exactly: size)
        XCTAssertTrue(back == payload, "echo differs (seed \(seed))")
        let during = pipes(proxy.pid)
        return (before, during)
    }

    func testSpliceAutoSplicesBothDirectionsIntact() throws {
        let (before, during) = try exchange(extra: "    option splice-auto")
        // One pipe per direction, two descriptors each.
        XCTAssertEqual(during - before, 4, "pipes before \(before), during \(during)")
    }

    func testSpliceRequestAndResponseEachSpliceTheirDirection() throws {
        let request = try exchange(extra: "    option splice-request")
        XCTAssertEqual(request.during - request.before, 2)
        let response = try exchange(extra: "    option splice-response")
        XCTAssertEqual(response.during - response.before, 2)
    }

    func testWithoutTheOptionOrWithNospliceNothingIsSpliced() throws {
        let plain = try exchange(extra: "")
        XCTAssertEqual(plain.during, plain.before)
        let global = try exchange(extra: "    option splice-auto", global: "    nosplice")
        XCTAssertEqual(global.during, global.before)
        let flag = try exchange(extra: "    option splice-auto", args: ["-dS"])
        XCTAssertEqual(flag.during, flag.before)
    }

    /// The client's FIN follows its spliced bytes to the server, and the
    /// server's answer and FIN come back whole.
    func testSplicedHalfCloseDeliversEverything() throws {
        let (port, _, _) = try startTCPForwarder(extra: "    option splice-auto")
        let c = try Conn(port: port, timeout: 30)
        let payload = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 12)) })
        let writer = Thread {
            try? c.send(payload)
            c.shutdownWrite()
        }
        writer.start()
        let back = try c.readToEOF()
        XCTAssertEqual(back.count, payload.count)
        XCTAssertTrue(back == payload)
    }

    func testHTTPModeWarnsThatBodiesAreCopied() throws {
        let cfg = try writeConfig("""
            defaults
                mode http
                option splice-auto
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            listen web
                bind 127.0.0.1:\(Ports.free())
                server s 127.0.0.1:\(Ports.free())
            """)
        let result = try haproxy(["-c", "-f", cfg.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("'option splice-*' splices 'mode tcp' streams only"), result.stderr)
    }
}
