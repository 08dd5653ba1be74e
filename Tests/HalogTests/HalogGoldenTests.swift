import CLZ4
import Foundation
import HalogCore
import XCTest

/// Compares halog's output, byte for byte, with Debian's halog (2.6) on the
/// same synthetic log: the golden files are written by Golden/record.sh.
final class HalogGoldenTests: XCTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func modes(in dir: URL = golden) throws -> [String] {
        let text = try String(contentsOf: dir.appendingPathComponent("modes.txt"), encoding: .utf8)
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    func expected(_ args: String, in dir: URL = golden) throws -> (out: String, err: String) {
        let name = args.replacingOccurrences(of: " ", with: "_")
        let out = try String(contentsOf: dir.appendingPathComponent(name + ".out"), encoding: .utf8)
        let err = try String(contentsOf: dir.appendingPathComponent(name + ".err"), encoding: .utf8)
        return (out, err)
    }

    /// Runs halog in-process.
    func run(_ args: [String], stdin: [UInt8]? = nil) -> (out: String, err: String, status: Int32) {
        let out = OutputBuffer(fd: -1)
        let err = OutputBuffer(fd: -1)
        let status = Halog.run(arguments: args, stdout: out, stderr: err,
                               stdin: stdin.map { bytes in { MemorySource(bytes: bytes) } })
        return (out.text, err.text, status)
    }

    func checkAllModes(in dir: URL = golden, input: (String) -> (args: [String], stdin: [UInt8]?),
                       file: StaticString = #filePath, line: UInt = #line) throws {
        for mode in try modes(in: dir) {
            let want = try expected(mode, in: dir)
            let (extra, stdin) = input(mode)
            let got = run(mode.split(separator: " ").map(String.init) + extra, stdin: stdin)
            XCTAssertEqual(got.out, want.out, "stdout of halog \(mode)", file: file, line: line)
            XCTAssertEqual(got.err, want.err, "stderr of halog \(mode)", file: file, line: line)
        }
    }

    var inputPath: String { Self.golden.appendingPathComponent("input.log").path }

    func testPlainFile() throws {
        try checkAllModes { _ in ([self.inputPath], nil) }
    }

    func testStandardInput() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: inputPath)))
        try checkAllModes { _ in ([], bytes) }
    }

    /// -ad/-ac over accept dates with bursts and holes (bursts/), and over
    /// odd accept dates (odddates/), as a file and on standard input.
    func testAcceptDateHoles() throws {
        for set in ["bursts", "odddates"] {
            let dir = Self.golden.appendingPathComponent(set)
            let path = dir.appendingPathComponent("input.log").path
            try checkAllModes(in: dir) { _ in ([path], nil) }
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            try checkAllModes(in: dir) { _ in ([], bytes) }
        }
    }

    func testMissingOptionValue() {
        for opt in ["-ad", "-ac", "-m", "-rt"] {
            let got = run([opt], stdin: [])
            XCTAssertEqual(got.status, 1)
            XCTAssertTrue(got.err.hasPrefix("missing option for \(opt)\nUsage:\n"), got.err)
        }
    }

    func testAcceptHolesWithIPCountIsRefused() {
        let got = run(["-ad", "10", "-ic"], stdin: [])
        XCTAssertEqual(got.status, 1)
        XCTAssertTrue(got.err.hasPrefix("halog: -ad/-ac cannot be combined with -ic.\n"))
    }

    func testLZ4FileAndLZ4StandardInput() throws {
        let plain = [UInt8](try Data(contentsOf: URL(fileURLWithPath: inputPath)))
        let compressed = try lz4Frame(plain)
        XCTAssertEqual(Array(compressed.prefix(4)), [0x04, 0x22, 0x4D, 0x18])
        let path = NSTemporaryDirectory() + "halog-golden-\(getpid()).log.lz4"
        try Data(compressed).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try checkAllModes { _ in ([path], nil) }
        // Detected by its magic, without the extension.
        try checkAllModes { _ in ([], compressed) }
    }

    func testTwoConcatenatedFramesAndTinyReads() throws {
        let plain = [UInt8](try Data(contentsOf: URL(fileURLWithPath: inputPath)))
        let half = plain.count / 2
        let data = try lz4Frame(Array(plain[..<half])) + lz4Frame(Array(plain[half...]))
        let want = try expected("-srv")
        let out = OutputBuffer(fd: -1), err = OutputBuffer(fd: -1)
        _ = Halog.run(arguments: ["-srv"], stdout: out, stderr: err,
                      stdin: { MemorySource(bytes: data, chunk: 7) })
        XCTAssertEqual(out.text, want.out)
        XCTAssertEqual(err.text, want.err)
    }

    func testHelpAndNoAction() throws {
        let help = try String(contentsOf: Self.golden.appendingPathComponent("help.out"), encoding: .utf8)
        let h = run(["-h"])
        XCTAssertEqual(h.out, help)
        XCTAssertEqual(h.status, 0)
        let none = try String(contentsOf: Self.golden.appendingPathComponent("noaction.err"), encoding: .utf8)
        let n = run([], stdin: [])
        XCTAssertEqual(n.err, none)
        XCTAssertEqual(n.status, 1)
    }

    func testLineLongerThanTheBuffer() throws {
        var line = Array("Nov 25 10:00:00 h haproxy[1]: 10.0.0.1:1 [25/Nov/2025:10:00:00.000] fe be/s1 1/0/1/2/9 200 1 - - ---- 1/1/1/1/0 0/0 \"GET /".utf8)
        line += [UInt8](repeating: UInt8(ascii: "a"), count: 3 << 20) + Array(" HTTP/1.1\"\n".utf8)
        let got = run(["-q", "-st"], stdin: line + line)
        XCTAssertEqual(got.out, "200 2\n")
    }

    private func lz4Frame(_ input: [UInt8]) throws -> [UInt8] {
        var prefs = LZ4F_preferences_t()
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        let bound = LZ4F_compressFrameBound(input.count, &prefs)
        var out = [UInt8](repeating: 0, count: bound)
        let n = input.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                LZ4F_compressFrame(dst.baseAddress, bound, src.baseAddress, input.count, &prefs)
            }
        }
        if LZ4F_isError(n) != 0 { throw HalogError.lz4("compress") }
        return Array(out[..<n])
    }
}

/// Bytes from memory, handed out `chunk` bytes at a time.
struct MemorySource: ByteSource {
    let bytes: [UInt8]
    var chunk = Int.max
    var offset = 0

    init(bytes: [UInt8], chunk: Int = Int.max) {
        self.bytes = bytes
        self.chunk = chunk
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset, chunk)
        if n <= 0 { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}
