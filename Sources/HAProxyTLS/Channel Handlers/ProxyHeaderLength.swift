import NIOCore

/// The length of a PROXY protocol header (v1 text or v2 binary) at the
/// start of received bytes, for a TLS listener with `accept-proxy`: the
/// header is in clear before the ClientHello. The stream parses and
/// checks the header itself; this only finds where it ends.
enum ProxyHeaderLength {
    private static let v1 = Array("PROXY ".utf8)
    private static let v2: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// nil: more bytes are needed; 0: not a PROXY header; else its length.
    static func of(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { p -> Int? in
            if p.starts(with: v1.prefix(p.count)) && p.count < v1.count { return nil }
            if p.starts(with: v1) {
                // A v1 header is at most 107 bytes, CRLF included.
                let limit = min(p.count, 107)
                var i = v1.count
                while i + 1 < limit {
                    if p[i] == 0x0D && p[i + 1] == 0x0A { return i + 2 }
                    i += 1
                }
                return p.count < 107 ? nil : 0
            }
            if p.starts(with: v2.prefix(p.count)) && p.count < v2.count { return nil }
            if p.starts(with: v2) {
                guard p.count >= 16 else { return nil }
                return 16 + Int(p[14]) << 8 + Int(p[15])
            }
            return 0
        }
    }
}
