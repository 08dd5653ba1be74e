import Foundation
import HAProxyRules
import XCTest

/// `regsub` and the `map` converters over files this test writes.
final class PatternConverterTests: XCTestCase {
    private func evaluate(_ expression: String, _ c: TestSampleContext = TestSampleContext()) throws -> Sample? {
        try SampleExpression.parse(expression).evaluate(c)
    }

    func testRegsub() throws {
        XCTAssertEqual(try evaluate("str(/api/users),regsub(^/api/,/v2/)"), .string(Array("/v2/users".utf8)))
        XCTAssertEqual(try evaluate("str(aXbXc),regsub(x,-,gi)"), .string(Array("a-b-c".utf8)))
        XCTAssertEqual(try evaluate("str(aXbXc),regsub(X,-)"), .string(Array("a-bXc".utf8)))
        let regex = try Regex("^www\\.([a-z]+)\\.(org)$")
        let out = Array("www.site.org".utf8).withUnsafeBytes { regex.replace(in: $0, with: Array("\\2:\\1".utf8), global: false) }
        XCTAssertEqual(out.map { String(decoding: $0, as: UTF8.self) }, "org:site")
    }

    func testMapsWithDefaultsAndMatchMethods() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("maps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let hosts = dir.appendingPathComponent("hosts.map").path
        try "# host backend\nexample.com   be_web\n\napi.example.com be_api  \n".write(toFile: hosts, atomically: true, encoding: .utf8)
        let paths = dir.appendingPathComponent("paths.map").path
        try "/api v1\n/api/v2 v2\n".write(toFile: paths, atomically: true, encoding: .utf8)
        let nets = dir.appendingPathComponent("nets.map").path
        try "10.0.0.0/8 private\n10.1.0.0/16 inner\n".write(toFile: nets, atomically: true, encoding: .utf8)
        let ints = dir.appendingPathComponent("ints.map").path
        try "80 http\n443 https\n".write(toFile: ints, atomically: true, encoding: .utf8)

        XCTAssertEqual(try evaluate("str(api.example.com),map(\(hosts),none)"), .string(Array("be_api".utf8)))
        XCTAssertEqual(try evaluate("str(other),map(\(hosts),none)"), .string(Array("none".utf8)))
        XCTAssertNil(try evaluate("str(other),map(\(hosts))"))
        // Recorded: map_beg returns the longest matching prefix.
        XCTAssertEqual(try evaluate("str(/api/v2/x),map_beg(\(paths))"), .string(Array("v2".utf8)))
        XCTAssertEqual(try evaluate("ipv4(10.1.2.3),map_ip(\(nets))"), .string(Array("inner".utf8)))
        XCTAssertEqual(try evaluate("ipv4(10.9.2.3),map_ip(\(nets))"), .string(Array("private".utf8)))
        XCTAssertEqual(try evaluate("int(443),map_int(\(ints))"), .string(Array("https".utf8)))
        // Recorded: a map whose values are not integers cannot feed `map_*_int`.
        XCTAssertThrowsError(try evaluate("str(80),map_str_int(\(ints),0)"))

        // Run-time edits apply to the next lookup.
        let reference = try PatternReferences.reference(path: hosts, kind: .map)
        try reference.add(key: "new.example.com", value: "be_new")
        XCTAssertEqual(try evaluate("str(new.example.com),map(\(hosts))"), .string(Array("be_new".utf8)))
        reference.remove(key: "new.example.com")
        XCTAssertNil(try evaluate("str(new.example.com),map(\(hosts))"))
    }

    func testTenThousandEntryMapLookupIsExact() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).map").path
        try (0..<10_000).map { "host\($0).example.com be\($0 % 7)" }.joined(separator: "\n").write(
            toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        XCTAssertEqual(try evaluate("str(host9999.example.com),map(\(file))"), .string(Array("be3".utf8)))
    }
}
