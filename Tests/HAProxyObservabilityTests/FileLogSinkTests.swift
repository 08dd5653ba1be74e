import XCTest
import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import HAProxyObservability

final class FileLogSinkTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "haproxy-filelog-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func send(_ sink: FileLogSink, _ i: Int) {
        let line = Array("line \(i)\n".utf8)
        XCTAssertTrue(line.withUnsafeBytes { sink.send($0) })
    }

    func lines(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    func expected(_ r: Range<Int>) -> [String] { r.map { "line \($0)" } }

    /// Polls `cond` (bounded); false when it never held.
    @discardableResult
    func waitUntil(_ cond: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while !cond() && Date() < deadline { usleep(10_000) }
        return cond()
    }

    /// logrotate `create`: PATH renamed to PATH.1, then a new PATH created.
    func testRenameRotationLosesNoLine() throws {
        let path = dir + "/access.log"
        let sink = try FileLogSink(path: path, options: FileLogOptions(), dropped: LogCounter())
        sink.checkInterval = 20
        for i in 0..<500 { send(sink, i) }
        sink.flush()
        XCTAssertEqual(rename(path, path + ".1"), 0)
        for i in 500..<700 { send(sink, i) } // may land in PATH.1 until noticed
        sink.flush()
        // logrotate creates the new file itself.
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        XCTAssertTrue(waitUntil { self.lines(path).count > 0 || { self.send(sink, -1); sink.flush(); return false }() },
                      "the writer never reopened PATH")
        for i in 700..<1000 { send(sink, i) }
        sink.flush()
        sink.close()
        let all = (lines(path + ".1") + lines(path)).filter { $0 != "line -1" }
        XCTAssertEqual(all, expected(0..<1000))
        XCTAssertEqual(lines(path).last, "line 999")
    }

    /// logrotate `copytruncate`: PATH copied then truncated in place.
    func testCopyTruncateKeepsAppending() throws {
        let path = dir + "/access.log"
        let sink = try FileLogSink(path: path, options: FileLogOptions(), dropped: LogCounter())
        sink.checkInterval = 20
        for i in 0..<400 { send(sink, i) }
        sink.flush()
        try FileManager.default.copyItem(atPath: path, toPath: path + ".1")
        XCTAssertEqual(truncate(path, 0), 0)
        for i in 400..<800 { send(sink, i) }
        sink.flush()
        sink.close()
        XCTAssertEqual(lines(path + ".1"), expected(0..<400))
        XCTAssertEqual(lines(path), expected(400..<800))
        var st = stat()
        stat(path, &st)
        XCTAssertEqual(Int(st.st_size), (400..<800).reduce(0) { $0 + "line \($1)\n".utf8.count }, "no hole")
    }

    /// The file is reopened relative to the directory handle even when its
    /// directory path is no longer reachable (as after chroot).
    func testReopenUsesTheDirectoryHandle() throws {
        let sub = dir + "/logs"
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        let sink = try FileLogSink(path: sub + "/a.log", options: FileLogOptions(), dropped: LogCounter())
        sink.checkInterval = 20
        send(sink, 1)
        sink.flush()
        XCTAssertEqual(rename(sub, dir + "/moved"), 0) // the path no longer resolves
        XCTAssertEqual(rename(dir + "/moved/a.log", dir + "/moved/a.log.1"), 0)
        // The writer's periodic check finds PATH gone and, after its grace
        // period, reopens it: through the directory handle, the new file
        // appears inside the moved directory.
        XCTAssertTrue(waitUntil { FileManager.default.fileExists(atPath: self.dir + "/moved/a.log") },
                      "the writer did not reopen a.log in the moved directory")
        send(sink, 2)
        sink.flush()
        send(sink, 3)
        sink.flush()
        sink.close()
        XCTAssertEqual(lines(dir + "/moved/a.log.1"), ["line 1"])
        XCTAssertEqual(lines(dir + "/moved/a.log"), ["line 2", "line 3"], "written to the reopened file")
    }

    func testSelfRotationCompressesOlderSegmentsWithLZ4() throws {
        let path = dir + "/self.log"
        var options = FileLogOptions()
        options.rotateSize = 4000
        options.keep = 3
        options.compressLZ4 = true
        let sink = try FileLogSink(path: path, options: options, dropped: LogCounter())
        var written = 0
        // Three rotations: 4000 bytes of ~9-byte lines per segment.
        for batch in 0..<4 {
            for _ in 0..<450 { send(sink, written); written += 1 }
            sink.flush()
            sink.waitForCompression()
            _ = batch
        }
        sink.close()
        let fm = FileManager.default
        XCTAssertTrue(fm.fileExists(atPath: path + ".1"))
        XCTAssertTrue(fm.fileExists(atPath: path + ".2.lz4"))
        XCTAssertTrue(fm.fileExists(atPath: path + ".3.lz4"))
        XCTAssertFalse(fm.fileExists(atPath: path + ".2"))
        XCTAssertFalse(fm.fileExists(atPath: path + ".4.lz4"))

        func lz4(_ file: String) throws -> [String] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/lz4")
            p.arguments = ["-d", "-c", file]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0)
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        let all = try lz4(path + ".3.lz4") + lz4(path + ".2.lz4") + lines(path + ".1") + lines(path)
        // The oldest segment (beyond keep) was deleted: what remains is a
        // contiguous tail ending with the last line.
        XCTAssertEqual(all.last, "line \(written - 1)")
        let first = Int(all.first!.dropFirst(5))!
        XCTAssertEqual(all, expected(first..<written))
        XCTAssertGreaterThan(all.count, 1200)
    }

    func testFullQueueDropsAndCounts() throws {
        let path = dir + "/overflow.log"
        var options = FileLogOptions()
        options.queueCapacity = 10
        let dropped = LogCounter()
        let sink = try FileLogSink(path: path, options: options, dropped: dropped)
        var accepted = 0
        for i in 0..<10_000 {
            let line = Array("line \(i)\n".utf8)
            if line.withUnsafeBytes({ sink.send($0) }) { accepted += 1 }
        }
        sink.flush()
        sink.close()
        XCTAssertGreaterThan(sink.overflow.current, 0)
        XCTAssertEqual(sink.overflow.current, dropped.current)
        XCTAssertEqual(accepted + sink.overflow.current, 10_000)
        XCTAssertEqual(lines(path).count, accepted)
    }
}
