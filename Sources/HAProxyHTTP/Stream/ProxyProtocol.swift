import NIOCore

/// The PROXY protocol, versions 1 (text) and 2 (binary), as described in
/// doc/proxy-protocol.txt of HAProxy: parsed on `accept-proxy` binds and
/// written on `send-proxy`/`send-proxy-v2` servers.
public enum ProxyProtocol {
    public enum ParseResult: Equatable {
        case needMore
        case invalid
        /// The header was consumed from the buffer; addresses when not LOCAL/UNKNOWN.
        case header(source: SocketAddress?, destination: SocketAddress?)
    }

    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// Parses and consumes a PROXY header at the buffer's reader index.
    public static func parse(_ buffer: inout ByteBuffer) -> ParseResult {
        let view = buffer.readableBytesView
        guard let first = view.first else { return .needMore }
        if first == UInt8(ascii: "P") {
            return parseV1(&buffer)
        }
        if first == 0x0D {
            return parseV2(&buffer)
        }
        return .invalid
    }

    private static func parseV1(_ buffer: inout ByteBuffer) -> ParseResult {
        let view = buffer.readableBytesView
        let prefix = Array("PROXY ".utf8)
        for (i, b) in view.prefix(prefix.count).enumerated() where b != prefix[i] { return .invalid }
        // A v1 line is at most 107 bytes including CRLF.
        guard let lf = view.prefix(107).firstIndex(of: UInt8(ascii: "\n")) else {
            return view.count >= 107 ? .invalid : .needMore
        }
        let lineLength = lf - view.startIndex + 1
        guard lineLength >= 2, view[lf - 1] == UInt8(ascii: "\r") else { return .invalid }
        let line = String(decoding: view[view.startIndex..<(lf - 1)], as: UTF8.self)
        buffer.moveReaderIndex(forwardBy: lineLength)
        let parts = line.split(separator: " ").map(String.init)
        guard parts.count >= 2 else { return .invalid }
        if parts[1] == "UNKNOWN" { return .header(source: nil, destination: nil) }
        guard parts.count == 6, parts[1] == "TCP4" || parts[1] == "TCP6",
              let sp = Int(parts[4]), let dp = Int(parts[5]), (0...65535).contains(sp), (0...65535).contains(dp),
              let src = try? SocketAddress(ipAddress: parts[2], port: sp),
              let dst = try? SocketAddress(ipAddress: parts[3], port: dp)
        else { return .invalid }
        return .header(source: src, destination: dst)
    }

    private static func parseV2(_ buffer: inout ByteBuffer) -> ParseResult {
        let view = buffer.readableBytesView
        let n = min(view.count, 12)
        for i in 0..<n where view[view.startIndex + i] != v2Signature[i] { return .invalid }
        guard view.count >= 16 else { return .needMore }
        let base = view.startIndex
        let verCmd = view[base + 12]
        let fam = view[base + 13]
        let length = Int(view[base + 14]) << 8 | Int(view[base + 15])
        guard verCmd >> 4 == 2 else { return .invalid }
        guard view.count >= 16 + length else { return .needMore }
        let body = Array(view[(base + 16)..<(base + 16 + length)])
        buffer.moveReaderIndex(forwardBy: 16 + length)
        if verCmd & 0x0F == 0 { return .header(source: nil, destination: nil) }  // LOCAL
        switch fam >> 4 {
        case 1 where body.count >= 12:
            let src = ipv4(body[0..<4], port: Int(body[8]) << 8 | Int(body[9]))
            let dst = ipv4(body[4..<8], port: Int(body[10]) << 8 | Int(body[11]))
            return .header(source: src, destination: dst)
        case 2 where body.count >= 36:
            let src = ipv6(body[0..<16], port: Int(body[32]) << 8 | Int(body[33]))
            let dst = ipv6(body[16..<32], port: Int(body[34]) << 8 | Int(body[35]))
            return .header(source: src, destination: dst)
        default:
            return .header(source: nil, destination: nil)
        }
    }

    private static func ipv4(_ b: ArraySlice<UInt8>, port: Int) -> SocketAddress? {
        try? SocketAddress(ipAddress: b.map(String.init).joined(separator: "."), port: port)
    }

    private static func ipv6(_ b: ArraySlice<UInt8>, port: Int) -> SocketAddress? {
        let a = Array(b)
        let groups = stride(from: 0, to: 16, by: 2).map { String(Int(a[$0]) << 8 | Int(a[$0 + 1]), radix: 16) }
        return try? SocketAddress(ipAddress: groups.joined(separator: ":"), port: port)
    }

    /// Writes a header for a connection from `source` to `destination`.
    public static func write(v2: Bool, source: SocketAddress?, destination: SocketAddress?, into out: inout ByteBuffer) {
        if v2 {
            out.writeBytes(v2Signature)
            switch (source, destination) {
            case (.v4(let s)?, .v4(let d)?):
                out.writeInteger(UInt8(0x21))
                out.writeInteger(UInt8(0x11))
                out.writeInteger(UInt16(12))
                var sa = s.address.sin_addr, da = d.address.sin_addr
                withUnsafeBytes(of: &sa) { _ = out.writeBytes($0) }
                withUnsafeBytes(of: &da) { _ = out.writeBytes($0) }
                out.writeInteger(UInt16(s.address.sin_port.bigEndian))
                out.writeInteger(UInt16(d.address.sin_port.bigEndian))
            case (.v6(let s)?, .v6(let d)?):
                out.writeInteger(UInt8(0x21))
                out.writeInteger(UInt8(0x21))
                out.writeInteger(UInt16(36))
                var sa = s.address.sin6_addr, da = d.address.sin6_addr
                withUnsafeBytes(of: &sa) { _ = out.writeBytes($0) }
                withUnsafeBytes(of: &da) { _ = out.writeBytes($0) }
                out.writeInteger(UInt16(s.address.sin6_port.bigEndian))
                out.writeInteger(UInt16(d.address.sin6_port.bigEndian))
            default:
                out.writeInteger(UInt8(0x20))  // LOCAL
                out.writeInteger(UInt8(0x00))
                out.writeInteger(UInt16(0))
            }
            return
        }
        switch (source, destination) {
        case (let s?, let d?) where s.protocol == d.protocol && (s.ipAddress != nil):
            let family = s.protocol == .inet6 ? "TCP6" : "TCP4"
            out.writeString("PROXY \(family) \(s.ipAddress!) \(d.ipAddress!) \(s.port ?? 0) \(d.port ?? 0)\r\n")
        default:
            out.writeString("PROXY UNKNOWN\r\n")
        }
    }
}
