import Foundation
import XCTest

@testable import HAProxyConfig

/// Each `Fixtures/errors/NAME.cfg` is loaded and its messages compared with
/// `NAME.expected`, the real HAProxy 2.6's output for the same file (the
/// command that produced it is the first line of each golden file; see
/// `regenerate.sh`).
final class GoldenDiagnosticsTests: XCTestCase {
    func testMessagesMatchRealHAProxy() throws {
        let dir = TestSupport.fixtures.appendingPathComponent("errors")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".cfg") }.sorted()
        XCTAssertGreaterThan(names.count, 30)
        let cwd = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(dir.path)
        defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
        for name in names {
            let expectedPath = dir.appendingPathComponent(String(name.dropLast(4)) + ".expected").path
            let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
                .components(separatedBy: "\n").filter { !$0.hasPrefix("# made by:") }
            let (_, diagnostics) = ConfigLoader.load(
                paths: [name], environment: ["FOO": "bar", "LIST": "a b  c"], features: TestSupport.features,
                version: TestSupport.version)
            var actual = TestSupport.lines(diagnostics)
            var wanted = expected
            while wanted.last == "" { wanted.removeLast() }
            while actual.last == "" { actual.removeLast() }
            XCTAssertEqual(actual, wanted, "\(name):\n" + actual.joined(separator: "\n"))
        }
    }
}
