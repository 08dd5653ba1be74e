import Foundation
import XCTest

/// `peers` with Debian's haproxy 2.6 as the other peer, on loopback: the
/// same tables on both sides, entries pushed by traffic (`track-sc0`) and
/// by `set table` on each side show on the other, and a side that
/// restarts gets the whole tables back from the other (resync).
final class PeersTests: IntegrationTestCase {
    private func startReference(config: String, localPeer: String, port: Int) throws -> ManagedProcess {
        let file = tmp.appendingPathComponent("ref.cfg")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let root = NSHomeDirectory() + "/.cache/proxybench/ref"
        let ref = track(try ManagedProcess(
            label: "haproxy-2.6", executable: try referenceBinary(), arguments: ["-f", file.path, "-db", "-L", localPeer], dir: tmp,
            environment: ["LD_LIBRARY_PATH": "\(root)/lib/x86_64-linux-gnu:\(root)/usr/lib/x86_64-linux-gnu"]))
        try Ports.waitUntilListening(port, timeout: 10, while: { ref.isRunning })
        return ref
    }

    private func get(_ port: Int, source: String) throws -> Int {
        let c = try Conn(port: port, timeout: 5, source: source)
        defer { c.close() }
        try c.send(HTTPClient.request("GET", "/", close: true))
        return try c.readResponse().status
    }

    /// `show peers` with an established session: the lines 2.6 prints for
    /// the section, each peer and each shared table, with the same fields
    /// (2.6's `remote_table`/`last_local_table` lines left aside).
    private func compareShowPeers(ours: String, reference: String, ourPeer: Int, refPeer: Int) throws {
        let mine = try StatsSocket.command(ours, "show peers")
        let theirs = try StatsSocket.command(reference, "show peers")
        // The field names of each line, by block: the section, the remote
        // peer, the local peer (each side is the local peer of its own).
        func shape(_ text: String) -> [String: [String]] {
            var blocks: [String: [String]] = [:]
            var block = "section"
            for line in text.split(separator: "\n") where !line.contains("remote_table:") && !line.contains("last_local_table:") {
                if line.contains("(remote,") { block = "remote" }
                if line.contains("(local,") { block = "local" }
                blocks[block, default: []].append(line.split(separator: " ").map { word in
                    word.split(separator: "=", maxSplits: 1).first.map { String($0.prefix { $0 != ":" && $0 != "(" }) } ?? ""
                }.filter { !$0.hasPrefix("0x") && !$0.hasPrefix("[") }.joined(separator: " "))
            }
            return blocks
        }
        XCTAssertEqual(shape(mine), shape(theirs), "ours:\n\(mine)\n2.6:\n\(theirs)")
        XCTAssertTrue(mine.contains("id=ref(remote,active) addr=127.0.0.1:\(refPeer) last_status=ESTA "), mine)
        XCTAssertTrue(mine.contains("st0=7 st1=0 task_calls=0 state=EST\n"), mine)
        XCTAssertTrue(mine.contains("id=ours(local,inactive) addr=127.0.0.1:\(ourPeer) last_status=NONE last_hdshk=<NEVER>\n"), mine)
        XCTAssertTrue(mine.contains(" id=mesh/names update="), mine)
        XCTAssertTrue(try StatsSocket.command(ours, "show peers nope").hasPrefix("No such peers\n"))
    }

