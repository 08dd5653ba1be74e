import NIOCore

/// Header names respelt for HTTP/1 peers that mind their case
/// (`h1-case-adjust` with `option h1-case-adjust-bogus-client|server`):
/// the proxy writes names in lowercase, and these go out as configured
/// instead, in forwarded heads and in the proxy's own answers alike
/// (recorded from 2.6: a `deny`'s `Content-Length` is respelt too).
public final class HTTPHeaderCase: Sendable {
    private let entries: [(name: [UInt8], spelling: [UInt8])]

    /// Nil without entries: nothing to respell. An entry whose name has
    /// capitals is left out: names go out lowercase, so it never matches
    /// (2.6 keeps it, to the same effect).
    public init?(_ pairs: [(name: String, spelling: String)]) {
        guard !pairs.isEmpty else { return nil }
        entries = pairs.map { (Array($0.name.utf8), Array($0.spelling.utf8)) }
            .filter { $0.0.count == $0.1.count && !$0.0.contains { $0 >= 0x41 && $0 <= 0x5A } }
    }

    /// Respells in place the header names of the head that starts at
    /// `start` (a writer-side offset) in `buffer`: from the line after the
    /// start line to the empty line. Names differ by case only, so the
    /// head keeps its length.
    public func respell(_ buffer: inout ByteBuffer, headAt start: Int) {
        let offset = start - buffer.readerIndex
        guard offset >= 0, offset < buffer.readableBytes else { return }
        buffer.withUnsafeMutableReadableBytes { all in
            let p = UnsafeMutableRawBufferPointer(rebasing: all[offset...])
            guard var i = Self.lineEnd(p, from: 0).map({ $0 + 1 }) else { return }
            while i < p.count, p[i] != 0x0d, p[i] != 0x0a {
                guard let end = Self.lineEnd(p, from: i) else { return }
                var colon = i
                while colon < end, p[colon] != UInt8(ascii: ":") { colon += 1 }
                if colon < end { respellName(p, i..<colon) }
                i = end + 1
            }
        }
    }

    /// Respells the head at the start of `bytes` (a local answer).
    public func respelled(_ bytes: ByteBuffer) -> ByteBuffer {
        var out = bytes
        respell(&out, headAt: out.readerIndex)
        return out
    }

    private func respellName(_ p: UnsafeMutableRawBufferPointer, _ range: Range<Int>) {
        let name = UnsafeRawBufferPointer(rebasing: p[range])
        for entry in entries where HTTPBytes.equalsIgnoringCase(name, entry.name) {
            for k in 0..<range.count { p[range.lowerBound + k] = entry.spelling[k] }
            return
        }
    }

    private static func lineEnd(_ p: UnsafeMutableRawBufferPointer, from: Int) -> Int? {
        var i = from
        while i < p.count {
            if p[i] == 0x0a { return i }
            i += 1
        }
        return nil
    }
}
