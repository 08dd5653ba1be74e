import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `mode tcp` forwarding to a plain echo backend.
final class TCPForwardTests: IntegrationTestCase {
    func testBytesBothWays() throws {
        let (port, _, _) = try startTCPForwarder()
        let c = try Conn(port: port)
        for i in 0..<5 {
            let msg = "message \(i) \u{00e9}\n"
            try c.send(msg)
            let back = try c.read(exactly: Data(msg.utf8).count)
            XCTAssertEqual(String(decoding: back, as: UTF8.self), msg)
        }
        // Binary, every byte value.
        let bin = Data((0..<256).map { UInt8($0) })
        try c.send(bin)
        XCTAssertEqual(try c.read(exactly: 256), bin)
    }

    /// A refused connect to a dead server is redispatched to the live one
    /// (retries, option redispatch), so no client connection fails; the
    /// bytes sent before the server connection is up are not lost.
    func testRefusedConnectIsRedispatchedToTheLiveServer() throws {
        let dead = Ports.free()
        let (port, _, _) = try startTCPForwarder(extra: """
            balance roundrobin
            retries 2
            option redispatch
            server dead 127.0.0.1:\(dead)
        """)
        for i in 0..<6 {
            let c = try Conn(port: port)
            let msg = "hello \(i)\n"
            try c.send(msg)
            XCTAssertEqual(String(decoding: try c.read(exactly: msg.utf8.count), as: UTF8.self), msg, "connection \(i)")
        }
    }

    /// A client that resets its connection while the proxy still writes
    /// to it: the write fails (EPIPE), the process goes on serving. No
    /// NIO socket exists in this configuration, so nothing but the proxy
    /// itself keeps SIGPIPE from ending it: the process ignores it (when
    /// the reset reaches the proxy before its write is a matter of timing,
    /// so the disposition is checked too).
    func testClientResetDuringAWriteDoesNotEndTheProcess() throws {
        let (port, _, proxy) = try startTCPForwarder()
        let status = try String(contentsOfFile: "/proc/\(proxy.pid)/status", encoding: .utf8)
        let ignored = status.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }
            .flatMap { UInt64($0.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespaces), radix: 16) } ?? 0
        XCTAssertNotEqual(ignored & (1 << (UInt64(SIGPIPE) - 1)), 0, "SIGPIPE is not ignored (SigIgn \(ignored))")
        for _ in 0..<3 {
            let c = try Conn(port: port)
            try c.send(Data(repeating: 0x42, count: 2 << 20))
            var reset = linger(l_onoff: 1, l_linger: 0)
            setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
            c.close()
        }
        let c = try Conn(port: port)
        try c.send("still there\n")
        XCTAssertEqual(String(decoding: try c.read(exactly: 12), as: UTF8.self), "still there\n")
        XCTAssertTrue(proxy.isRunning)
    }

    func testHalfCloseStillDeliversResponse() throws {
        let (port, _, _) = try startTCPForwarder()
        let c = try Conn(port: port)
        let msg = Data(repeating: 0x41, count: 100_000)
        try c.send(msg)
        c.shutdownWrite()
        // The echo backend answers after it sees our FIN; we must get everything, then EOF.
        let back = try c.readToEOF()
        XCTAssertEqual(back.count, msg.count)
        XCTAssertEqual(back, msg)
    }

    func testLargeTransferIntact() throws {
        let (port, _, _) = try startTCPForwarder()
        let size = 20 * 1024 * 1024
        let input = tmp.appendingPathComponent("in.bin")
        var bytes = [UInt8](repeating: 0, count: size)
        var g = SystemRandomNumberGenerator()
        bytes.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for i in 0..<words.count { words[i] = g.next() }
        }
        let data = Data(bytes)
        try data.write(to: input)

        let c = try Conn(port: port, timeout: 30)
        let writer = Thread {
            try? c.send(data)
            c.shutdownWrite()
        }
        writer.start()
        let back = try c.readToEOF()
        let output = tmp.appendingPathComponent("out.bin")
        try back.write(to: output)
        XCTAssertEqual(back.count, size)
        XCTAssertEqual(try sha256(of: output), try sha256(of: input))
    }

    func testClientCloseClosesServerSide() throws {
        let (port, _, _) = try startTCPForwarder()
        let c = try Conn(port: port)
        try c.send("ping\n")
        XCTAssertEqual(try c.read(exactly: 5), Data("ping\n".utf8))
        c.shutdownWrite()
        // The echo backend closes once it sees FIN; the proxy must pass that back.
        XCTAssertTrue(c.closesWithin(5))
    }
}
