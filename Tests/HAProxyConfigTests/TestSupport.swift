import Foundation
import XCTest

@testable import HAProxyConfig

/// Shared helpers: fixture paths, loading text through the real loader.
enum TestSupport {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let features: Set<String> = ["EPOLL", "POLL", "THREAD", "TPROXY", "LINUX_TPROXY", "GETADDRINFO", "SYSTEMD"]
    static let version = "2.6.12"

    /// Writes `text` to a temporary file and loads it. The file ends in a
    /// line feed, as an editor saves it (HAProxy refuses a last line without
    /// one), unless `exactly` asks for the text as given.
    static func load(
        _ text: String, environment: [String: String] = [:], name: String = "test.cfg", exactly: Bool = false
    ) -> (Configuration?, Diagnostics) {
        let text = exactly || text.isEmpty || text.hasSuffix("\n") ? text : text + "\n"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfgtest-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(name)
        try? text.write(to: file, atomically: true, encoding: .utf8)
        let cwd = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(dir.path)
        defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
        return ConfigLoader.load(paths: [name], environment: environment, features: features, version: version)
    }

    /// Messages formatted with PID 0, one string per output line.
    static func lines(_ diagnostics: Diagnostics) -> [String] {
        diagnostics.formatted(pid: 0).flatMap { $0.components(separatedBy: "\n") }
    }
}
