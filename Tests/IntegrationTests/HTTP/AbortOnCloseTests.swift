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
        // The proxy's own connection to the server: any socket to it that is
        // not one of the fillers.
        let fillerPorts = Set(sockets.dropFirst().compactMap(TCPTable.localPort(of:)))
        func pendingConnects() -> [Int] {
            TCPTable.sockets(toPort: serverPort).filter { !fillerPorts.contains($0.localPort) }.map(\.localPort)
        }
        let c = try Conn(port: port)
        try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 5) {
            (LifecycleHarness.unixCommand(stats, "show sess") ?? "").contains("srv=slow")
        }, "the request did not reach the connect step")
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 5) {
            TCPTable.sockets(toPort: serverPort).contains { !fillerPorts.contains($0.localPort) && $0.state == TCPTable.synSent }
        }, "no pending connect from the proxy to the server: \(TCPTable.sockets(toPort: serverPort))")
        c.close()
        // The session ends with the client; the pending connect then times out.
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 5) {
            !(LifecycleHarness.unixCommand(stats, "show sess") ?? "srv=").contains("srv=")
        }, "the session outlived its client")
        // The late failure: `timeout connect` fails the connect, and the
        // socket is closed just after its failure was handled (NIO fails the
        // connect promise, then closes the channel). Its leaving the kernel's
        // table is the event that shows the failure has been through the
        // code that must not release the slot a second time.
        XCTAssertTrue(LifecycleHarness.waitUntil(timeout: 5) { pendingConnects().isEmpty },
                      "the pending connect never timed out: \(pendingConnects())")
        let row = try XCTUnwrap(serverRow(LifecycleHarness.unixCommand(stats, "show stat") ?? ""))
        XCTAssertEqual(row[4], "0", "server scur after the aborted connect: \(row.prefix(8))")
    }
}
