import COpenSSL
import HAProxyConfig
import HAProxyRules
import NIOConcurrencyHelpers

/// The session ticket keys of a `tls-ticket-keys` file (manual 5.1), shared
/// by every bind line naming it: three keys in a ring, the one before the
/// newest encrypting, all three decrypting (a ticket an older or newer key
/// opens is renewed). `set ssl tls-key` pushes a new key, which drops the
/// oldest (management guide 9.3). The handshakes read the ring in C.
public final class TLSTicketKeys: @unchecked Sendable {
    public let path: String
    let ring: UnsafeMutablePointer<hap_ticket_keys>
    let keyLength: Int

    private init(_ file: TLSTicketKeyFile) {
        path = file.path
        keyLength = file.keys[0].count
        ring = hap_ticket_keys_new(Int32(keyLength))
        // Key i goes to slot i mod 3; the last but one encrypts.
        for (i, key) in file.keys.enumerated() {
            hap_ticket_keys_store(ring, Int32(i % 3), key, Int32((file.keys.count - 2) % 3))
        }
    }

    private static let lock = NIOLock()
    nonisolated(unsafe) private static var references: [TLSTicketKeys] = []

    /// The keys of a file, loaded the first time a bind line names it.
    static func reference(for file: TLSTicketKeyFile) -> TLSTicketKeys {
        lock.withLock {
            if let known = references.first(where: { $0.path == file.path }) { return known }
            let keys = TLSTicketKeys(file)
            references.append(keys)
            return keys
        }
    }

    /// The files with their ids, as 2.6 numbers them: the file named last
    /// in the configuration is #0.
    public static var all: [(id: Int, keys: TLSTicketKeys)] {
        lock.withLock { references.reversed().enumerated().map { ($0.offset, $0.element) } }
    }

    /// The references named `#<id>` or by their file.
    public static func find(_ name: String) -> (id: Int, keys: TLSTicketKeys)? {
        all.first { name == "#\($0.id)" || name == $0.keys.path }
    }

    /// The three keys in base64, the oldest first.
    public var encodedKeys: [String] {
        (0..<3).map { i in
            var key = [UInt8](repeating: 0, count: keyLength)
            hap_ticket_keys_get(ring, Int32(i), &key)
            return String(decoding: Base64.encode(key, url: false), as: UTF8.self)
        }
    }

    /// `set ssl tls-key`: a key of the ring's size, in base64, becomes the
    /// newest; 2.6's answer.
    public func push(base64 text: String) -> String {
        guard let key = Base64.decode(Array(text.utf8), url: false) else {
            return "'set ssl tls-key' received invalid base64 encoded TLS key.\n"
        }
        guard key.count == keyLength else { return "'set ssl tls-key' received a key of wrong size.\n" }
        hap_ticket_keys_push(ring, key)
        return "TLS ticket key updated!\n"
    }
}
