import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP connection to 127.0.0.1 with bounded reads.
final class Conn {
    let fd: Int32
    private(set) var buffer = Data()
    private(set) var eof = false

    init(port: Int, timeout: TimeInterval = 10, source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket() failed") }
        if let source {
            var src = sockaddr_in()
            src.sin_family = sa_family_t(AF_INET)
            src.sin_port = 0
            src.sin_addr.s_addr = inet_addr(source)
            let b = withUnsafePointer(to: &src) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if b != 0 { Glibc.close(fd); throw HarnessError("bind to source \(source) failed: errno \(errno)") }
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        setTimeout(timeout)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 {
            let e = errno
            Glibc.close(fd)
            throw HarnessError("connect to 127.0.0.1:\(port) failed: errno \(e)")
        }
    }

    /// The local (client-side) port of this connection.
    var localPort: Int {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    func setTimeout(_ t: TimeInterval) {
        var tv = timeval(tv_sec: Int(t), tv_usec: Int((t - Double(Int(t))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    private var closed = false
    func close() {
        if !closed { closed = true; Glibc.close(fd) }
    }
    deinit { close() }

    func send(_ s: String) throws { try send(Data(s.utf8)) }

    func send(_ d: Data) throws {
        try d.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var off = 0
            while off < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + off, raw.count - off, Int32(MSG_NOSIGNAL))
                if n <= 0 { throw HarnessError("send failed: errno \(errno)") }
                off += n
            }
        }
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads once into the buffer. Returns bytes read (0 on EOF); throws on timeout/error.
    @discardableResult
    func fill() throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        if n < 0 {
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK { throw HarnessError("read timed out") }
            if e == ECONNRESET { eof = true; throw HarnessError("connection reset by peer") }
            throw HarnessError("recv failed: errno \(e)")
        }
        if n == 0 { eof = true; return 0 }
        buffer.append(contentsOf: chunk[0..<n])
        return n
    }

    func take(_ n: Int) -> Data {
        let d = buffer.prefix(n)
        buffer.removeFirst(d.count)
        return Data(d)
    }

    /// Reads until the buffer holds `n` bytes (or EOF).
    func read(exactly n: Int) throws -> Data {
        while buffer.count < n {
            if try fill() == 0 { throw HarnessError("EOF after \(buffer.count) of \(n) bytes") }
        }
        return take(n)
    }

    /// Reads up to and including `delimiter`.
    func read(until delimiter: Data) throws -> Data {
        var searchFrom = 0
        while true {
            if let r = buffer.range(of: delimiter, in: buffer.startIndex + searchFrom..<buffer.endIndex) {
                let n = r.upperBound - buffer.startIndex
                return take(n)
            }
            searchFrom = max(0, buffer.count - delimiter.count)
            if try fill() == 0 { throw HarnessError("EOF before delimiter (\(buffer.count) bytes buffered)") }
        }
    }

    func readLine() throws -> String {
        let d = try read(until: Data("\r\n".utf8))
        return String(decoding: d.dropLast(2), as: UTF8.self)
    }

    /// Reads everything until the peer closes.
    func readToEOF() throws -> Data {
        while try fill() > 0 {}
        return take(buffer.count)
    }

    /// True when the peer closes the connection within `timeout` with no more data.
    func closesWithin(_ timeout: TimeInterval) -> Bool {
        setTimeout(timeout)
        defer { setTimeout(10) }
        do {
            while true {
                if try fill() == 0 { return true }
            }
        } catch {
            return eof
        }
    }

    /// Reads one HTTP/1 response (status line, headers, body framed per RFC 9112).
    func readResponse(method: String = "GET") throws -> HTTPResponse {
        let head = try read(until: Data("\r\n\r\n".utf8))
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw HarnessError("empty response head") }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw HarnessError("bad status line: \(statusLine)") }
        var headers: [(String, String)] = []
        for l in lines {
            guard let c = l.firstIndex(of: ":") else { continue }
            headers.append((l[..<c].lowercased(), l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)))
        }
        var resp = HTTPResponse(statusLine: statusLine, status: status, headers: headers, body: Data())
        if method == "HEAD" || status == 204 || status == 304 || (100..<200).contains(status) { return resp }
        if let te = resp.header("transfer-encoding"), te.lowercased().contains("chunked") {
            var body = Data()
            while true {
                let sizeLine = try readLine()
                let hex = sizeLine.split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(hex.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw HarnessError("bad chunk size line: \(sizeLine)")
                }
                if size == 0 {
                    while try readLine() != "" {}
                    break
                }
                body.append(try read(exactly: size))
                _ = try read(exactly: 2)
            }
            resp.body = body
            resp.chunked = true
        } else if let cl = resp.header("content-length"), let n = Int(cl) {
            resp.body = try read(exactly: n)
        } else {
            resp.body = try readToEOF()
        }
        return resp
    }
}

struct HTTPResponse {
    let statusLine: String
    let status: Int
    let headers: [(String, String)]
    var body: Data
    var chunked = false

    func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.0 == n }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }
    /// Body trimmed of whitespace: the backend name for "/" requests.
    var server: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
}

enum HTTPClient {
    /// One request on a fresh connection with `Connection: close`.
    static func get(port: Int, path: String = "/", headers: [String: String] = [:],
                    timeout: TimeInterval = 10, source: String? = nil) throws -> HTTPResponse {
        let c = try Conn(port: port, timeout: timeout, source: source)
        defer { c.close() }
        var req = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (k, v) in headers { req += "\(k): \(v)\r\n" }
        req += "\r\n"
        try c.send(req)
        return try c.readResponse()
    }

    static func request(_ method: String = "GET", _ path: String, host: String = "test", extra: String = "",
                        close: Bool = false) -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n\(extra)\(close ? "Connection: close\r\n" : "")\r\n"
    }
}

/// The backend's /big pattern: byte i = i % 251.
enum Pattern {
    static let block: [UInt8] = (0..<(251 * 4096)).map { UInt8($0 % 251) }

    /// True when `data` equals the first data.count bytes of the pattern.
    static func matches(_ data: Data) -> Bool {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            var off = 0
            return block.withUnsafeBytes { (pat: UnsafeRawBufferPointer) -> Bool in
                while off < raw.count {
                    let n = min(pat.count, raw.count - off)
                    if memcmp(raw.baseAddress! + off, pat.baseAddress!, n) != 0 { return false }
                    off += n
                }
                return true
            }
        }
    }
}

/// sha256 of a file through coreutils' sha256sum.
func sha256(of url: URL) throws -> String {
    let r = try runTool("/usr/bin/sha256sum", [url.path], dir: url.deletingLastPathComponent())
    guard r.status == 0, let h = r.stdout.split(separator: " ").first else { throw HarnessError("sha256sum failed: \(r.stderr)") }
    return String(h)
}
