import Foundation
import HAProxyConfig
import XCTest

@testable import HAProxyHTTP

/// What the state machine's tests share: the configuration they load, and
/// what they read from the actions a machine queued.
extension XCTestCase {
    /// The actions queued since the last call, taken out of the machine.
    func take(_ machine: inout HTTPStreamStateMachine) -> [HTTPStreamStateMachine.Action] {
        var list: [HTTPStreamStateMachine.Action] = []
        machine.takeActions(into: &list)
        return list
    }

    /// The timeouts the actions armed, in order (nil: the timer disarmed).
    func timers(_ actions: [HTTPStreamStateMachine.Action]) -> [Int?] {
        actions.compactMap { if case .armTimer(let ms) = $0 { return .some(ms) } else { return nil } }
    }

    /// The proxies of configuration `text`, loaded from a file the way the
    /// proxy loads its own; the configuration must raise no alert.
    func loadProxies(_ text: String) throws -> [ProxyConfig] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("machine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.cfg")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let (config, diagnostics) = ConfigLoader.load(paths: [file.path], environment: [:], features: [], version: "2.6.12")
        XCTAssertEqual(diagnostics.alerts.map(\.message), [])
        return try XCTUnwrap(config?.proxies)
    }
}
