import Foundation
import XCTest

/// Log lines that show the connection counters of the frontend, backend
/// and server (`%ac %fc %bc %sc %bq`) while `nbthread 2` runs streams on
/// both event loops, each updating those counters as its streams start and
/// end. The values must stay within what the load allows; under `make tsan`
/// (ThreadSanitizer) a counter read without the lock its writers take fails
/// the run.
final class LogCountersThreadsTests: IntegrationTestCase {
    private static let clients = 8

    /// The counters of one raw log line `%ac %fc %bc %sc %bq %rc %ST`
    /// (`%ST` absent in TCP).
    private func counters(_ line: String) -> [Int]? {
        let fields = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").map { Int($0) }
        guard fields.count >= 6, !fields.contains(nil) else { return nil }
        return fields.map { $0! }
    }

    /// Every count a stream of this load can see: at most `most`
    /// connections, and its own (a TCP stream gives its server slot back
    /// before it logs). The backend and server counts are read together:
    /// the one server never holds more connections than its backend.
    private func assertWithinLoad(_ line: String, most: Int, status: Int?, file: StaticString = #filePath,
                                  line l: UInt = #line) {
        guard let c = counters(line) else { return XCTFail("not a counters line: \(line)", file: file, line: l) }
        let (ac, fc, bc, sc, bq, rc) = (c[0], c[1], c[2], c[3], c[4], c[5])
        let own = 1...most, any = 0...most
        XCTAssertTrue(own.contains(ac) && own.contains(fc), "%ac %fc: \(line)", file: file, line: l)
        XCTAssertTrue(any.contains(bc) && any.contains(sc) && sc <= bc, "%bc %sc: \(line)", file: file, line: l)
        XCTAssertEqual([bq, rc], [0, 0], "%bq %rc: \(line)", file: file, line: l)
        if let status { XCTAssertEqual(c.count > 6 ? c[6] : nil, status, line, file: file, line: l) }
    }

    func testCountersInHTTPAndTCPLogLinesOnTwoThreads() throws {
        let receiver = try DatagramReceiver()
        let web = try startBackend("web")
        let echo = try startBackend("echo", mode: "echo")
        let httpPort = Ports.free(), tcpPort = Ports.free()
        try startProxy(config: """
        global
            nbthread 2

        \(Self.defaultsHTTP)
        frontend fe_http
            bind 127.0.0.1:\(httpPort)
            log 127.0.0.1:\(receiver.udpPort) format raw local0
            log-format "%ac %fc %bc %sc %bq %rc %ST"
            default_backend be_http

        backend be_http
            server web 127.0.0.1:\(web.port)

        listen tcp_echo
            mode tcp
            bind 127.0.0.1:\(tcpPort)
            log 127.0.0.1:\(receiver.udpPort) format raw local0
            log-format "%ac %fc %bc %sc %bq %rc"
            server echo 127.0.0.1:\(echo.port)

        """, ports: [httpPort, tcpPort])
        // The port probes of startProxy log too (TCP lines without a status).
        while receiver.receive(timeout: 0.5) != nil {}

        // HTTP: keep-alive clients on both loops; each request takes and
        // gives back a slot on the backend and the server.
        let perClient = 40
        var lines: [String] = []
        let load = try runLoad(port: httpPort, connections: Self.clients, duration: 60, maxPerConnection: perClient,
                               during: {
            let deadline = Date().addingTimeInterval(60)
            while lines.count < Self.clients * perClient, let line = receiver.receive(timeout: deadline.timeIntervalSinceNow) {
                lines.append(line)
            }
        })
        XCTAssertEqual(load.failed, [])
        XCTAssertEqual(lines.count, Self.clients * perClient)
        for line in lines { assertWithinLoad(line, most: Self.clients, status: 200) }

        // TCP: a connection per exchange, so the frontend counts move too
        // (a closed connection may still count while the proxy ends it).
        let perThread = 10
        let echoed = try concurrently(Self.clients, timeout: 60) { i -> Int in
            var ok = 0
            for j in 0..<perThread {
                guard let c = try? Conn(port: tcpPort, timeout: 10) else { continue }
                defer { c.close() }
                let text = "ping \(i)-\(j)"
                if (try? c.send(text + "\r\n")) != nil, (try? c.readLine()) == text { ok += 1 }
            }
            return ok
        }
        XCTAssertEqual(echoed.reduce(0, +), Self.clients * perThread)
        var tcpLines: [String] = []
        while tcpLines.count < Self.clients * perThread, let line = receiver.receive(timeout: 10) {
            tcpLines.append(line)
        }
        XCTAssertEqual(tcpLines.count, Self.clients * perThread)
        for line in tcpLines { assertWithinLoad(line, most: Self.clients * perThread, status: nil) }
    }
}
