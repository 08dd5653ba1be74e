import Foundation
import XCTest

/// Debian's dnsmasq as the nameserver of a test: on 127.0.0.1 on a free
/// port, answering only from a hosts file the test rewrites (then SIGHUP),
/// NXDOMAIN for any other name under `.test`.
final class DNSMasq {
    let port: Int
    let hostsFile: URL
    private(set) var process: ManagedProcess
    private unowned let test: IntegrationTestCase

    /// - Parameter options: more dnsmasq options, e.g. `--srv-host=...`.
    init(in test: IntegrationTestCase, hosts: String, options: [String] = []) throws {
        self.test = test
        let executable = "/usr/sbin/dnsmasq"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            XCTFail("dnsmasq is missing: install Debian's dnsmasq-base (make test-deps)")
            throw HarnessError("dnsmasq missing")
        }
        port = Ports.free()
        hostsFile = test.tmp.appendingPathComponent("hosts-\(port)")
        try hosts.write(to: hostsFile, atomically: true, encoding: .utf8)
        // dnsmasq drops root for nobody: let it read the file and its folder.
        chmod(test.tmp.path, 0o755)
        chmod(hostsFile.path, 0o644)
        process = try Self.launch(test, port: port, hostsFile: hostsFile, options: options)
    }

    private static func launch(_ test: IntegrationTestCase, port: Int, hostsFile: URL, options: [String]) throws -> ManagedProcess {
        let process = test.track(try ManagedProcess(
            label: "dnsmasq-\(port)-\(UUID().uuidString.prefix(4))", executable: "/usr/sbin/dnsmasq",
            arguments: [
                "-k", "--no-resolv", "--no-hosts", "--local=/test/", "--addn-hosts=\(hostsFile.path)",
                "--port=\(port)", "--listen-address=127.0.0.1", "--bind-interfaces", "--cache-size=0",
                "--pid-file=", "--user=nobody", "--log-facility=-",
            ] + options,
            dir: test.tmp))
        try waitUntil("dnsmasq answers on \(port)") { Self.answers(port: port) || !process.isRunning }
        guard process.isRunning else { throw HarnessError("dnsmasq exited: \(process.stderr)") }
        return process
    }

    /// Starts dnsmasq again on the same port with other options (SRV
    /// records come from the command line, which SIGHUP does not reread).
    func restart(options: [String]) throws {
        process.stop()
        process = try Self.launch(test, port: port, hostsFile: hostsFile, options: options)
    }

    /// Replaces the answers: the file rewritten, then SIGHUP.
    func setHosts(_ hosts: String) throws {
        let staging = hostsFile.appendingPathExtension("new")
        try hosts.write(to: staging, atomically: false, encoding: .utf8)
        chmod(staging.path, 0o644)
        rename(staging.path, hostsFile.path)
        process.signal(SIGHUP)
    }

    /// Whether a query for `probe.test` gets any reply (NXDOMAIN included).
    static func answers(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let query: [UInt8] = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5] + Array("probe".utf8) + [4] + Array("test".utf8) + [0, 0, 1, 0, 1]
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let sent = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, query, query.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == query.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 512)
        return recv(fd, &buffer, buffer.count, 0) > 0
    }
}
