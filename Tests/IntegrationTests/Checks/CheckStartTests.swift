import Foundation
import XCTest

/// When the first health checks run: spread over the configuration as 2.6
/// spreads them (`CheckStartSchedule`), timed by the servers themselves,
/// our proxy and Debian's 2.6 started side by side.
final class CheckStartTests: IntegrationTestCase {
    /// Answers each connection `HTTP/1.0 200 OK` on its own thread and
    /// appends "<time> <port>" to the log at each accept.
    static let serverScript = """
    import socket, sys, threading, time
    log = open(sys.argv[1], "a", buffering=1)
    lock = threading.Lock()

    def answer(c):
        try:
            c.settimeout(2)
            c.recv(4096)
            c.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n")
        except OSError:
            pass
        c.close()

    def listen(port):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(64)
        while True:
            c, _ = s.accept()
            with lock:
                log.write("%.4f %d\\n" % (time.time(), port))
            threading.Thread(target=answer, args=(c,), daemon=True).start()

    for p in sys.argv[2:]:
        threading.Thread(target=listen, args=(int(p),), daemon=True).start()
    while True:
        time.sleep(60)
    """

    /// The servers' `inter`, two backends, and the first-check delays 2.6
    /// gives them: five checks numbered together; the 300 ms one neither
    /// spaces the others nor is spaced by its own interval.
    static let servers: [(backend: String, inter: Int, delay: Int)] = [
        ("b1", 1500, 0), ("b1", 1500, 300), ("b1", 1500, 600), ("b2", 3000, 1800), ("b2", 300, 1200),
    ]

    func testFirstChecksAreSpreadAs26() throws {
        let reference = try referenceBinary()
        let labels = ["reference", "ours"]
        let ports = labels.map { _ in Self.servers.map { _ in Ports.free() } }
        let script = tmp.appendingPathComponent("servers.py")
        try Self.serverScript.write(to: script, atomically: true, encoding: .utf8)
        let log = tmp.appendingPathComponent("accepts.log").path
        let server = track(try ManagedProcess(
            label: "servers", executable: "/usr/bin/python3",
            arguments: [script.path, log] + ports.joined().map(String.init), dir: tmp))
        for port in ports.joined() { try Ports.waitUntilListening(port, timeout: 10, while: { server.isRunning }) }
        for (side, label) in labels.enumerated() {
            // `spread-checks` varies the intervals after the first checks only.
            var config = """
                global
                    spread-checks 50
                defaults
                    mode http
                    option httpchk
                    timeout connect 1s
                    timeout client 5s
                    timeout server 5s
                frontend f
                    bind 127.0.0.1:\(Ports.free())
                    default_backend b1

                """
            var current = ""
            for (index, s) in Self.servers.enumerated() {
                if s.backend != current {
                    config += "backend \(s.backend)\n"
                    current = s.backend
                }
                config += "    server s\(index + 1) 127.0.0.1:\(ports[side][index]) check inter \(s.inter)\n"
            }
            let file = try writeConfig(config, name: "\(label).cfg")
            let proxy = track(try ManagedProcess(
                label: label, executable: side == 0 ? reference : haproxyPath, arguments: ["-f", file.path, "-db"],
                dir: tmp, environment: ["LD_LIBRARY_PATH": ProtocolCheckTests.referenceLibraries]))
            XCTAssertTrue(proxy.isRunning, label)
        }
        // The first accept on each port, from the log.
        func firsts() -> [Int: Double] {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            var first: [Int: Double] = [:]
            for line in text.split(separator: "\n") {
                let f = line.split(separator: " ")
                guard f.count == 2, let t = Double(f[0]), let p = Int(f[1]) else { continue }
                if first[p] == nil { first[p] = t }
            }
            return first
        }
        try waitUntil("every server saw its first check", timeout: 15) {
            let seen = firsts()
            return ports.joined().allSatisfy { seen[$0] != nil }
        }
        let seen = firsts()
        for (side, label) in labels.enumerated() {
            let times = ports[side].map { seen[$0]! }
            let offsets = times.map { Int((($0 - times[0]) * 1000).rounded()) }
            // Generous against a loaded machine; the schedule without the
            // spreading (each backend on its own, own intervals) is seconds off.
            for (index, s) in Self.servers.enumerated() {
                XCTAssertLessThan(abs(offsets[index] - s.delay), 250,
                                  "\(label): s\(index + 1) first checked \(offsets[index]) ms after s1, 2.6 spreads it to \(s.delay); all: \(offsets)")
            }
        }
    }
}
