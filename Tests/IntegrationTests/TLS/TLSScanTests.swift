import Foundation
import XCTest

/// testssl.sh (Debian's package) scans a Mozilla "intermediate" bind, ours
/// and Debian's 2.6 with the same configuration: the protocols offered,
/// every cipher accepted for each of them, and the vulnerability checks
/// must read the same. The one expected difference: 2.6 offers h2 by
/// ALPN, this build does not (the HTTP layer speaks HTTP/1.x).
final class TLSScanTests: IntegrationTestCase {
    private static let expectedDifferences: Set<String> = ["ALPN_HTTP2"]

    func testMozillaIntermediateScanMatchesTheReference() throws {
        let reference = FramingDifferentialTests.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            return
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/testssl") else {
            XCTFail("testssl.sh is not installed: apt-get install testssl.sh (make test-deps)")
            return
        }
        let certificate = tmp.appendingPathComponent("site.pem").path
        let make = try runTool("/bin/sh", ["-c", """
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout key.pem \
                -out cert.pem -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>&1 &&
            cat cert.pem key.pem > '\(certificate)'
            """], dir: tmp)
        XCTAssertEqual(make.status, 0, make.stdout)
        func config(_ port: Int) -> String {
            """
            global
                ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305
                ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
                ssl-default-bind-options prefer-client-ciphers no-sslv3 no-tlsv10 no-tlsv11 no-tls-tickets

            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s

            frontend fe
                bind 127.0.0.1:\(port) ssl crt \(certificate) alpn h2,http/1.1
                http-response set-header Strict-Transport-Security max-age=63072000
                http-request return status 200 content-type text/plain string ok
            """
        }
        let ours = Ports.free(), theirs = Ports.free()
        try startProxy(config: config(ours), ports: [ours])
        let cfg = try writeConfig(config(theirs), name: "reference.cfg")
        let ref = track(try ManagedProcess(label: "reference", executable: reference, arguments: ["-f", cfg.path, "-db"], dir: tmp))
        try Ports.waitUntilListening(theirs, timeout: 10, while: { ref.isRunning })

        let ourScan = try scan(ours, name: "ours")
        let theirScan = try scan(theirs, name: "reference")
        // Protocols as Mozilla's intermediate profile wants them.
        for old in ["SSLv2", "SSLv3", "TLS1", "TLS1_1"] {
            XCTAssertEqual(ourScan[old]?.finding, "not offered", old)
        }
        XCTAssertTrue(ourScan["TLS1_2"]?.finding.hasPrefix("offered") ?? false, "\(ourScan["TLS1_2"].map { "\($0)" } ?? "no TLS1_2")")
        XCTAssertTrue(ourScan["TLS1_3"]?.finding.hasPrefix("offered") ?? false, "\(ourScan["TLS1_3"].map { "\($0)" } ?? "no TLS1_3")")
        XCTAssertTrue(ourScan.keys.contains { $0.hasPrefix("cipher-tls1_2_") }, "no TLS 1.2 cipher listed")
        var differences: [String] = []
        for id in Set(ourScan.keys).union(theirScan.keys).sorted() where !Self.expectedDifferences.contains(id) {
            if ourScan[id] != theirScan[id] {
                differences.append("\(id): ours \(ourScan[id].map { "\($0)" } ?? "-"), 2.6 \(theirScan[id].map { "\($0)" } ?? "-")")
            }
        }
        XCTAssertEqual(differences, [], "testssl.sh reads ours and 2.6 differently")
        XCTAssertGreaterThan(ourScan.count, 20, "the scan listed too little: \(ourScan.keys.sorted())")
    }

    struct Finding: Equatable, CustomStringConvertible {
        let severity: String
        let finding: String
        var description: String { "\(severity) \(finding)" }
    }

    /// testssl.sh's protocol, per-protocol cipher and vulnerability checks
    /// against 127.0.0.1:`port` as `localhost`: finding id → result.
    private func scan(_ port: Int, name: String) throws -> [String: Finding] {
        let json = tmp.appendingPathComponent("testssl-\(name).json").path
        let result = try runTool("/usr/bin/testssl", [
            "--quiet", "--color", "0", "--warnings", "off", "--jsonfile-pretty", json,
            "-p", "-E", "-U", "--ip", "127.0.0.1", "https://localhost:\(port)",
        ], dir: tmp, timeout: 300)
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let sections = root["scanResult"] as? [[String: Any]]
        else { throw HarnessError("testssl.sh wrote no scan result: \(result.stdout.suffix(2000))") }
        var findings: [String: Finding] = [:]
        for section in sections {
            for case let (_, items as [[String: Any]]) in section {
                for item in items {
                    guard let id = item["id"] as? String else { continue }
                    findings[id] = Finding(severity: item["severity"] as? String ?? "", finding: item["finding"] as? String ?? "")
                }
            }
        }
        return findings
    }
}
