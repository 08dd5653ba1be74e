import Foundation
import XCTest

/// `option abortonclose`: a client that leaves while the connection to its
/// server is still being set up ends the stream at once; the server's slot
/// is released once, so the counters come back to zero when the pending
/// connect times out.
final class AbortOnCloseTests: IntegrationTestCase {
    /// A listening socket whose backlog is full and that never accepts: a
    /// connect to it neither succeeds nor fails before its timeout.
    private func unresponsiveServer() throws -> (port: Int, sockets: [Int32]) {
        let port = Ports.free()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 0) == 0 else { throw POSIXError(.EADDRINUSE) }
        var sockets = [listener]
        for _ in 0..<3 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = fcntl(filler, F_SETFL, fcntl(filler, F_GETFL) | O_NONBLOCK)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            sockets.append(filler)
        }
        return (port, sockets)
    }

    private func serverRow(_ stats: String) -> [Substring]? {
        stats.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .first { $0.count > 4 && $0[0] == "be" && $0[1] == "slow" }
    }

    func testClientLeavingDuringConnectReleasesTheServerSlotOnce() throws {
        let (serverPort, sockets) = try unresponsiveServer()
        defer { sockets.forEach { close($0) } }
        let port = Ports.free()
        let stats = tmp.appendingPathComponent("stats.sock").path
        try startProxy(config: """
            global
                stats socket \(stats) level admin
            defaults
                mode http
                timeout connect 400ms
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
                option abortonclose
                retries 0
                server slow 127.0.0.1:\(serverPort)

            """, ports: [port])
        let c = try Conn(port: port)
        try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 5) {
            (LifecycleHarness.unixCommand(stats, "show sess") ?? "").contains("srv=slow")
        }, "the request did not reach the connect step")
        c.close()
        // The session ends with the client; the pending connect then times out.
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 5) {
            !(LifecycleHarness.unixCommand(stats, "show sess") ?? "srv=").contains("srv=")
        }, "the session outlived its client")
        Thread.sleep(forTimeInterval: 0.8)  // past `timeout connect`: the late failure must not release again
        let row = try XCTUnwrap(serverRow(LifecycleHarness.unixCommand(stats, "show stat") ?? ""))
        XCTAssertEqual(row[4], "0", "server scur after the aborted connect: \(row.prefix(8))")
    }
}
