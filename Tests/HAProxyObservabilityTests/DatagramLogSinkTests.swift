import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import HAProxyObservability

/// A datagram receiver bound to a UNIX path or a loopback UDP port.
final class DatagramReceiver {
    let fd: Int32
    var port = 0

    init(unixPath: String) {
        unlink(unixPath)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { p in
            for (i, b) in unixPath.utf8.enumerated() { p[i] = b }
        }
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        setTimeout()
    }

    init(udp: Void) {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        setTimeout()
    }

    private func setTimeout() {
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func receive() -> String? {
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buf, buf.count, 0)
        return n < 0 ? nil : String(decoding: buf[0..<n], as: UTF8.self)
    }

    func close() { _ = Glibc.close(fd) }
}

final class DatagramLogSinkTests: XCTestCase {
    func send(_ sink: LogSink, _ s: String) -> Bool {
        Array(s.utf8).withUnsafeBytes { sink.send($0) }
    }

    func testUNIXSocketReceivesAndReconnectsAfterReceiverRestart() throws {
        let path = NSTemporaryDirectory() + "haproxy-log-\(getpid()).sock"
        var receiver = DatagramReceiver(unixPath: path)
        let dropped = LogCounter()
        let sink = try DatagramLogSink(.unix(path: path), dropped: dropped)
        sink.reconnectInterval = 0
        XCTAssertTrue(send(sink, "<134>one\n"))
        XCTAssertEqual(receiver.receive(), "<134>one\n")

        // rsyslog restarts: the old socket goes away, a new one is bound.
        receiver.close()
        unlink(path)
        XCTAssertFalse(send(sink, "<134>lost\n"))
        XCTAssertEqual(dropped.current, 1)
        receiver = DatagramReceiver(unixPath: path)
        defer { receiver.close(); unlink(path) }
        XCTAssertTrue(send(sink, "<134>two\n"))
        XCTAssertEqual(receiver.receive(), "<134>two\n")
        sink.close()
    }

    func testMissingUNIXSocketDropsAndCounts() throws {
        let dropped = LogCounter()
        let sink = try DatagramLogSink(.unix(path: "/nonexistent/dev/log"), dropped: dropped)
        XCTAssertFalse(send(sink, "x\n"))
        XCTAssertFalse(send(sink, "y\n"))
        XCTAssertEqual(dropped.current, 2)
    }

    func testUDPReceiverGetsTheLine() throws {
        let receiver = DatagramReceiver(udp: ())
        defer { receiver.close() }
        let sink = try DatagramLogSink(.udp(host: "127.0.0.1", port: receiver.port), dropped: LogCounter())
        XCTAssertTrue(send(sink, "<134>hello\n"))
        XCTAssertEqual(receiver.receive(), "<134>hello\n")
    }

    func testDestinationParsing() throws {
        XCTAssertEqual(try LogDestination(parsing: "/dev/log"), .unix(path: "/dev/log"))
        XCTAssertEqual(try LogDestination(parsing: "unix@/run/log"), .unix(path: "/run/log"))
        XCTAssertEqual(try LogDestination(parsing: "127.0.0.1"), .udp(host: "127.0.0.1", port: 514))
        XCTAssertEqual(try LogDestination(parsing: "udp@10.0.0.1:1514"), .udp(host: "10.0.0.1", port: 1514))
        XCTAssertEqual(try LogDestination(parsing: "[::1]:515"), .udp(host: "::1", port: 515))
        XCTAssertEqual(try LogDestination(parsing: "::1:"), .udp(host: "::1", port: 514))
        XCTAssertEqual(try LogDestination(parsing: "stdout"), .fd(1))
        XCTAssertEqual(try LogDestination(parsing: "fd@3"), .fd(3))
        XCTAssertEqual(try LogDestination(parsing: "file@/var/log/h.log"), .file(path: "/var/log/h.log"))
        XCTAssertThrowsError(try LogDestination(parsing: "ring@buf"))
        XCTAssertThrowsError(try LogDestination(parsing: "not-an-address"))
    }
}
