/// The few fields of a TLS ClientHello the content fetches read
/// (`req.ssl_sni`, `req.ssl_hello_type`, `req.ssl_ver`), parsed from the
/// first bytes a client sends. Every length is checked against the
/// buffer: truncated or malformed input yields nil, never a crash.
struct TLSClientHello {
    /// The bytes of a TLS record: `0x16` (handshake), version, length.
    static let handshakeRecord: UInt8 = 0x16

    /// Whether the buffer holds the start of a TLS handshake record but not
    /// all of it yet (a non-TLS start is not incomplete: it never becomes TLS).
    static func isIncompleteRecord(_ data: UnsafeRawBufferPointer) -> Bool {
        guard let first = data.first else { return true }
        guard first == handshakeRecord else { return false }
        guard data.count >= 5 else { return true }
        return data.count < 5 + (Int(data[3]) << 8 | Int(data[4]))
    }

    /// The handshake message type (1 ClientHello, 2 ServerHello) when the
    /// buffer starts with a TLS handshake record.
    static func handshakeType(_ data: UnsafeRawBufferPointer) -> Int? {
        guard data.count >= 6, data[0] == handshakeRecord, data[1] == 3 else { return nil }
        return Int(data[5])
    }

    /// The protocol version as 2.6 reports it, major * 65536 + minor: the
    /// record's version for SSLv3 and TLS (`3.1` is TLS 1.0), 2 for an
    /// SSLv2-compatible hello.
    static func version(_ data: UnsafeRawBufferPointer) -> Int? {
        guard data.count >= 3 else { return nil }
        if data[0] == handshakeRecord || (data[0] >= 0x14 && data[0] <= 0x17) {
            guard data[1] == 3 else { return nil }
            // A ClientHello announces its highest version inside.
            if data[0] == handshakeRecord, data.count >= 11, data[5] == 1 {
                return Int(data[9]) << 16 | Int(data[10])
            }
            return Int(data[1]) << 16 | Int(data[2])
        }
        // SSLv2 hello: 2-byte header with the high bit set, type 1, version.
        if data[0] & 0x80 != 0, data.count >= 5, data[2] == 1 {
            return Int(data[3]) << 16 | Int(data[4])
        }
        return nil
    }

    /// The `server_name` extension's host name, nil when the buffer does
    /// not hold a complete ClientHello up to it.
    static func serverName(_ data: UnsafeRawBufferPointer) -> [UInt8]? {
        var reader = Reader(data: data)
        guard reader.byte() == handshakeRecord, reader.byte() == 3, reader.skip(1),
              let recordLength = reader.uint16(), reader.remaining >= Int(recordLength),
              reader.byte() == 1, let handshakeLength = reader.uint24(),
              reader.remaining >= handshakeLength,
              reader.skip(2 + 32),  // client_version, random
              let sessionLength = reader.byte(), reader.skip(Int(sessionLength)),
              let suitesLength = reader.uint16(), reader.skip(Int(suitesLength)),
              let compressionLength = reader.byte(), reader.skip(Int(compressionLength)),
              let extensionsLength = reader.uint16(), reader.remaining >= Int(extensionsLength)
        else { return nil }
        var extensions = Reader(data: UnsafeRawBufferPointer(rebasing: data[reader.offset..<(reader.offset + Int(extensionsLength))]))
        while let type = extensions.uint16(), let length = extensions.uint16() {
            guard extensions.remaining >= Int(length) else { return nil }
            if type != 0 {
                _ = extensions.skip(Int(length))
                continue
            }
            // server_name: a list of (type, name); the host name is type 0.
            guard let listLength = extensions.uint16(), Int(listLength) + 2 <= Int(length) else { return nil }
            var list = Reader(data: UnsafeRawBufferPointer(
                rebasing: extensions.data[extensions.offset..<(extensions.offset + Int(listLength))]))
            while let nameType = list.byte(), let nameLength = list.uint16() {
                guard list.remaining >= Int(nameLength) else { return nil }
                if nameType == 0 {
                    return Array(list.data[list.offset..<(list.offset + Int(nameLength))])
                }
                _ = list.skip(Int(nameLength))
            }
            return nil
        }
        return nil
    }

    /// Big-endian reads that fail instead of running past the end.
    private struct Reader {
        let data: UnsafeRawBufferPointer
        var offset = 0
        var remaining: Int { data.count - offset }

        mutating func byte() -> UInt8? {
            guard offset < data.count else { return nil }
            defer { offset += 1 }
            return data[offset]
        }

        mutating func uint16() -> UInt16? {
            guard remaining >= 2 else { return nil }
            defer { offset += 2 }
            return UInt16(data[offset]) << 8 | UInt16(data[offset + 1])
        }

        mutating func uint24() -> Int? {
            guard remaining >= 3 else { return nil }
            defer { offset += 3 }
            return Int(data[offset]) << 16 | Int(data[offset + 1]) << 8 | Int(data[offset + 2])
        }

        mutating func skip(_ count: Int) -> Bool {
            guard remaining >= count else { return false }
            offset += count
            return true
        }
    }
}
