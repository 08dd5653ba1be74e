import XCTest

@testable import HAProxyConfig

final class BindKeywordsTests: XCTestCase {
    func binds(_ lines: String, environment: [String: String] = [:]) -> ([BindConfig], Diagnostics) {
        let (config, diagnostics) = TestSupport.load(
            "frontend f\n  timeout client 1s\n" + lines, environment: environment)
        return (config?.proxies.first?.binds ?? [], diagnostics)
    }

    /// `${NAME}` is expanded in addresses even unquoted; unset is empty.
    func testUnquotedEnvironmentVariablesInAddresses() {
        let (b, d) = binds(
            """
              bind ${ADDR}:${PORT}
              bind :${PORT}-${END}
              bind unix@${DIR}/a.sock

            """, environment: ["ADDR": "127.0.0.1", "PORT": "8080", "END": "8081", "DIR": "/run"])
        XCTAssertEqual(d.messages, [])
        XCTAssertEqual(
            b.map(\.address),
            [
                .inet(host: "127.0.0.1", port: 8080, family: .any), .inet(host: "", port: 8080, family: .any),
                .inet(host: "", port: 8081, family: .any), .unix(path: "/run/a.sock"),
            ])
        let (_, unset) = binds("  bind 127.0.0.1:${NOPE}\n")
        XCTAssertTrue(
            unset.messages.contains { $0.description.contains("missing port specification in '127.0.0.1:${NOPE}'") },
            "\(unset.messages)")
    }

    func testAddressForms() {
        let (b, d) = binds(
            """
              bind :80
              bind *:81
              bind 127.0.0.1:82,127.0.0.2:83
              bind :::84
              bind [::1]:85
              bind ipv4@:86
              bind ipv6@:87
              bind 10.0.0.1:8000-8002
              bind unix@/run/a.sock mode 600 user nobody group nogroup
              bind /run/b.sock uid 0 gid 0
              bind abns@name
              bind fd@3
              bind "fd@${LISTEN_FD}"
              bind fd@${LISTEN_FD}

            """, environment: ["LISTEN_FD": "7"])
        XCTAssertEqual(d.messages, [])
        XCTAssertEqual(
            b.map(\.address),
            [
                .inet(host: "", port: 80, family: .any), .inet(host: "", port: 81, family: .any),
                .inet(host: "127.0.0.1", port: 82, family: .any), .inet(host: "127.0.0.2", port: 83, family: .any),
                .inet(host: "::", port: 84, family: .any), .inet(host: "::1", port: 85, family: .any),
                .inet(host: "", port: 86, family: .ipv4), .inet(host: "::", port: 87, family: .ipv6),
                .inet(host: "10.0.0.1", port: 8000, family: .any), .inet(host: "10.0.0.1", port: 8001, family: .any),
                .inet(host: "10.0.0.1", port: 8002, family: .any), .unix(path: "/run/a.sock"),
                .unix(path: "/run/b.sock"), .abstract(name: "name"), .fd(3), .fd(7), .fd(7),
            ])
        XCTAssertEqual(b[11].unixMode, 0o600)
        XCTAssertEqual(b[11].unixUser, "nobody")
        XCTAssertEqual(b[11].unixGroup, "nogroup")
    }

    func testOptionsApplyToEveryAddressOfTheLine() {
        let (b, d) = binds("  bind :80,:81 name web maxconn 100 backlog 10 accept-proxy defer-accept v4v6 v6only\n")
        XCTAssertEqual(d.messages, [])
        XCTAssertEqual(b.count, 2)
        for bind in b {
            XCTAssertEqual(bind.name, "web")
            XCTAssertEqual(bind.maxconn, 100)
            XCTAssertEqual(bind.backlog, 10)
            XCTAssertTrue(bind.acceptProxy && bind.deferAccept && bind.v4v6 && bind.v6only)
        }
    }

    func testUnimplementedOptionsAreRefused() {
        let (_, d) = binds("  bind :443 ssl generate-certificates\n  bind :80 transparent\n  bind :81 ssl allow-0rtt\n")
        XCTAssertEqual(
            d.alerts.prefix(3).map(\.message),
            [
                "parsing [test.cfg:3] : 'bind :443' in section 'frontend' : 'generate-certificates' option is not supported by this build.",
                "parsing [test.cfg:4] : 'bind :80' in section 'frontend' : 'transparent' option is not supported by this build.",
                "parsing [test.cfg:5] : 'bind :81' in section 'frontend' : 'allow-0rtt' option is not supported by this build.",
            ])
        XCTAssertTrue(d.hasFatalErrors)
    }
}
