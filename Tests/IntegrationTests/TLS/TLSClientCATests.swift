import Foundation
import XCTest

/// `ca-verify-file` beside `ca-file` (manual 5.1): a root CA that verifies
/// client certificates without being named in the certificate request,
/// compared with Debian's 2.6 on the same configuration and clients.
final class TLSClientCATests: IntegrationTestCase {
    /// A root, an intermediate it signed, a client certificate the
    /// intermediate signed, and a server certificate.
    private func makeChain() throws {
        let script = """
            set -e
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout root.key -out root.pem \
                -days 30 -subj '/CN=Test Root' 2>/dev/null
            printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign,cRLSign\\n' > ca.ext
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout inter.key -out inter.csr \
                -subj '/CN=Test Intermediate' 2>/dev/null
            openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -out inter.pem -days 30 \
                -extfile ca.ext 2>/dev/null
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout client.key -out client.csr \
                -subj '/CN=client1' 2>/dev/null
            openssl x509 -req -in client.csr -CA inter.pem -CAkey inter.key -CAcreateserial -out client.crt -days 30 2>/dev/null
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout site.key -out site.crt \
                -days 30 -subj '/CN=localhost' 2>/dev/null
            cat site.crt site.key > site.pem
            cat inter.pem root.pem > chain.pem
            """
        let made = try runTool("/bin/sh", ["-c", script], dir: tmp)
        guard made.status == 0 else { throw HarnessError("openssl could not make the test chain: \(made.stderr)") }
    }

    private func path(_ name: String) -> String { tmp.appendingPathComponent(name).path }

    /// With the intermediate in `ca-file` and the root in `ca-verify-file`,
    /// a client certificate verifies; the request names the intermediate
    /// only. Without the root it fails, and with only `ca-verify-file` it
    /// verifies and names no CA: the same as 2.6 in each case.
    func testCAVerifyFileVerifiesWithoutNamingMatchesTheReference() throws {
        let reference = FramingDifferentialTests.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            return
        }
        try makeChain()
        try """
            \(path("site.pem")) [ca-file \(path("inter.pem")) ca-verify-file \(path("root.pem")) verify required]

            """.write(toFile: path("list.txt"), atomically: true, encoding: .utf8)
        func config(_ ports: [Int]) -> String {
            Self.defaultsHTTP + """
            frontend fe
                bind 127.0.0.1:\(ports[0]) ssl crt \(path("site.pem")) ca-file \(path("inter.pem")) ca-verify-file \(path("root.pem")) verify required
                bind 127.0.0.1:\(ports[1]) ssl crt \(path("site.pem")) ca-file \(path("inter.pem")) verify required
                bind 127.0.0.1:\(ports[2]) ssl crt \(path("site.pem")) ca-verify-file \(path("chain.pem")) verify optional
                bind 127.0.0.1:\(ports[3]) ssl crt-list \(path("list.txt"))
                http-request return status 200 content-type text/plain lf-string "used=%[ssl_c_used] verify=%[ssl_c_verify] cn=%[ssl_c_s_dn(CN)]\\n"
            """
        }
        let ours = (0..<4).map { _ in Ports.free() }, theirs = (0..<4).map { _ in Ports.free() }
        try startProxy(config: config(ours), ports: ours)
        let cfg = try writeConfig(config(theirs), name: "reference.cfg")
        let ref = track(try ManagedProcess(label: "reference", executable: reference, arguments: ["-f", cfg.path, "-db"], dir: tmp))
        for port in theirs { try Ports.waitUntilListening(port, timeout: 10, while: { ref.isRunning }) }
        /// The CA names the server asks for, and the answer to a request
        /// made with the client certificate (the intermediate not sent).
        func observe(_ port: Int) throws -> String {
            let script = "printf 'GET / HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\n' | "
                + "openssl s_client -connect 127.0.0.1:\(port) -cert client.crt -key client.key -ign_eof 2>&1"
            let out = try runTool("/bin/sh", ["-c", script], dir: tmp).stdout
            let lines = out.split(whereSeparator: \.isNewline).map(String.init)
            var kept: [String] = []
            if let start = lines.firstIndex(where: { $0.hasPrefix("Acceptable client certificate CA names") }) {
                kept += lines[start...].prefix { !$0.hasPrefix("Requested Signature") && !$0.hasPrefix("Client Certificate Types") }
            } else if lines.contains(where: { $0.hasPrefix("No client certificate CA names sent") }) {
                kept.append("No client certificate CA names sent")
            }
            kept += lines.filter { $0.hasPrefix("used=") }
            return kept.joined(separator: " | ")
        }
        var answers: [String] = []
        for (mine, reference) in zip(ours, theirs) {
            let answer = try observe(mine)
            answers.append(answer)
            XCTAssertEqual(answer, try observe(reference), "bind on \(mine)")
        }
        XCTAssertEqual(answers[0],
                       "Acceptable client certificate CA names | CN = Test Intermediate | used=1 verify=0 cn=client1")
        XCTAssertFalse(answers[1].contains("used="), "without the root the chain does not verify: \(answers[1])")
        XCTAssertTrue(answers[2].hasPrefix("No client certificate CA names sent"), answers[2])
        XCTAssertTrue(answers[2].hasSuffix("used=1 verify=0 cn=client1"), answers[2])
        XCTAssertEqual(answers[3], answers[0], "the crt-list line's options do the same")
    }
}
