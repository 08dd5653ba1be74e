import Foundation
import XCTest

/// `unix-bind` in `global`: its prefix, mode and owner reach the UNIX
/// sockets of the `bind` lines after it (a line's own `mode` wins), and
/// neither the `stats socket` nor a `bind` line parsed before it, as in
/// 2.6.
final class UnixBindTests: IntegrationTestCase {
    private func mode(_ path: String) -> mode_t? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & 0o7777 : nil
    }

    private func owner(_ path: String) -> (uid: uid_t, gid: gid_t)? {
        var st = stat()
        return lstat(path, &st) == 0 ? (st.st_uid, st.st_gid) : nil
    }

    func testPrefixModeAndOwnerApplyToTheBindLinesThatFollow() throws {
        let b = try startBackend("b")
        let dir = tmp.path
        // Root can give the sockets away; another user keeps its own ids.
        let (uid, gid) = getuid() == 0 ? (uid_t(65534), gid_t(65534)) : (getuid(), getgid())
        let port = Ports.free()
        let config = """
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s

        frontend early
            bind unix@\(dir)/early.sock
            default_backend be

        global
            unix-bind prefix \(dir)/pfx- mode 640 uid \(uid) gid \(gid)
            stats socket \(dir)/admin.sock level admin

        frontend fe
            bind unix@plain.sock
            bind unix@own.sock mode 600
            bind 127.0.0.1:\(port)
            default_backend be

        backend be
            server s1 127.0.0.1:\(b.port)
        """
        try startProxy(config: config, ports: [port])

        let plain = dir + "/pfx-plain.sock", own = dir + "/pfx-own.sock"
        try waitUntil("the prefixed sockets exist") { mode(plain) != nil && mode(own) != nil }
        XCTAssertEqual(mode(plain), 0o640)
        XCTAssertEqual(mode(own), 0o600, "the bind line's own mode wins")
        XCTAssertEqual(owner(plain)?.uid, uid)
        XCTAssertEqual(owner(plain)?.gid, gid)
        XCTAssertNil(mode(dir + "/plain.sock"), "the path is the prefix glued to the bind's path")

        // The stats socket and the bind line before `unix-bind` keep the
        // default mode (0777 less the umask), at their own paths.
        let umaskNow = umask(0)
        umask(umaskNow)
        XCTAssertEqual(mode(dir + "/admin.sock"), 0o777 & ~umaskNow)
        XCTAssertEqual(mode(dir + "/early.sock"), 0o777 & ~umaskNow)

        // The prefixed socket serves the frontend.
        let answer = LifecycleHarness.unixCommand(plain, "GET / HTTP/1.0\r\n\r") ?? ""
        XCTAssertTrue(answer.hasPrefix("HTTP/1.0 200") || answer.hasPrefix("HTTP/1.1 200"), answer)
    }
}