    func testTablesSyncBothWaysWith26AndAfterRestarts() throws {
        let ourPeer = Ports.free(), refPeer = Ports.free(), ourPort = Ports.free(), refPort = Ports.free()
        let ourSocket = tmp.appendingPathComponent("ours.sock").path
        let refSocket = tmp.appendingPathComponent("ref.sock").path
        func config(port: Int, socket: String) -> String {
            """
            global
                stats socket \(socket) level admin

            peers mesh
                peer ours 127.0.0.1:\(ourPeer)
                peer ref 127.0.0.1:\(refPeer)
                table names type string len 16 size 100 expire 1m store gpc0,gpt0

            """ + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)
                stick-table type ip size 1k expire 1m peers mesh store http_req_cnt,gpc0,http_req_rate(10s),server_id
                http-request track-sc0 src
                http-request return status 200

            """
        }
        let ours = try startProxy(config: config(port: ourPort, socket: ourSocket), ports: [ourPort, ourPeer], extraArgs: ["-L", "ours"])
        var ref = try startReference(config: config(port: refPort, socket: refSocket), localPeer: "ref", port: refPort)
        func table(_ socket: String, _ name: String) -> String {
            (try? StatsSocket.command(socket, "show table \(name)")) ?? ""
        }
        func waitFor(_ socket: String, _ name: String, _ parts: [String], _ what: String) throws {
            try waitUntil(what, timeout: 30) {
                table(socket, name).split(separator: "\n").contains { line in parts.allSatisfy { line.contains($0) } }
            }
        }

        // Traffic on each side shows on the other.
        for _ in 0..<2 { XCTAssertEqual(try get(ourPort, source: "127.0.0.2"), 200) }
        try waitFor(refSocket, "fe", ["key=127.0.0.2 ", "http_req_cnt=2 ", "http_req_rate(10000)=2"], "2.6 learns our entry")
        for _ in 0..<3 { XCTAssertEqual(try get(refPort, source: "127.0.0.3"), 200) }
        try waitFor(ourSocket, "fe", ["key=127.0.0.3 ", "http_req_cnt=3 ", "http_req_rate(10000)=3"], "we learn 2.6's entry")
        // `set table` on a table of the peers section, both ways.
        _ = try StatsSocket.command(refSocket, "set table mesh/names key alice data.gpc0 7 data.gpt0 1")
        _ = try StatsSocket.command(ourSocket, "set table mesh/names key bob data.gpc0 9")
        try waitFor(ourSocket, "mesh/names", ["key=alice ", "gpt0=1 gpc0=7"], "we learn alice")
        try waitFor(refSocket, "mesh/names", ["key=bob ", "gpt0=0 gpc0=9"], "2.6 learns bob")
        // An entry updated on both sides keeps the last update.
        XCTAssertEqual(try get(refPort, source: "127.0.0.2"), 200)
        try waitFor(ourSocket, "fe", ["key=127.0.0.2 ", "http_req_cnt=3 "], "we learn 2.6's update of our entry")

        try compareShowPeers(ours: ourSocket, reference: refSocket, ourPeer: ourPeer, refPeer: refPeer)

        // 2.6 restarts: it asks us for the tables.
        ref.stop()
        ref = try startReference(config: config(port: refPort, socket: refSocket), localPeer: "ref", port: refPort)
        try waitFor(refSocket, "fe", ["key=127.0.0.3 ", "http_req_cnt=3 "], "2.6 resyncs 127.0.0.3 from us")
        try waitFor(refSocket, "fe", ["key=127.0.0.2 ", "http_req_cnt=3 "], "2.6 resyncs 127.0.0.2 from us")
        try waitFor(refSocket, "mesh/names", ["key=bob ", "gpc0=9"], "2.6 resyncs bob from us")

        // We restart: we ask 2.6 for the tables.
        ours.stop()
        try startProxy(config: config(port: ourPort, socket: ourSocket), ports: [ourPort, ourPeer], extraArgs: ["-L", "ours"])
        try waitFor(ourSocket, "fe", ["key=127.0.0.2 ", "http_req_cnt=3 "], "we resync 127.0.0.2 from 2.6")
        try waitFor(ourSocket, "mesh/names", ["key=alice ", "gpc0=7"], "we resync alice from 2.6")
        try waitFor(ourSocket, "mesh/names", ["key=bob ", "gpc0=9"], "we resync bob from 2.6")
        // And the session carries new traffic again.
        XCTAssertEqual(try get(ourPort, source: "127.0.0.4"), 200)
        try waitFor(refSocket, "fe", ["key=127.0.0.4 ", "http_req_cnt=1 "], "2.6 learns a new entry after our restart")
        _ = ref
    }
}

extension PeersTests {
    /// The arrays `gpt(N)`, `gpc(N)` and `gpc_rate(N,period)` in a shared
    /// table travel both ways between this build and 2.6, live and in the
    /// resync after 2.6 restarts.
    func testArraysSyncBothWaysWith26() throws {
        let ourPeer = Ports.free(), refPeer = Ports.free(), ourPort = Ports.free(), refPort = Ports.free()
        let ourSocket = tmp.appendingPathComponent("ours.sock").path
        let refSocket = tmp.appendingPathComponent("ref.sock").path
        func config(port: Int, socket: String) -> String {
            """
            global
                stats socket \(socket) level admin

            peers mesh
                peer ours 127.0.0.1:\(ourPeer)
                peer ref 127.0.0.1:\(refPeer)

            """ + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)
                stick-table type ip size 1k expire 1m peers mesh store gpc(3),gpt(2),gpc_rate(2,10s),conn_cnt
                http-request track-sc0 src
                http-request sc-inc-gpc(1,0)
                http-request sc-set-gpt(1,0) 7 if { src 127.0.0.2 }
                http-request sc-set-gpt(0,0) 5 if { src 127.0.0.3 }
                http-request sc-inc-gpc(2,0) if { src 127.0.0.3 }
                http-request return status 200

            """
        }
        try startProxy(config: config(port: ourPort, socket: ourSocket), ports: [ourPort, ourPeer], extraArgs: ["-L", "ours"])
        var ref = try startReference(config: config(port: refPort, socket: refSocket), localPeer: "ref", port: refPort)
        func waitFor(_ socket: String, _ parts: [String], _ what: String) throws {
            try waitUntil(what, timeout: 30) {
                ((try? StatsSocket.command(socket, "show table fe")) ?? "").split(separator: "\n").contains { line in
                    parts.allSatisfy { line.contains($0) }
                }
            }
        }
        for _ in 0..<2 { XCTAssertEqual(try get(ourPort, source: "127.0.0.2"), 200) }
        try waitFor(refSocket, ["key=127.0.0.2 ", " gpt0=0 gpt1=7 gpc0=0 gpc1=2 gpc2=0 gpc0_rate(10000)=0 gpc1_rate(10000)=2"],
                    "2.6 learns our arrays")
        for _ in 0..<3 { XCTAssertEqual(try get(refPort, source: "127.0.0.3"), 200) }
        try waitFor(ourSocket, ["key=127.0.0.3 ", " gpt0=5 gpt1=0 gpc0=0 gpc1=3 gpc2=3 gpc0_rate(10000)=0 gpc1_rate(10000)=3"],
                    "we learn 2.6's arrays")

