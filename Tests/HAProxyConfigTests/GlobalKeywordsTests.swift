import XCTest

@testable import HAProxyConfig

final class GlobalKeywordsTests: XCTestCase {
    func testGlobalKeywordsFillTheModel() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            global
                daemon
                master-worker
                maxconn 4096
                nbthread 2
                pidfile /run/haproxy.pid
                chroot /var/lib/haproxy
                user haproxy
                group haproxy
                uid 100
                gid 101
                ulimit-n 65536
                hard-stop-after 30s
                grace 2s
                node lb1
                description main load balancer
                log-tag hap
                log-send-hostname web1
                stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners
                stats socket ipv4@127.0.0.1:9999 level user
                stats timeout 30s
                stats maxconn 10
                server-state-file /var/lib/haproxy/state
                server-state-base /var/lib/haproxy
                tune.bufsize 32768
                tune.maxrewrite 2048
                spread-checks 5
                ca-base /etc/ssl/certs
                crt-base /etc/ssl/private
                ssl-default-bind-ciphers ECDHE
                ssl-default-server-options no-tlsv10
                quiet
            global
                maxconn 8192
            """)
        XCTAssertEqual(diagnostics.messages, [])
        let g = try XCTUnwrap(config?.global)
        XCTAssertTrue(g.daemon && g.masterWorker && g.quiet)
        XCTAssertEqual(g.maxconn, 8192, "several global sections merge, the last value wins")
        XCTAssertEqual(g.nbthread, 2)
        XCTAssertEqual(g.pidfile, "/run/haproxy.pid")
        XCTAssertEqual(g.chroot, "/var/lib/haproxy")
        XCTAssertEqual(g.user, "haproxy")
        XCTAssertEqual(g.group, "haproxy")
        XCTAssertEqual(g.uid, 100)
        XCTAssertEqual(g.gid, 101)
        XCTAssertEqual(g.ulimitN, 65536)
        XCTAssertEqual(g.hardStopAfterMs, 30_000)
        XCTAssertEqual(g.graceMs, 2000)
        XCTAssertEqual(g.node, "lb1")
        XCTAssertEqual(g.description, "main load balancer")
        XCTAssertEqual(g.logTag, "hap")
        XCTAssertEqual(g.logSendHostname, .some("web1"))
        XCTAssertEqual(g.statsSockets.count, 2)
        XCTAssertEqual(g.statsSockets[0].address, .unix(path: "/run/haproxy/admin.sock"))
        XCTAssertEqual(g.statsSockets[0].unixMode, 0o660)
        XCTAssertEqual(g.statsSockets[0].level, .admin)
        XCTAssertTrue(g.statsSockets[0].exposeFdListeners)
        XCTAssertEqual(g.statsSockets[1].address, .inet(host: "127.0.0.1", port: 9999, family: .ipv4))
        XCTAssertEqual(g.statsSockets[1].level, .user)
        XCTAssertEqual(g.statsTimeoutMs, 30_000)
        XCTAssertEqual(g.statsMaxconn, 10)
        XCTAssertEqual(g.serverStateFile, "/var/lib/haproxy/state")
        XCTAssertEqual(g.serverStateBase, "/var/lib/haproxy")
        XCTAssertEqual(g.tuneBufsize, 32768)
        XCTAssertEqual(g.tuneMaxrewrite, 2048)
        XCTAssertEqual(g.spreadChecks, 5)
        XCTAssertEqual(g.caBase, "/etc/ssl/certs")
        XCTAssertEqual(g.crtBase, "/etc/ssl/private")
        XCTAssertEqual(g.tls.bindCiphers, "ECDHE")
        XCTAssertEqual(g.tls.serverOptions.versions.disabled, [.tlsv10])
    }

    /// 2.6 keywords this build lacks say so; words 2.6 does not know are
    /// unknown, with HAProxy's suggestion (checked against 2.6.12).
    func testUnimplementedGlobalKeywordsAreNotSupported() {
        let (config, diagnostics) = TestSupport.load(
            """
            global
                description lb1
                insecure-fork-wanted
                master-worker no-exit-on-failure
                stats socket /tmp/x.sock process 1
                tune.h2.max-frame-size 16384
                busy-polling
                maxconnn 10
                ssl-default-bind-sigalgs RSA+SHA256
            """)
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.prefix(6).map(\.message),
            [
                "parsing [test.cfg:3] : 'insecure-fork-wanted' is not supported by this build.",
                "parsing [test.cfg:4] : 'master-worker no-exit-on-failure' is not supported by this build.",
                "parsing [test.cfg:5] : 'stats socket' : 'process' option is not supported by this build.",
                "parsing [test.cfg:6] : 'tune.h2.max-frame-size' is not supported by this build.",
                "parsing [test.cfg:7] : 'busy-polling' is not supported by this build.",
                "parsing [test.cfg:8] : unknown keyword 'maxconnn' in 'global' section; did you mean 'maxconn' maybe ?",
            ])
        // Not a 2.6 keyword (newer versions have it): unknown, as in 2.6.12.
        XCTAssertTrue(
            diagnostics.alerts[6].message.hasPrefix(
                "parsing [test.cfg:9] : unknown keyword 'ssl-default-bind-sigalgs' in 'global' section; did you mean"),
            diagnostics.alerts[6].message)
    }

    /// `stats bind-process`: this build is 2.6 with its single process, 1;
    /// the values naming it are accepted, the others refused with 2.6's
    /// messages (recorded against 2.6.12).
    func testStatsBindProcessNamesTheOnlyProcess() {
        for value in ["1", "1-1", "all", "odd", "even", "1-", "01", "1 all", "odd even"] {
            let (config, diagnostics) = TestSupport.load(
                """
                global
                    stats socket /tmp/x.sock level admin
                    stats bind-process \(value)
                """)
            XCTAssertNotNil(config, value)
            XCTAssertEqual(diagnostics.messages, [], value)
        }
        let range = "is not a valid number/range. It supports numbers from 1 to 1.\n"
        for (value, message) in [
            ("2", "'2' \(range)"), ("0", "'0' \(range)"), ("1-2", "'1-2' \(range)"), ("-1", "'-1' \(range)"),
            ("2-", "'2-' \(range)"), ("1-0", "'1-0' \(range)"), ("1 2", "'2' \(range)"),
            ("foo", "'foo' is not a valid number/range."), ("ALL", "'ALL' is not a valid number/range."),
            ("1,2", "'1,2' is not a valid number/range."), ("1-1-1", "'1-1-1' is not a valid number/range."),
            ("+1", "'+1' is not a valid number/range."), ("1 foo", "'foo' is not a valid number/range."),
        ] {
            let (config, diagnostics) = TestSupport.load(
                """
                global
                    stats bind-process \(value)
                """)
            XCTAssertNil(config, value)
            XCTAssertEqual(
                diagnostics.alerts.first?.message, "parsing [test.cfg:2] : 'stats bind-process' : \(message)", value)
        }
    }

    func testEnvironmentKeywordsAffectLaterLines() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            global
                setenv NODE lb1
                presetenv NODE ignored
                presetenv DESC hello
                node "${NODE}"
                description "$DESC"
                unsetenv DESC
                log-tag "${DESC-gone}"
                resetenv NODE
            """, environment: ["HOME": "/root"])
        XCTAssertEqual(diagnostics.messages, [])
        let g = try XCTUnwrap(config?.global)
        XCTAssertEqual(g.node, "lb1")
        XCTAssertEqual(g.description, "hello")
        XCTAssertEqual(g.logTag, "gone")
        XCTAssertEqual(g.environment, ["NODE": "lb1"])
    }

    func testNbprocIsRefusedAsIn26() {
        let (config, diagnostics) = TestSupport.load("global\n  nbproc 2\n")
        XCTAssertNil(config)
        XCTAssertTrue(diagnostics.alerts[0].message.contains("nbproc is not supported any more since HAProxy 2.5"))
    }

    func testUnimplementedGlobalKeywordIsRefused() {
        let (config, diagnostics) = TestSupport.load("global\n  lua-load /x.lua\n  ssl-engine rdrand\n")
        XCTAssertNil(config)
        XCTAssertEqual(
            diagnostics.alerts.prefix(2).map(\.message),
            [
                "parsing [test.cfg:2] : 'lua-load' is not supported by this build.",
                "parsing [test.cfg:3] : 'ssl-engine' is not supported by this build.",
            ])
    }
}
