import Foundation
import XCTest

/// How the proxy ends its connections to servers, ours next to Debian's
/// 2.6 running the same configuration against a bare server socket: an
/// HTTP stream done with a server connection the server still holds open
/// resets it (SO_LINGER 0), so that no TIME_WAIT keeps the proxy's source
/// port (under connection-close load the ports would otherwise run out
/// and every connect(2) search longer for one); a `mode tcp` stream
/// passes the client's close on as a FIN.
final class ServerConnectionCloseTests: IntegrationTestCase {
    /// How a server saw its connection end.
    enum Ending: Equatable { case reset, fin, open }

    /// Accepts one connection on `listener` within 10 s.
    private func acceptOne(_ listener: TCPListener) throws -> Int32 {
        var ready = pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, 10_000) == 1 else { throw HarnessError("no connection from the proxy") }
        let fd = accept(listener.fd, nil, nil)
        guard fd >= 0 else { throw HarnessError("accept: errno \(errno)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Reads from `fd` until `delimiter` came, or throws.
    private func receive(_ fd: Int32, until delimiter: String) throws -> String {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains(delimiter) {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw HarnessError("server connection ended before \(delimiter.debugDescription)") }
            received += chunk[..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Waits (5 s at most) for the end of the server's connection `fd`.
    private func ending(of fd: Int32) -> Ending {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        if n == 0 { return .fin }
        if n < 0 && errno == ECONNRESET { return .reset }
        return .open
    }

    /// Runs `executable` on `config` (its frontend on `port`) and returns
    /// how the bare server saw the connection of `exchange` end.
    private func observe(
        _ executable: String, environment: [String: String]?, config: (Int, Int) -> String,
        exchange: (_ clientPort: Int, _ listener: TCPListener) throws -> Int32
    ) throws -> Ending {
        let port = Ports.free(), serverPort = Ports.free()
        let listener = try TCPListener(port: serverPort)
        let p = try startProxy(
            config: config(port, serverPort), ports: [port], executable: executable, environment: environment,
            name: "close-\(port).cfg")
        defer { p.stop() }
        let server = try exchange(port, listener)
        defer { close(server) }
        return ending(of: server)
    }

    /// Ours and 2.6 on the same configuration and exchange.
    private func compare(
        config: @escaping (Int, Int) -> String, exchange: @escaping (Int, TCPListener) throws -> Int32
    ) throws -> (ours: Ending, reference: Ending) {
        let ours = try observe(haproxyPath, environment: nil, config: config, exchange: exchange)
        let reference = try observe(try referenceBinary(), environment: referenceEnvironment(), config: config,
                                    exchange: exchange)
        return (ours, reference)
    }

    /// One request through the proxy; the server answers and keeps its
    /// connection open, the client closes after the response.
    private func oneRequest(clientPort: Int, listener: TCPListener) throws -> Int32 {
        let client = try Conn(port: clientPort)
        defer { client.close() }
        try client.send(HTTPClient.request("GET", "/", extra: "Connection: close\r\n"))
        let server = try acceptOne(listener)
        _ = try receive(server, until: "\r\n\r\n")
        let answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        _ = answer.withCString { send(server, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        XCTAssertEqual(try client.readResponse().status, 200)
        return server
    }

    func testHTTPServerCloseResetsTheServerConnection() throws {
        let result = try compare(config: { port, server in
            Self.defaultsHTTP + """
            listen web
                bind 127.0.0.1:\(port)
                option http-server-close
                server s 127.0.0.1:\(server)
            """
        }, exchange: oneRequest)
        XCTAssertEqual(result.ours, .reset)
        XCTAssertEqual(result.ours, result.reference)
    }

    /// `option http-pretend-keepalive`: the request tells the server the
    /// connection stays (RulesDifferentialTests compares the head), and
    /// the proxy still ends it after the response, with a reset.
    func testPretendKeepAliveStillResetsTheServerConnection() throws {
        let result = try compare(config: { port, server in
            Self.defaultsHTTP + """
            listen web
                bind 127.0.0.1:\(port)
                option http-server-close
                option http-pretend-keepalive
                server s 127.0.0.1:\(server)
            """
        }, exchange: oneRequest)
        XCTAssertEqual(result.ours, .reset)
        XCTAssertEqual(result.ours, result.reference)
    }

    /// A response the client left before its end: once the proxy finds
    /// the client gone, the connection (which cannot serve another
    /// request) is reset.
    func testServerConnectionOfAnAbandonedResponseIsReset() throws {
        let result = try compare(config: { port, server in
            Self.defaultsHTTP + """
            listen web
                bind 127.0.0.1:\(port)
                server s 127.0.0.1:\(server)
            """
        }, exchange: { clientPort, listener in
            let client = try Conn(port: clientPort)
            try client.send(HTTPClient.request("GET", "/"))
            let server = try self.acceptOne(listener)
            _ = try self.receive(server, until: "\r\n\r\n")
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial"
            _ = head.withCString { send(server, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            _ = try client.read(until: Data("partial".utf8))
            client.close()
            // More of the body, until the proxy finds its client gone and
            // ends the server's connection (readable: its reset came).
            var ready = pollfd(fd: server, events: Int16(POLLIN), revents: 0)
            for _ in 0..<50 {
                guard "more".withCString({ send(server, $0, 4, Int32(MSG_NOSIGNAL)) }) == 4 else { break }
                if poll(&ready, 1, 100) == 1 { break }
            }
            return server
        })
        XCTAssertEqual(result.ours, .reset)
        XCTAssertEqual(result.ours, result.reference)
    }

    /// A TLS server: the server reads the request, answers it and keeps
    /// the connection, then prints how it ended (what came after the
    /// proxy's close_notify: a reset or a FIN).
    private static let tlsServer = #"""
        import socket, ssl, sys
        port, cert = int(sys.argv[1]), sys.argv[2]
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert)
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(1)
        print("listening", flush=True)
        s, _ = listener.accept()
        s.settimeout(5)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = ctx.wrap_bio(incoming, outgoing, server_side=True)
        ended = None

        def receive():
            global ended
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                ended = "reset"
                return False
            if not data:
                ended = "fin"
                return False
            incoming.write(data)
            return True

        def flush():
            data = outgoing.read()
            if data:
                try:
                    s.sendall(data)
                except OSError:
                    pass  # the end shows at the next receive

        def call(f, *args):
            while True:
                try:
                    result = f(*args)
                    flush()
                    return result
                except ssl.SSLWantReadError:
                    flush()
                    if not receive():
                        return None

        call(tls.do_handshake)
        request = b""
        while b"\r\n\r\n" not in request:
            request += call(tls.read, 65536) or b""
        call(tls.write, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        try:
            notify = call(tls.read, 65536) == b""
        except ssl.SSLZeroReturnError:
            notify = True
        while ended is None and receive():
            pass
        print("close_notify" if notify else "no close_notify", ended or "open", flush=True)
        """#

    /// A server connection over TLS ends with a close_notify, then a reset,
    /// as 2.6 ends it.
    func testTLSServerConnectionEndsWithCloseNotifyThenAReset() throws {
        let certs = try TLSCertificates(in: tmp)
        let script = tmp.appendingPathComponent("tls-server.py")
        try Self.tlsServer.write(to: script, atomically: true, encoding: .utf8)
        func observe(_ executable: String, _ environment: [String: String]?) throws -> String {
            let port = Ports.free(), serverPort = Ports.free()
            let server = track(try ManagedProcess(
                label: "tls-server-\(serverPort)", executable: "/usr/bin/env",
                arguments: ["python3", script.path, "\(serverPort)", certs.leaf], dir: tmp))
            try waitUntil("the TLS server listens") { server.stdout.contains("listening") }
            let p = try startProxy(config: Self.defaultsHTTP + """
                listen web
                    bind 127.0.0.1:\(port)
                    option http-server-close
                    server s 127.0.0.1:\(serverPort) ssl verify none
                """, ports: [port], executable: executable, environment: environment, name: "tls-\(port).cfg")
            defer { p.stop() }
            let client = try Conn(port: port)
            defer { client.close() }
            try client.send(HTTPClient.request("GET", "/", extra: "Connection: close\r\n"))
            XCTAssertEqual(try client.readResponse().status, 200)
            try waitUntil("the TLS server saw its connection end", timeout: 10) { server.stdout.contains("close_notify") }
            return server.stdout.split(separator: "\n").last.map(String.init) ?? ""
        }
        let ours = try observe(haproxyPath, nil)
        XCTAssertEqual(ours, "close_notify reset")
        XCTAssertEqual(ours, try observe(try referenceBinary(), referenceEnvironment()))
    }

    func testTCPModePassesTheClientCloseOnAsAFIN() throws {
        let result = try compare(config: { port, server in
            """
            defaults
                mode tcp
                timeout connect 5s
                timeout client 10s
                timeout server 10s

            listen relay
                bind 127.0.0.1:\(port)
                server s 127.0.0.1:\(server)
            """
        }, exchange: { clientPort, listener in
            let client = try Conn(port: clientPort)
            try client.send("hello")
            let server = try self.acceptOne(listener)
            _ = try self.receive(server, until: "hello")
            client.close()
            return server
        })
        XCTAssertEqual(result.ours, .fin)
        XCTAssertEqual(result.ours, result.reference)
    }
}
