import Foundation
import XCTest

/// HTTP and TCP rules run through ours and through Debian's haproxy 2.6 side
/// by side (rules_differential.py beside this file): a table of configurations
/// (ACLs, fetches, converters, maps, http-request/-response/-after-response
/// actions, redirects, auth, cookies, error pages, use_backend, forwardfor,
/// tcp-request/-response rules, hostile input), each answering its requests
/// the same way on both, and sending the same bytes to the servers. Every case
/// also carries what the reference must answer, so that a case that stops
/// exercising what it claims shows as BROKEN instead of passing.
///
/// Known differences are listed, with their reason, in known_differences.txt.
///
/// The reference binary is Debian's package unpacked by `make reference`
/// (never an installed haproxy); HAPROXY_REFERENCE may point elsewhere.
final class RulesDifferentialTests: IntegrationTestCase {
    static var referencePath: String {
        if let path = ProcessInfo.processInfo.environment["HAPROXY_REFERENCE"] { return path }
        return NSHomeDirectory() + "/.cache/proxybench/ref/usr/sbin/haproxy"
    }

    func testRulesMatchHAProxy26() throws {
        let reference = Self.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            return
        }
        let rules = Paths.supportDir.deletingLastPathComponent().appendingPathComponent("Rules")
        let script = rules.appendingPathComponent("rules_differential.py").path
        let allow = rules.appendingPathComponent("known_differences.txt").path
        let arguments = [script, "--candidate", haproxyPath!, "--reference", reference, "--allow", allow]
        let result = try runTool(Paths.python(), arguments, dir: tmp, timeout: 900)
        print(result.stdout)
        let notSame = result.stdout.split(separator: "\n")
            .filter { $0.hasPrefix("DIFFERS ") || $0.hasPrefix("REFUSED ") || $0.hasPrefix("BROKEN ") }
            .filter { !$0.contains("(allowed: ") }
        XCTAssertEqual(result.status, 0, "rules differ from HAProxy 2.6 in \(notSame.count) cases:\n"
                       + notSame.joined(separator: "\n") + "\n\(result.stderr)")
    }
}