        // 2.6 restarts and gets both entries back from us.
        ref.stop()
        ref = try startReference(config: config(port: refPort, socket: refSocket), localPeer: "ref", port: refPort)
        try waitFor(refSocket, ["key=127.0.0.2 ", " gpt1=7 gpc0=0 gpc1=2 gpc2=0 "], "2.6 resyncs 127.0.0.2 from us")
        try waitFor(refSocket, ["key=127.0.0.3 ", " gpt0=5 gpt1=0 gpc0=0 gpc1=3 gpc2=3 "], "2.6 resyncs 127.0.0.3 from us")
        _ = ref
    }

    /// `server_key` travels through the dictionary cache: with servers
    /// of the same names but swapped `id`s on the two sides, a client
    /// stuck to a server on one side goes to the server of that name on
    /// the other, both ways.
    func testServerKeyFollowsTheServerNameWith26() throws {
        let ourPeer = Ports.free(), refPeer = Ports.free(), ourPort = Ports.free(), refPort = Ports.free()
        let alpha = Ports.free(), beta = Ports.free()
        let ourSocket = tmp.appendingPathComponent("ours.sock").path
        let refSocket = tmp.appendingPathComponent("ref.sock").path
        func config(port: Int, socket: String, ids: (Int, Int), backends: String) -> String {
            """
            global
                stats socket \(socket) level admin

            peers mesh
                peer ours 127.0.0.1:\(ourPeer)
                peer ref 127.0.0.1:\(refPeer)

            """ + Self.defaultsHTTP + """
            listen fe
                bind 127.0.0.1:\(port)
                stick-table type ip size 1k expire 1m peers mesh
                stick on src
                server alpha 127.0.0.1:\(alpha) id \(ids.0)
                server beta 127.0.0.1:\(beta) id \(ids.1)

            """ + backends
        }
        // The two servers answer 201 (alpha) and 202 (beta).
        let backends = """
            listen alpha
                bind 127.0.0.1:\(alpha)
                http-request return status 201

            listen beta
                bind 127.0.0.1:\(beta)
                http-request return status 202

            """
        try startProxy(
            config: config(port: ourPort, socket: ourSocket, ids: (11, 12), backends: backends),
            ports: [ourPort, ourPeer, alpha, beta], extraArgs: ["-L", "ours"])
        let ref = try startReference(
            config: config(port: refPort, socket: refSocket, ids: (12, 11), backends: ""), localPeer: "ref", port: refPort)
        func waitFor(_ socket: String, _ parts: [String], _ what: String) throws {
            try waitUntil(what, timeout: 30) {
                ((try? StatsSocket.command(socket, "show table fe")) ?? "").split(separator: "\n").contains { line in
                    parts.allSatisfy { line.contains($0) }
                }
            }
        }
        // Ours to 2.6: each client's first server, then 2.6 sends it there.
        var first: [String: Int] = [:]
        for client in ["127.0.0.2", "127.0.0.3"] {
            first[client] = try get(ourPort, source: client)
            let name = first[client] == 201 ? "alpha" : "beta"
            try waitFor(refSocket, ["key=\(client) ", "server_key=\(name)"], "2.6 learns \(client) on \(name)")
        }
        XCTAssertEqual(Set(first.values), [201, 202])
        for (client, status) in first { XCTAssertEqual(try get(refPort, source: client), status, "2.6, \(client)") }
        // 2.6 to ours.
        for client in ["127.0.0.4", "127.0.0.5"] {
            first[client] = try get(refPort, source: client)
            let name = first[client] == 201 ? "alpha" : "beta"
            try waitFor(ourSocket, ["key=\(client) ", "server_key=\(name)"], "we learn \(client) on \(name)")
        }
        XCTAssertEqual(Set([first["127.0.0.4"], first["127.0.0.5"]]), [201, 202])
        for client in ["127.0.0.4", "127.0.0.5"] { XCTAssertEqual(try get(ourPort, source: client), first[client], "ours, \(client)") }
        // A name sent a second time goes as its id alone: an update of a
        // known entry still names the server.
        XCTAssertEqual(try get(ourPort, source: "127.0.0.6"), first["127.0.0.2"] == 201 ? 201 : 202)
        _ = ref
    }

    /// A peer that comes back gets only the entries updated after the last
    /// update it acknowledged: the test plays the peer, acknowledges (or not) each
    /// update, and reads what comes on each new session until the first
    /// heartbeat (3 s with nothing to send).
    func testReconnectResendsOnlyWhatThePeerDidNotAcknowledge() throws {
        let peerPort = Ports.free(), port = Ports.free()
        let socket = tmp.appendingPathComponent("ours.sock").path
        try startProxy(config: """
            global
                stats socket \(socket) level admin

            peers mesh
                peer ours 127.0.0.1:\(peerPort)
                peer other 127.0.0.1:\(Ports.free())

            """ + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)
                stick-table type ip size 1k expire 1m peers mesh store gpc0
                http-request return status 200

            """, ports: [port, peerPort], extraArgs: ["-L", "ours"])
        _ = try StatsSocket.command(socket, "set table fe key 127.0.0.9 data.gpc0 3")
        _ = try StatsSocket.command(socket, "set table fe key 127.0.0.8 data.gpc0 1")
        // The bodies of the updates of one session.
        func session(ack: Bool) throws -> [[UInt8]] {
            let c = try Conn(port: peerPort, timeout: 10)
            defer { c.close() }
            try c.send("HAProxyS 2.1\nours\nother 1 1\n")
            XCTAssertEqual(String(decoding: try c.read(until: Data("\n".utf8)), as: UTF8.self), "200\n")
            func byte() throws -> Int { Int([UInt8](try c.read(exactly: 1))[0]) }
            var updates: [[UInt8]] = []
            while true {
                let head = [UInt8](try c.read(exactly: 2))
                if head == [0, 4] { break }
                guard head[1] >= 0x80 else { continue }
                var length = try byte()
                if length >= 0xf0 {
                    var shift = 4
                    while true {
                        let b = try byte()
                        length += b << shift
                        shift += 7
                        if b < 0x80 { break }
                    }
                }
                let body = length > 0 ? [UInt8](try c.read(exactly: length)) : []
                if head == [0x0a, 0x80] || head == [0x0a, 0x85] {
                    updates.append(body)
                    // The table's id (1), the update's id.
                    if ack { try c.send(Data([0x0a, 0x84, 0x05, 0x01] + body[0..<4])) }
                }
            }
            return updates
        }
        func hasKey(_ body: [UInt8], _ last: UInt8 = 9) -> Bool {
            // Timed: the id, the lifetime, the key; else the id, the key.
            if body.count >= 12, Array(body[8..<12]) == [127, 0, 0, last] { return true }
            return body.count >= 8 && Array(body[4..<8]) == [127, 0, 0, last]
        }
        let first = try session(ack: true)
        XCTAssertTrue(first.contains { hasKey($0) } && first.contains { hasKey($0, 8) }, "\(first)")
        // All acknowledged: nothing again.
        XCTAssertEqual(try session(ack: false), [])
        // A change while no session is up: that entry alone goes again
        // (not 127.0.0.8), and again while not acknowledged.
        _ = try StatsSocket.command(socket, "set table fe key 127.0.0.9 data.gpc0 4")
        let third = try session(ack: false)
        XCTAssertEqual(third.count, 1)
        XCTAssertTrue(third.allSatisfy { hasKey($0) }, "\(third)")
        XCTAssertEqual(try session(ack: false).count, 1)
    }

    /// A reload (master-worker, SIGUSR2) keeps the tables: the old worker
    /// hands them to the new one through the local peer, so a client over
    /// its request rate stays refused after the reload, in this build as
    /// in 2.6 (same configuration, same steps on both).
    func testReloadHandsTheTablesToTheNewWorker() throws {
        let reference = try referenceBinary()
        for product in ["ours", "2.6"] {
            let port = Ports.free(), peerPort = Ports.free()
            // Short: 2.6 refuses socket paths near the 108-byte limit.
            let master = "/tmp/peers-\(UUID().uuidString.prefix(8)).sock"
            defer { unlink(master) }
            let config = """
                peers local
                    peer me 127.0.0.1:\(peerPort)

                """ + Self.defaultsHTTP + """
                frontend fe
                    bind 127.0.0.1:\(port)
                    stick-table type ip size 1k expire 1m peers local store http_req_rate(1m),gpc0
                    http-request track-sc0 src
                    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 3 }
                    http-request return status 200

                """
            let p: ManagedProcess
            if product == "ours" {
                p = try startProxy(config: config, ports: [port], extraArgs: ["-W", "-S", master, "-L", "me"])
            } else {
                let file = tmp.appendingPathComponent("reload-ref.cfg")
                try config.write(to: file, atomically: true, encoding: .utf8)
                let root = NSHomeDirectory() + "/.cache/proxybench/ref"
                p = track(try ManagedProcess(
                    label: "haproxy-2.6-reload", executable: reference,
                    arguments: ["-f", file.path, "-db", "-W", "-S", master, "-L", "me"], dir: tmp,
                    environment: ["LD_LIBRARY_PATH": "\(root)/lib/x86_64-linux-gnu:\(root)/usr/lib/x86_64-linux-gnu"]))
                try Ports.waitUntilListening(port, timeout: 10, while: { p.isRunning })
            }
            func workers() -> [String] {
                let text = (try? Self.masterCommand(master, "show proc")) ?? ""
                return text.split(separator: "\n").filter { $0.contains(" worker ") }.map { String($0.split(separator: " ")[0]) }
            }
            var first: [String] = []
            try waitUntil("a worker (\(product))") { first = workers(); return !first.isEmpty }
            let statuses = try (0..<5).map { _ in try get(port, source: "127.0.0.5") }
            XCTAssertEqual(statuses, [200, 200, 200, 429, 429], product)
            XCTAssertEqual(try Self.masterCommand(master, "@1 set table fe key 10.9.8.7 data.gpc0 42"), "\n", product)
            // 2.6's old process hands over only once it considers itself up
            // to date: 5 s after it started when no peer taught it.
            try waitUntil("the worker is up to date (\(product))", timeout: 15) {
                ((try? Self.masterCommand(master, "@1 show peers")) ?? "").contains("resync_timeout=<PAST>")
            }
            p.signal(SIGUSR2)
            try waitUntil("a new worker (\(product))", timeout: 15) {
                let now = workers()
                return now.count == 1 && now.first != first.first
            }
            // The old worker left: the hand-over did not hold it.
            try waitUntil("the new worker has the entries (\(product))", timeout: 15) {
                let table = (try? Self.masterCommand(master, "@1 show table fe")) ?? ""
                return table.contains("key=10.9.8.7 ") && table.contains("gpc0=42") && table.contains("key=127.0.0.5 ")
            }
            XCTAssertEqual(try get(port, source: "127.0.0.5"), 429, "\(product): the rate survived the reload")
            XCTAssertEqual(try get(port, source: "127.0.0.6"), 200, product)
            p.stop()
        }
    }

    /// The handshake as 2.6 answers it (peers-v2.0.txt "Status Message"):
    /// 200 for a known peer, 501 for another protocol, 502 for another
    /// version, 503 when the hello names another local peer, 504 for an
    /// unknown peer; an established session that stays silent (no
    /// heartbeat) is closed.
    func testHandshakeStatusesAndSilentPeers() throws {
        let peerPort = Ports.free(), port = Ports.free()
        try startProxy(config: """
            peers mesh
                peer ours 127.0.0.1:\(peerPort)
                peer other 127.0.0.1:\(Ports.free())

            """ + Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(port)
                stick-table type ip size 1k peers mesh store gpc0
                http-request return status 200

            """, ports: [port, peerPort], extraArgs: ["-L", "ours"])
        for (hello, status) in [
            ("HAProxyS 2.1\nours\nother 1 1\n", "200"), ("HAProxyX 2.1\nours\nother 1 1\n", "501"),
            ("HAProxyS 3.0\nours\nother 1 1\n", "502"), ("HAProxyS 2.1\nsomeone\nother 1 1\n", "503"),
            ("HAProxyS 2.1\nours\nstranger 1 1\n", "504"),
        ] {
            let c = try Conn(port: peerPort, timeout: 5)
            defer { c.close() }
            try c.send(hello)
            let line = try c.read(until: Data("\n".utf8))
            XCTAssertEqual(String(decoding: line, as: UTF8.self), status + "\n", hello)
            if status != "200" { XCTAssertTrue(c.closesWithin(5), hello) }
        }
        // Established, then silent: closed once the silence exceeds 10 s.
        let c = try Conn(port: peerPort, timeout: 5)
        defer { c.close() }
        try c.send("HAProxyS 2.1\nours\nother 1 1\n")
        XCTAssertEqual(String(decoding: try c.read(until: Data("\n".utf8)), as: UTF8.self), "200\n")
        let start = Date()
        XCTAssertTrue(c.closesWithin(20))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 9)
    }

    /// The local peer's address taken by another socket: the process does
    /// not start, and says so in 2.6's words.
    func testBusyLocalPeerAddressStopsTheStart() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(fd, 1), 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let busy = Int(UInt16(bigEndian: addr.sin_port))
        let cfg = try writeConfig("peers mesh\n    peer ours 127.0.0.1:\(busy)\n\n" + Self.defaultsHTTP
            + "frontend fe\n    bind 127.0.0.1:\(Ports.free())\n    stick-table type ip size 1k peers mesh\n")
        let p = track(try ManagedProcess(
            label: "haproxy-busy", executable: haproxyPath, arguments: ["-f", cfg.path, "-db", "-L", "ours"], dir: tmp))
        XCTAssertTrue(p.waitForExit(timeout: 10))
        XCTAssertEqual(p.shellStatus, 1)
        XCTAssertTrue(p.stderr.contains(
            "Binding [\(cfg.path):2] for proxy ours: cannot bind socket (Address already in use) for [127.0.0.1:\(busy)]"), p.stderr)
    }

    /// One command on a master CLI (2.6's answers once the sending side
    /// is closed).
    static func masterCommand(_ path: String, _ command: String) throws -> String {
        try StatsSocket.command(path, command, halfClose: true)
    }
}
