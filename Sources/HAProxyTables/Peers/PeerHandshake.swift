/// The handshake of the peers protocol (peers-v2.0.txt "Handshake"): the
/// connecting side sends three lines (protocol and version, the name of
/// the peer it calls, its own name with its pid and relative pid), the
/// other answers one status line. 2.6 announces version 2.1.
public enum PeerHandshake {
    /// What reading a hello gave.
    public enum Hello: Equatable {
        /// The three lines are not all there yet.
        case incomplete
        /// A peer named `peer` introduced itself; `length` bytes were read.
        case accepted(peer: String, length: Int)
        /// The status to answer before closing: 501 protocol error, 502
        /// bad version, 503 the hello names another local peer, 504 the
        /// caller is no peer of the section.
        case refused(status: Int)
    }

    /// The hello sent to `remote` by the peer named `local`.
    public static func hello(to remote: String, from local: String, pid: Int32) -> [UInt8] {
        Array("HAProxyS 2.1\n\(remote)\n\(local) \(pid) 1\n".utf8)
    }

    /// Reads a hello addressed to `localName`; `isPeer` says whether the
    /// caller's name is one of the section's peers.
    public static func readHello(_ bytes: ArraySlice<UInt8>, localName: String, isPeer: (String) -> Bool) -> Hello {
        var lines: [Substring] = []
        var start = bytes.startIndex
        while lines.count < 3, let end = bytes[start...].firstIndex(of: 0x0A) {
            lines.append(Substring(decoding: bytes[start..<end], as: UTF8.self))
            start = end + 1
        }
        guard lines.count == 3 else { return bytes.count > 1024 ? .refused(status: 501) : .incomplete }
        let words = lines[0].split(separator: " ")
        guard words.count == 2, words[0] == "HAProxyS" else { return .refused(status: 501) }
        guard words[1].hasPrefix("2.") else { return .refused(status: 502) }
        guard lines[1] == localName else { return .refused(status: 503) }
        let name = lines[2].split(separator: " ").first.map(String.init) ?? ""
        guard isPeer(name) else { return .refused(status: 504) }
        return .accepted(peer: name, length: start - bytes.startIndex)
    }

    /// The status line answering a hello (nil until it is complete) and
    /// its length.
    public static func readStatus(_ bytes: ArraySlice<UInt8>) -> (status: Int, length: Int)? {
        guard let end = bytes.firstIndex(of: 0x0A) else { return nil }
        return (Int(String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)) ?? 0, end + 1 - bytes.startIndex)
    }
}
