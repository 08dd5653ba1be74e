/// Domain names on the wire (RFC 1035 3.1 and 4.1.4): encoding a name
/// into labels, and reading one back through compression pointers with
/// every offset checked against the message.
public enum DNSName {
    /// Longest name on the wire, length bytes and final zero included.
    static let maximumLength = 255

    /// `www.example.com` (a trailing dot allowed) as length-prefixed labels.
    public static func encode(_ name: String) -> [UInt8]? {
        var text = Array(name.utf8)
        if text.last == UInt8(ascii: ".") { text.removeLast() }
        var out: [UInt8] = []
        if text.isEmpty { return [0] }
        for label in text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63 else { return nil }
            out.append(UInt8(label.count))
            out += label
        }
        out.append(0)
        return out.count <= maximumLength ? out : nil
    }

    /// Reads the name at `offset`, following compression pointers.
    ///
    /// Pointers may only go backwards, each before the previous one's
    /// target, which ends every loop; labels must stay within the message and the name within
    /// 255 bytes. Returns the name in lower case without the final dot, and
    /// the offset just after the name where it started.
    static func read(_ message: [UInt8], at offset: Int) throws -> (name: String, next: Int) {
        var labels: [UInt8] = []
        var position = offset
        var next: Int?
        var length = 1
        // Each pointer must go before itself and before the previous
        // pointer's target: the targets fall, so every loop ends.
        var limit = Int.max
        while true {
            guard position < message.count else { throw DNSParseError.truncated }
            let byte = message[position]
            switch byte & 0xc0 {
            case 0xc0:
                guard position + 1 < message.count else { throw DNSParseError.truncated }
                let target = Int(byte & 0x3f) << 8 | Int(message[position + 1])
                if next == nil { next = position + 2 }
                guard target < min(limit, position) else { throw DNSParseError.badPointer }
                limit = target
                position = target
            case 0x00:
                let count = Int(byte)
                if count == 0 {
                    let name = String(decoding: labels, as: UTF8.self)
                    return (name, next ?? position + 1)
                }
                guard position + 1 + count <= message.count else { throw DNSParseError.truncated }
                length += count + 1
                guard length <= maximumLength else { throw DNSParseError.nameTooLong }
                if !labels.isEmpty { labels.append(UInt8(ascii: ".")) }
                for b in message[(position + 1)...(position + count)] {
                    labels.append(b >= 0x41 && b <= 0x5a ? b | 0x20 : b)
                }
                position += 1 + count
            default:
                throw DNSParseError.badLabel  // 0x40 and 0x80: extended label types
            }
        }
    }

    /// `name` compared as DNS compares names: case-insensitively, a final dot ignored.
    public static func normalized(_ name: String) -> String {
        var bytes = Array(name.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        for i in bytes.indices where bytes[i] >= 0x41 && bytes[i] <= 0x5a { bytes[i] |= 0x20 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
