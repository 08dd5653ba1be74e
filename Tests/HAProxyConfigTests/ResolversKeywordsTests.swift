import XCTest

@testable import HAProxyConfig

/// `resolvers` sections and the server options naming them, with 2.6's
/// messages (recorded with `haproxy -c` on the same lines).
final class ResolversKeywordsTests: XCTestCase {
    static let defaults = "defaults\n mode http\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n"

    func testSectionFillsTheModel() throws {
        let (config, diagnostics) = TestSupport.load(
            """
            resolvers ns
              nameserver dns 127.0.0.1:5353
              nameserver v6 [::1]:53
              nameserver t tcp@127.0.0.1:53
              accepted_payload_size 8192
              hold valid 1s
              hold nx 2s
              hold other 3s
              hold refused 4s
              hold timeout 5s
              hold obsolete 6s
              resolve_retries 2
              timeout resolve 500ms
              timeout retry 300ms
            """ + "\n" + Self.defaults
                + """
                backend be
                  default-server resolvers ns init-addr none
                  server s1 web.test:80 resolve-prefer ipv4 resolve-net 10.0.0.0/8,192.168.0.0/255.255.0.0
                  server-template t 2-3 multi.test:80 resolve-opts allow-dup-ip init-addr last,127.0.0.9,none
                """)
        XCTAssertEqual(diagnostics.messages.map(\.message), [])
        let c = try XCTUnwrap(config)
        let ns = try XCTUnwrap(c.resolvers.first)
        XCTAssertEqual(ns.name, "ns")
        XCTAssertEqual(ns.nameservers.map(\.name), ["dns", "v6", "t"])
        XCTAssertEqual(ns.nameservers.map(\.host), ["127.0.0.1", "::1", "127.0.0.1"])
        XCTAssertEqual(ns.nameservers.map(\.port), [5353, 53, 53])
        XCTAssertEqual(ns.nameservers.map(\.isTCP), [false, false, true])
        XCTAssertEqual(ns.acceptedPayloadSize, 8192)
        XCTAssertEqual(
            [ns.holdValidMs, ns.holdNXMs, ns.holdOtherMs, ns.holdRefusedMs, ns.holdTimeoutMs, ns.holdObsoleteMs],
            [1000, 2000, 3000, 4000, 5000, 6000])
        XCTAssertEqual(ns.resolveRetries, 2)
        XCTAssertEqual(ns.timeoutResolveMs, 500)
        XCTAssertEqual(ns.timeoutRetryMs, 300)
        let servers = c.proxies[0].servers
        XCTAssertEqual(servers.map(\.name), ["s1", "t2", "t3"])
        XCTAssertEqual(servers.map(\.options.resolvers), ["ns", "ns", "ns"])
        XCTAssertTrue(servers[0].options.resolvePreferIPv4)
        XCTAssertEqual(
            servers[0].options.resolveNetworks,
            [ResolveNetwork(bytes: [10, 0, 0, 0], prefixLength: 8), ResolveNetwork(bytes: [192, 168, 0, 0], prefixLength: 16)])
        XCTAssertEqual(servers[0].options.initAddr, [InitAddrMethod.none])
        XCTAssertEqual(servers[1].options.initAddr, [.last, .address("127.0.0.9"), .none])
        XCTAssertTrue(servers[2].options.allowDuplicateIP)
        XCTAssertFalse(servers[0].options.allowDuplicateIP)
    }

    func testSectionErrorsAsTheReferenceWordsThem() {
        let (_, diagnostics) = TestSupport.load(
            """
            resolvers ns
             nameserver dns 127.0.0.1:53
             hold foo 1s
             hold valid
             resolve_retries 0
             timeout foo 1s
             accepted_payload_size 100
             accepted_payload_size 70000
             bogus
             hold valid abc
             timeout resolve abc
             timeout retry
             nameserver x
             nameserver dns 127.0.0.1:54
             nameserver d3 127.0.0.1
             nameserver d4 foo:53
             nameserver d5 ftp@127.0.0.1:53
            resolvers ns
            resolvers
            """)
        XCTAssertEqual(
            TestSupport.lines(diagnostics).filter { $0.hasPrefix("[ALERT]") }.prefix(16),
            [
                "[ALERT]    (0) : config : parsing [test.cfg:3] : 'hold' unknown <event>: 'foo', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'.",
                "[ALERT]    (0) : config : parsing [test.cfg:4] : 'hold' expects an <event> and a <time> as arguments.",
                "[ALERT]    (0) : config : <event> can be either 'valid', 'nx', 'refused', 'timeout', or 'other'",
                "[ALERT]    (0) : config : parsing [test.cfg:6] : 'timeout' expects 'retry' or 'resolve' and <time> as arguments got 'foo'.",
                "[ALERT]    (0) : config : parsing [test.cfg:8] : 'accepted_payload_size' must be between 12 and 65535 inclusive (was 70000).",
                "[ALERT]    (0) : config : parsing [test.cfg:9] : unknown keyword 'bogus' in 'resolvers' section",
                "[ALERT]    (0) : config : parsing [test.cfg:10]: unexpected character 'a' in argument to <hold>.",
                "[ALERT]    (0) : config : parsing [test.cfg:11]: unexpected character 'a' in argument to <timeout resolve>.",
                "[ALERT]    (0) : config : parsing [test.cfg:12] : 'timeout retry' expects <time> as argument.",
                "[ALERT]    (0) : config : parsing [test.cfg:13] : 'nameserver' expects <name> and <addr>[:<port>] as arguments.",
                "[ALERT]    (0) : config : Parsing [test.cfg:14]: nameserver 'dns' has same name as another nameserver (declared at test.cfg:2).",
                "[ALERT]    (0) : config : parsing [test.cfg:15] : 'nameserver d3' : missing port specification in '127.0.0.1'",
                "[ALERT]    (0) : config : parsing [test.cfg:16] : 'nameserver d4' : invalid address: 'foo' in 'foo:53'",
                "[ALERT]    (0) : config : parsing [test.cfg:17] : 'nameserver d5' : 'ftp@' nameservers are not supported by this build in 'ftp@127.0.0.1:53'; use udp@ or tcp@.",
                "[ALERT]    (0) : config : Parsing [test.cfg:18]: resolvers 'ns' has same name as another resolvers (declared at test.cfg:1).",
                "[ALERT]    (0) : config : parsing [test.cfg:19] : missing name for resolvers section.",
            ])
    }

