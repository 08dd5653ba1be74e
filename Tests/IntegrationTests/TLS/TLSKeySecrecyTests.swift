import Foundation
import XCTest

/// The private keys the proxy holds never leave it: not in its log lines,
/// not on its standard error, not in any answer of the stats socket (the
/// certificate commands included, during and after a transaction that
/// carried a new key in its payload), not in `-vv`.
final class TLSKeySecrecyTests: IntegrationTestCase {
    func testPrivateKeysAppearInNoLogAndNoCommandOutput() throws {
        let certs = try TLSCertificates(in: tmp)
        let log = try DatagramReceiver()
        defer { log.close() }
        let admin = tmp.appendingPathComponent("admin.sock").path
        let port = Ports.free()
        let p = try startProxy(config: """
        global
            stats socket \(admin) level admin
            log 127.0.0.1:\(log.udpPort) local0 debug

        defaults
            mode http
            log global
            option httpslog
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        frontend fe
            bind 127.0.0.1:\(port) ssl crt \(certs.leaf) crt \(certs.wildcard)
            http-request return status 200 content-type text/plain string ok
        """, ports: [port])

        // The key lines of every key the proxy loaded or will receive.
        let keyFiles = [certs.leafKey, certs.dir.appendingPathComponent("wild.key").path]
        var secrets: [String] = []
        for file in keyFiles {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            secrets += text.split(separator: "\n").filter { !$0.hasPrefix("-----") && $0.count >= 32 }.map(String.init)
        }
        XCTAssertGreaterThan(secrets.count, 10, "the test keys were not read")

        let curl = try runTool("/usr/bin/curl", [
            "-sS", "--max-time", "10", "--cacert", certs.ca, "--resolve", "localhost:\(port):127.0.0.1",
            "https://localhost:\(port)/",
        ], dir: tmp)
        XCTAssertEqual(curl.stdout, "ok", curl.stderr)

        var outputs: [String: String] = [:]
        func ask(_ command: String) { outputs[command] = LifecycleHarness.unixCommand(admin, command) ?? "" }
        // A transaction whose payload carries the wildcard's certificate and key.
        let newPEM = try String(contentsOfFile: certs.wildcard, encoding: .utf8)
        outputs["set ssl cert"] = LifecycleHarness.unixCommand(admin, "set ssl cert \(certs.leaf) <<\n" + newPEM) ?? ""
        XCTAssertTrue(outputs["set ssl cert"]!.contains("Transaction created"), outputs["set ssl cert"]!)
        for command in [
            "show ssl cert", "show ssl cert \(certs.leaf)", "show ssl cert *\(certs.leaf)", "show ssl cert \(certs.wildcard)",
            "show ssl crt-list", "show info", "show stat", "show sess all", "show servers state",
        ] {
            ask(command)
        }
        ask("commit ssl cert \(certs.leaf)")
        ask("show ssl cert \(certs.leaf)")
        XCTAssertTrue(outputs["show ssl cert \(certs.leaf)"]!.contains("Subject: /CN=*.wild.test"),
                      outputs["show ssl cert \(certs.leaf)"]!)
        let version = try haproxy(["-vv"])
        outputs["-vv"] = version.stdout + version.stderr

        var lines: [String] = []
        while let line = log.receive(timeout: 1) { lines.append(line) }
        XCTAssertFalse(lines.isEmpty, "the request was not logged")
        outputs["log"] = lines.joined(separator: "\n")
        outputs["stderr"] = p.stderr

        for (source, text) in outputs {
            XCTAssertFalse(text.contains("PRIVATE KEY"), "\(source) names a private key:\n\(text)")
            for secret in secrets {
                XCTAssertFalse(text.contains(secret), "\(source) holds a line of a private key")
            }
        }
    }
}
