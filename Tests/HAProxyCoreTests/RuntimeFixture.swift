import Foundation
import HAProxyConfig
import HAProxyCore
import XCTest

/// Builds a `ProxyRuntime` (not started: nothing is bound) from
/// configuration text, through the real loader, for tests of the runtime
/// API and of state handling.
enum RuntimeFixture {
    static func runtime(from text: String) throws -> ProxyRuntime {
        let path = NSTemporaryDirectory() + "runtime-fixture-\(UUID().uuidString).cfg"
        try (text.hasSuffix("\n") ? text : text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (configuration, diagnostics) = ConfigLoader.load(
            paths: [path], environment: [:], features: [], version: "2.6.0")
        let loaded = try XCTUnwrap(configuration, "\(diagnostics.messages)")
        return try ProxyRuntime(configuration: loaded)
    }
}

/// Base of the tests that drive a runtime built from a configuration text:
/// keeps the runtime alive for the test (its CLI holds it unowned).
class RuntimeTestCase: XCTestCase {
    private var runtime: ProxyRuntime?

    func makeRuntime(from text: String) throws -> ProxyRuntime {
        let runtime = try RuntimeFixture.runtime(from: text)
        self.runtime = runtime
        return runtime
    }
}