    func testServerOptionErrorsAsTheReferenceWordsThem() {
        let (_, diagnostics) = TestSupport.load(
            "resolvers ns\n nameserver dns 127.0.0.1:53\n" + Self.defaults
                + """
                backend be
                 server s1 web.test:80 resolvers ns init-addr foo
                 server s2 web.test:80 resolvers ns resolve-prefer ipv5
                 server s3 web.test:80 resolvers ns resolve-opts bogus
                 server s4 web.test:80 resolvers ns resolve-net 10.0.0.0/33
                 server s5 web.test:80 resolvers ns init-addr last
                 server s6 _http._tcp.web.test resolvers ns resolve-opts ignore-weight,allow-dup-ip
                """)
        XCTAssertEqual(
            TestSupport.lines(diagnostics).filter { $0.hasPrefix("[ALERT]") }.prefix(4),
            [
                "[ALERT]    (0) : config : [test.cfg:9] : 'server be/s1' : 'init-addr' : unknown init-addr method 'foo', supported methods are 'libc', 'last', 'none'..",
                "[ALERT]    (0) : config : [test.cfg:10] : 'server be/s2' : 'resolve-prefer' expects either ipv4 or ipv6 as argument..",
                "[ALERT]    (0) : config : [test.cfg:11] : 'server be/s3' : 'resolve-opts' : unknown resolve-opts option 'bogus', supported methods are 'allow-dup-ip', 'ignore-weight', and 'prevent-dup-ip'..",
                "[ALERT]    (0) : config : [test.cfg:12] : 'server be/s4' : 'resolve-net' invalid network '10.0.0.0/33'..",
            ])
        XCTAssertFalse(
            TestSupport.lines(diagnostics).contains { $0.contains("be/s5") || $0.contains("be/s6") },
            "init-addr last, SRV names and ignore-weight are accepted")
    }

    func testUnknownSectionAndEmptySection() {
        let (_, diagnostics) = TestSupport.load(
            "resolvers ns\n" + Self.defaults + "backend be\n server s1 web.test:80 resolvers nope init-addr none\n")
        let lines = TestSupport.lines(diagnostics)
        XCTAssertTrue(lines.contains("[ALERT]    (0) : config : backend 'be', server 's1': unable to find required resolvers 'nope'"), "\(lines)")
        XCTAssertTrue(lines.contains("[WARNING]  (0) : config : resolvers 'ns' [test.cfg:1] has no nameservers configured!"), "\(lines)")
    }

    func testParseResolvConfAddsTheSystemNameservers() throws {
        let (config, _) = TestSupport.load("resolvers ns\n parse-resolv-conf\n nameserver extra 127.0.0.1:5353\n")
        let expected = KeywordRegistry.resolvConfNameservers(String(decoding: try XCTUnwrap(FileManager.default.contents(atPath: "/etc/resolv.conf")), as: UTF8.self))
        let section = try XCTUnwrap(config?.resolvers.first)
        XCTAssertEqual(section.nameservers.map(\.name), expected + ["extra"])
        XCTAssertTrue(section.nameservers.dropLast().allSatisfy { $0.port == 53 })
    }

    /// Without a section named `default`, 2.6 makes one of /etc/resolv.conf's
    /// nameservers: servers may name it while resolv.conf names any.
    func testImplicitDefaultSectionFromResolvConf() throws {
        let text = String(decoding: FileManager.default.contents(atPath: "/etc/resolv.conf") ?? Data(), as: UTF8.self)
        let (_, diagnostics) = TestSupport.load(
            Self.defaults + "backend be\n server s1 web.test:80 resolvers default init-addr none\n")
        let lines = TestSupport.lines(diagnostics)
        let refused = "[ALERT]    (0) : config : backend 'be', server 's1': unable to find required resolvers 'default'"
        XCTAssertEqual(lines.contains(refused), ResolversConfig.implicitDefault(resolvConf: text) == nil, "\(lines)")
        // A section of the file named `default` replaces it.
        let (config, own) = TestSupport.load(
            "resolvers default\n nameserver dns 127.0.0.1:5353\n" + Self.defaults
                + "backend be\n server s1 web.test:80 resolvers default init-addr none\n")
        XCTAssertEqual(TestSupport.lines(own).filter { $0.hasPrefix("[ALERT]") }, [])
        XCTAssertEqual(config?.resolvers.map(\.name), ["default"])
        XCTAssertNil(ResolversConfig.implicitDefault(resolvConf: "search x\n"))
        XCTAssertEqual(ResolversConfig.implicitDefault(resolvConf: "nameserver 10.0.0.1\n")?.nameservers.map(\.port), [53])
    }

    func testParseResolvConfReadsItsNameservers() {
        XCTAssertEqual(
            KeywordRegistry.resolvConfNameservers("# c\nsearch x\nnameserver 10.0.0.1\nnameserver\t::1\n"),
            ["10.0.0.1", "::1"])
    }
}
