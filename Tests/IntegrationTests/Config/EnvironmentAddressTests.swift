import Foundation
import XCTest

/// Unquoted `${NAME}` in addresses (`bind`, `server`, `log`): HAProxy 2.6
/// expands environment variables there even outside double quotes, and an
/// unset one expands to nothing. Both binaries run the same configuration
/// with the same environment.
final class EnvironmentAddressTests: IntegrationTestCase {
    private func config(socket: String) -> String {
        """
        global
            stats socket \(socket) level admin

        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s

        frontend fe
            bind ${ADDR}:${PORT}
            default_backend be

        backend be
            server s1 ${ADDR}:${SPORT}

        """
    }

    private func run(_ executable: String, label: String, config: String, environment: [String: String],
                     port: Int) throws -> Int {
        let file = tmp.appendingPathComponent("\(label).cfg")
        try config.write(to: file, atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let p = track(try ManagedProcess(label: label, executable: executable, arguments: ["-f", file.path, "-db"],
                                         dir: tmp, environment: env))
        defer {
            p.process.terminate()
            _ = p.waitForExit(timeout: 5)
        }
        try Ports.waitUntilListening(port, timeout: 10, while: { p.isRunning })
        let c = try Conn(port: port, timeout: 5)
        defer { c.close() }
        try c.send(HTTPClient.request("GET", "/", close: true))
        return try c.readResponse().status
    }

    func testUnquotedVariablesInBindAndServerAddresses() throws {
        let reference = NSHomeDirectory() + "/.cache/proxybench/ref/usr/sbin/haproxy"
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            return
        }
        let b = try startBackend("b")
        let root = NSHomeDirectory() + "/.cache/proxybench/ref"
        let refPort = Ports.free()
        let refStatus = try run(
            reference, label: "ref", config: config(socket: tmp.appendingPathComponent("ref.sock").path),
            environment: [
                "ADDR": "127.0.0.1", "PORT": "\(refPort)", "SPORT": "\(b.port)",
                "LD_LIBRARY_PATH": "\(root)/lib/x86_64-linux-gnu:\(root)/usr/lib/x86_64-linux-gnu",
            ], port: refPort)
        let port = Ports.free()
        let status = try run(
            haproxyPath, label: "ours", config: config(socket: tmp.appendingPathComponent("our.sock").path),
            environment: ["ADDR": "127.0.0.1", "PORT": "\(port)", "SPORT": "\(b.port)"], port: port)
        XCTAssertEqual(refStatus, 200)
        XCTAssertEqual(status, refStatus)
    }

    /// An unset variable leaves the port empty: the same alert as 2.6,
    /// quoting the address as written.
    func testUnsetVariableLeavesThePortMissing() throws {
        let file = try writeConfig("""
        frontend fe
            mode http
            bind 127.0.0.1:${LEFTOVERS_UNSET_PORT}
        """)
        let r = try runTool(haproxyPath, ["-c", "-f", file.path], dir: tmp)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(
            r.stderr.contains("'bind' : missing port specification in '127.0.0.1:${LEFTOVERS_UNSET_PORT}'"), r.stderr)
    }
}
