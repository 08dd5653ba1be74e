import Foundation
import XCTest

/// Hostile HTTP/1 framing sent through ours and through Debian's haproxy
/// 2.6 side by side (framing_differential.py beside this file): the client's
/// answer and the exact bytes each server receives must be the same. The
/// catalogue holds the request smuggling cases (CL with TE, TE variants, CL
/// lists, obs-fold, control bytes, chunk syntax, trailers, Connection
/// handling, odd responses); 40 more requests are generated from a printed
/// seed (HAPROXY_TEST_SEED repeats a run).
///
/// The reference binary is Debian's package unpacked by `make reference`
/// (never an installed haproxy); HAPROXY_REFERENCE may point elsewhere.
final class FramingDifferentialTests: IntegrationTestCase {
    static var referencePath: String {
        if let path = ProcessInfo.processInfo.environment["HAPROXY_REFERENCE"] { return path }
        return NSHomeDirectory() + "/.cache/proxybench/ref/usr/sbin/haproxy"
    }

    func testFramingMatchesHAProxy26() throws {
        let reference = Self.referencePath
        guard FileManager.default.isExecutableFile(atPath: reference) else {
            XCTFail("Debian's haproxy 2.6 is not unpacked at \(reference): run `make reference`")
            return
        }
        let script = Paths.supportDir.deletingLastPathComponent()
            .appendingPathComponent("HTTP/framing_differential.py").path
        var arguments = [script, haproxyPath!, reference, "--random", "40"]
        if let seed = ProcessInfo.processInfo.environment["HAPROXY_TEST_SEED"] { arguments += ["--seed", seed] }
        let result = try runTool(Paths.python(), arguments, dir: tmp, timeout: 300)
        print(result.stdout)
        XCTAssertEqual(result.status, 0, "framing differs from HAProxy 2.6:\n\(result.stdout)\n\(result.stderr)")
        XCTAssertTrue(result.stdout.contains(" 0 differ"), result.stdout)
    }
}
