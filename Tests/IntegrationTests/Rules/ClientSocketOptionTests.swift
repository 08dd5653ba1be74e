import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `set-mark` and `set-tos`: the options land on the proxy's side of the
/// client connection, as `ss` shows them (`fwmark:`, `tos:`). SO_MARK
/// needs CAP_NET_ADMIN; without it the mark is left unset, as 2.6 leaves it.
final class ClientSocketOptionTests: IntegrationTestCase {
    private var markAllowed: Bool { socketOptionAllowed(level: SOL_SOCKET, name: SO_MARK) }

    /// `ss`'s line for the proxy's end of the connection from `clientPort` to `port`.
    private func socketLine(port: Int, clientPort: Int) throws -> String {
        let result = try runTool(
            "/usr/bin/ss", ["-tnHe", "--tos", "state", "established", "( sport = :\(port) and dport = :\(clientPort) )"],
            dir: tmp)
        return result.stdout
    }

    func testMarkAndTOSReachTheClientSocket() throws {
        let web = try startBackend("web")
        let echo = try startBackend("echo", mode: "echo")
        let httpPort = Ports.free(), tcpPort = Ports.free()
        try startProxy(config: Self.defaultsHTTP + """
        frontend web
            bind 127.0.0.1:\(httpPort)
            http-request set-mark 0x2a
            http-request set-tos 0x10 if { path /tos }
            default_backend web
        backend web
            server w 127.0.0.1:\(web.port)
        frontend relay
            mode tcp
            bind 127.0.0.1:\(tcpPort)
            tcp-request connection set-mark 7
            tcp-request connection set-tos 8
            default_backend echo
        backend echo
            mode tcp
            server e 127.0.0.1:\(echo.port)
        """, ports: [httpPort, tcpPort])

        // A keep-alive client: its connection stays open after the answer.
        let client = try Conn(port: httpPort)
        try client.send(HTTPClient.request("GET", "/tos"))
        XCTAssertEqual(try client.readResponse().status, 200)
        let http = try socketLine(port: httpPort, clientPort: client.localPort)
        XCTAssertTrue(http.contains("tos:0x10"), http)
        XCTAssertEqual(http.contains("fwmark:0x2a"), markAllowed, http)

        let relay = try Conn(port: tcpPort)
        try relay.send("hello\r\n")
        XCTAssertEqual(try relay.readLine(), "hello")
        let tcp = try socketLine(port: tcpPort, clientPort: relay.localPort)
        XCTAssertTrue(tcp.contains("tos:0x8"), tcp)
        XCTAssertEqual(tcp.contains("fwmark:0x7"), markAllowed, tcp)
    }
}
