import Foundation
import XCTest

/// `source <addr>[:<port>]`: the connections to the servers, and their
/// health checks, come from the given local address (as 2.6: the checks
/// too).
final class SourceAddressTests: IntegrationTestCase {
    private func body(_ port: Int, _ path: String) throws -> String {
        let r = try HTTPClient.get(port: port, path: path)
        XCTAssertEqual(r.status, 200)
        return String(decoding: r.body, as: UTF8.self)
    }

    func testServersAndChecksSeeTheSourceAddress() throws {
        let checked = try startBackend("checked"), plain = try startBackend("plain")
        let ports = (source: Ports.free(), plain: Ports.free())
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(ports.source)
            default_backend be

        backend be
            source 127.0.0.2
            option httpchk GET /peer
            server s1 127.0.0.1:\(checked.port) check inter 200

        frontend fe_plain
            bind 127.0.0.1:\(ports.plain)
            default_backend be_plain

        backend be_plain
            server s1 127.0.0.1:\(plain.port)
        """, ports: [ports.source, ports.plain])
        // The check's request, asked of the server directly.
        try waitUntil("a health check reached the server") { try body(checked.port, "/last-peer") != "\n" }
        XCTAssertEqual(try body(checked.port, "/last-peer"), "127.0.0.2\n")
        XCTAssertEqual(try body(ports.source, "/peer"), "127.0.0.2\n")
        XCTAssertEqual(try body(ports.plain, "/peer"), "127.0.0.1\n")
    }

    func testAPortIsBoundToo() throws {
        let backend = try startBackend("s1")
        let port = Ports.free(), local = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            source 127.0.0.3:\(local)
            server s1 127.0.0.1:\(backend.port)
        """, ports: [port])
        XCTAssertEqual(try body(port, "/peer"), "127.0.0.3\n")
        // The server connection, kept idle, holds the port.
        XCTAssertTrue(TCPTable.sockets(toPort: backend.port).contains { $0.localPort == local },
                      "no connection from port \(local)")
    }
}
