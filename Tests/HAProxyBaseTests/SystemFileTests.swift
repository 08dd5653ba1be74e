import HAProxyBase
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Files, directories and links through the C library.
final class SystemFileTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        var template = Array("/tmp/haproxy-systemfile-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        dir = try XCTUnwrap(made.map { String(cString: $0) })
    }

    override func tearDown() {
        for name in SystemFile.directoryEntries(dir) ?? [] { unlink(dir + "/" + name) }
        rmdir(dir)
    }

    func testWriteThenReadBack() {
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        XCTAssertTrue(SystemFile.write(bytes, toPath: dir + "/f"))
        XCTAssertEqual(SystemFile.contents(atPath: dir + "/f"), bytes)
        XCTAssertTrue(SystemFile.write(Array("short\n".utf8), toPath: dir + "/f"))
        XCTAssertEqual(SystemFile.text(atPath: dir + "/f"), "short\n", "rewriting truncates")
    }

    func testMissingFile() {
        XCTAssertNil(SystemFile.contents(atPath: dir + "/none"))
        XCTAssertNil(SystemFile.isDirectory(dir + "/none"))
        XCTAssertFalse(SystemFile.write([1], toPath: dir + "/no/such/dir"))
    }

    func testDirectoryEntriesAndKinds() {
        XCTAssertTrue(SystemFile.write([], toPath: dir + "/a.cfg"))
        XCTAssertTrue(SystemFile.write([], toPath: dir + "/b.cfg"))
        XCTAssertEqual(SystemFile.directoryEntries(dir)?.sorted(), ["a.cfg", "b.cfg"])
        XCTAssertEqual(SystemFile.isDirectory(dir), true)
        XCTAssertEqual(SystemFile.isDirectory(dir + "/a.cfg"), false)
        XCTAssertNil(SystemFile.directoryEntries(dir + "/a.cfg"))
    }

    func testSymbolicLinkDestination() {
        XCTAssertEqual(symlink("a.cfg", dir + "/link"), 0)
        XCTAssertEqual(SystemFile.symbolicLinkDestination(dir + "/link"), "a.cfg")
        XCTAssertNil(SystemFile.symbolicLinkDestination(dir))
    }

    func testEnvironmentSeesSetenv() {
        setenv("HAPROXY_BASE_TEST", "a=b", 1)
        defer { unsetenv("HAPROXY_BASE_TEST") }
        XCTAssertEqual(ProcessEnvironment.variables["HAPROXY_BASE_TEST"], "a=b")
        XCTAssertFalse(ProcessEnvironment.hostName.isEmpty)
        XCTAssertGreaterThan(ProcessEnvironment.now, 1_700_000_000)
    }
}
