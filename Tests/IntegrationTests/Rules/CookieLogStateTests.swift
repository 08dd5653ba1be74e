import Foundation
import HAProxyRules
import XCTest

/// The two cookie characters of the log's termination state (`%tsc`,
/// manual 8.5) for each persistence mode, as 2.6.12 logs them with the same
/// configuration and requests (recorded side by side): what the client's
/// cookie was (N none, V valid, I unknown, D its server down, E/O expired,
/// U not used) and what became of the server's (N, I inserted, U updated,
/// D removed, P kept, R rewritten); `--` in passive mode.
final class CookieLogStateTests: IntegrationTestCase {
    struct Case {
        let frontend: String
        let path: String
        let cookie: String?
        let tsc: String
        /// The server that answers (`-` for the proxy's own 503).
        let server: String
        let setCookie: String?
    }

    func testTerminationStateShowsTheCookieOutcome() throws {
        let log = try DatagramReceiver()
        defer { log.close() }
        let one = try startBackend("one"), two = try startBackend("two")
        let closed = Ports.free()
        let socket = tmp.appendingPathComponent("admin.sock").path
        let names = ["ins", "persist", "preserve", "plain", "post", "rew", "pre", "pas", "dated"]
        var ports: [String: Int] = [:]
        for name in names { ports[name] = Ports.free() }
        let down = "server three 127.0.0.1:\(closed) cookie s3 check inter 100ms"
        try startProxy(config: """
        global
            stats socket \(socket) level admin

        defaults
            mode http
            log 127.0.0.1:\(log.udpPort) local0
            log-format "%b/%s %ST %tsc"
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        """ + names.map { "frontend \($0)\n    bind 127.0.0.1:\(ports[$0]!)\n    use_backend be_\($0)\n\n" }.joined() + """
        backend be_ins
            cookie SRV insert indirect nocache
            use-server two if { path_beg /admin }
            ignore-persist if { path_beg /ign }
            server one 127.0.0.1:\(one.port) cookie s1
            server two 127.0.0.1:\(two.port) cookie s2
            \(down)

        backend be_persist
            cookie SRV insert
            option persist
            server one 127.0.0.1:\(one.port) cookie s1
            \(down)

        backend be_preserve
            cookie SRV insert preserve
            server one 127.0.0.1:\(one.port) cookie s1

        backend be_plain
            cookie SRV insert
            server one 127.0.0.1:\(one.port) cookie s1
            server two 127.0.0.1:\(two.port) cookie s2

        backend be_post
            cookie SRV insert postonly
            server one 127.0.0.1:\(one.port) cookie s1

        backend be_rew
            cookie SRV rewrite
            server one 127.0.0.1:\(one.port) cookie s1
            \(down)

        backend be_pre
            cookie SRV prefix
            server one 127.0.0.1:\(one.port) cookie s1
            server two 127.0.0.1:\(two.port) cookie s2
            \(down)

        backend be_pas
            cookie SRV
            server one 127.0.0.1:\(one.port) cookie s1
            server two 127.0.0.1:\(two.port) cookie s2

        backend be_dated
            cookie SRV insert indirect maxidle 30m maxlife 8h
            server one 127.0.0.1:\(one.port) cookie s1

        """, ports: Array(ports.values))
        try waitUntil("server three is down in every backend") {
            let csv = try StatsSocket.command(socket, "show stat")
            return ["be_ins", "be_persist", "be_rew", "be_pre"].allSatisfy {
                StatsCSV.rows(csv, proxy: $0)["three"]?["status"] == "DOWN"
            }
        }
        // Dates in the cookie's own encoding; "now" a little in the past,
        // so that the idle date is always refreshed (`U`).
        let now = Int64(Date().timeIntervalSince1970) - 8
        func date(_ offset: Int64) -> String { String(decoding: CookieValues.encodeDate(seconds: now + offset), as: UTF8.self) }
        let hour: Int64 = 3600
        func sets(_ v: String) -> String { "/set-cookie?v=" + v.replacingOccurrences(of: "=", with: "%3D") }
        let cases: [Case] = [
            Case(frontend: "ins", path: "/", cookie: nil, tsc: "--NI", server: "one", setCookie: "SRV=s1; path=/"),
            Case(frontend: "ins", path: "/", cookie: "SRV=s1", tsc: "--VN", server: "one", setCookie: nil),
            Case(frontend: "ins", path: "/", cookie: "SRV=s2", tsc: "--VN", server: "two", setCookie: nil),
            Case(frontend: "ins", path: "/", cookie: "SRV=s3", tsc: "--DI", server: "*", setCookie: "*"),
            Case(frontend: "ins", path: "/", cookie: "SRV=zz", tsc: "--II", server: "*", setCookie: "*"),
            Case(frontend: "ins", path: "/", cookie: "SRV=s1~abc", tsc: "--II", server: "*", setCookie: "*"),
            Case(frontend: "ins", path: "/", cookie: "X=1", tsc: "--NI", server: "*", setCookie: "*"),
            Case(frontend: "ins", path: sets("SRV=abc"), cookie: "SRV=s1", tsc: "--VD", server: "one", setCookie: nil),
            Case(frontend: "ins", path: sets("SRV=abc"), cookie: "SRV=s2", tsc: "--VD", server: "two", setCookie: nil),
            Case(frontend: "ins", path: "/admin", cookie: nil, tsc: "--NN", server: "two", setCookie: nil),
            Case(frontend: "ins", path: "/admin", cookie: "SRV=s1", tsc: "--UN", server: "two", setCookie: nil),
            Case(frontend: "ins", path: "/admin", cookie: "SRV=zz", tsc: "--UN", server: "two", setCookie: nil),
            Case(frontend: "ins", path: "/ign", cookie: "SRV=s2", tsc: "--UN", server: "*", setCookie: nil),
            Case(frontend: "ins", path: "/ign", cookie: nil, tsc: "--NN", server: "*", setCookie: nil),
            Case(frontend: "persist", path: "/", cookie: "SRV=s3", tsc: "SCDN", server: "-", setCookie: nil),
            Case(frontend: "persist", path: "/", cookie: "SRV=s1", tsc: "--VN", server: "one", setCookie: nil),
            Case(frontend: "preserve", path: sets("SRV=abc"), cookie: nil, tsc: "--NP", server: "one", setCookie: "SRV=abc"),
            Case(frontend: "preserve", path: sets("SRV=abc"), cookie: "SRV=s1", tsc: "--VP", server: "one", setCookie: "SRV=abc"),
            Case(frontend: "plain", path: "/", cookie: "SRV=zz; SRV=s2", tsc: "--VN", server: "two", setCookie: nil),
            Case(frontend: "plain", path: "/", cookie: "SRV=s2; SRV=s1", tsc: "--VN", server: "two", setCookie: nil),
            Case(frontend: "post", path: "/", cookie: nil, tsc: "--NN", server: "one", setCookie: nil),
            Case(frontend: "post", path: "/", cookie: "SRV=zz", tsc: "--IN", server: "one", setCookie: nil),
            Case(frontend: "rew", path: "/", cookie: nil, tsc: "--NN", server: "one", setCookie: nil),
            Case(frontend: "rew", path: "/", cookie: "SRV=s3", tsc: "--DN", server: "one", setCookie: nil),
            Case(frontend: "rew", path: sets("SRV=abc"), cookie: nil, tsc: "--NR", server: "one", setCookie: "SRV=s1"),
            Case(frontend: "rew", path: sets("SRV=abc"), cookie: "SRV=s1", tsc: "--VR", server: "one", setCookie: "SRV=s1"),
            Case(frontend: "rew", path: sets("SRV=abc"), cookie: "SRV=zz", tsc: "--IR", server: "one", setCookie: "SRV=s1"),
            Case(frontend: "pre", path: "/", cookie: "SRV=s2~x", tsc: "--VN", server: "two", setCookie: nil),
            Case(frontend: "pre", path: "/", cookie: "SRV=s2", tsc: "--VN", server: "two", setCookie: nil),
            Case(frontend: "pre", path: "/", cookie: "SRV=s3~x", tsc: "--DN", server: "*", setCookie: nil),
            Case(frontend: "pre", path: sets("SRV=abc"), cookie: "SRV=s1~abc", tsc: "--VR", server: "one", setCookie: "SRV=s1~abc"),
            Case(frontend: "pas", path: "/", cookie: "SRV=s2", tsc: "----", server: "two", setCookie: nil),
            Case(frontend: "pas", path: "/", cookie: "SRV=s1", tsc: "----", server: "one", setCookie: nil),
            Case(frontend: "pas", path: sets("SRV=abc"), cookie: "SRV=s1", tsc: "----", server: "one", setCookie: "SRV=abc"),
            Case(frontend: "dated", path: "/", cookie: nil, tsc: "--NI", server: "one", setCookie: "*"),
            Case(frontend: "dated", path: "/", cookie: "SRV=s1", tsc: "--VU", server: "one", setCookie: "*"),
            Case(frontend: "dated", path: "/", cookie: "SRV=s1|\(date(0))", tsc: "--VU", server: "one", setCookie: "*"),
            Case(frontend: "dated", path: "/", cookie: "SRV=s1|\(date(-hour))", tsc: "--EI", server: "one", setCookie: "*"),
            Case(frontend: "dated", path: "/", cookie: "SRV=s1|\(date(48 * hour))", tsc: "--EI", server: "one", setCookie: "*"),
            Case(frontend: "dated", path: "/", cookie: "SRV=s1|\(date(0))|\(date(-9 * hour))", tsc: "--OI", server: "one", setCookie: "*"),
            Case(frontend: "dated", path: "/", cookie: "SRV=s1|\(date(-hour))|\(date(-9 * hour))", tsc: "--OI", server: "one", setCookie: "*"),
            Case(frontend: "dated", path: "/", cookie: "SRV=s1|AAAAA|AAAAA", tsc: "--VU", server: "one", setCookie: "*"),
            Case(frontend: "dated", path: "/", cookie: "SRV=zz|\(date(0))", tsc: "--II", server: "one", setCookie: "*"),
        ]
        var failures: [String] = []
        for c in cases {
            let response = try HTTPClient.get(port: ports[c.frontend]!, path: c.path,
                                              headers: c.cookie.map { ["Cookie": $0] } ?? [:])
            let line = try XCTUnwrap(log.receive(until: { $0.contains(": be_\(c.frontend)/") }).last)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let what = "\(c.frontend) \(c.path) cookie=\(c.cookie ?? "none")"
            if !line.hasSuffix(" \(c.tsc)") { failures.append("\(what): expected \(c.tsc), logged \(line)") }
            let answered = response.status == 503 ? "-" : (response.header("x-server") ?? "?")
            if c.server != "*", answered != c.server { failures.append("\(what): answered by \(answered), not \(c.server)") }
            let setCookie = response.headers.filter { $0.0 == "set-cookie" }.map(\.1).first { $0.hasPrefix("SRV=") }
            if c.setCookie != "*", setCookie != c.setCookie {
                failures.append("\(what): set-cookie \(setCookie ?? "none"), not \(c.setCookie ?? "none")")
            }
        }
        XCTAssertEqual(failures, [], failures.joined(separator: "\n"))
    }
}
