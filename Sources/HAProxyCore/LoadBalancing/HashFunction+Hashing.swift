import HAProxyConfig
import HAProxyRules

/// The 32-bit hash functions of `hash-type`, computed over raw key bytes.
///
/// Each follows its public definition: sdbm (`h = c + (h << 6) + (h << 16) - h`),
/// djb2 (`h = h * 33 + c`, seed 5381), wt6 (haproxy's own two-lane rotating
/// hash), and the reflected CRC-32 of Ethernet, gzip and PNG. Values match
/// haproxy 2.6's `sdbm`, `djb2`, `wt6` and `crc32` converters.
extension HashFunction {
    /// Hashes `bytes`, then applies `avalanche` mixing when asked.
    @inlinable
    public func hash(_ bytes: UnsafeRawBufferPointer, avalanche: Bool = false) -> UInt32 {
        let raw: UInt32
        switch self {
        case .sdbm: raw = HashFunction.sdbm(bytes)
        case .djb2: raw = HashFunction.djb2(bytes)
        case .wt6: raw = HashFunction.wt6(bytes)
        case .crc32: raw = HashFunction.crc32(bytes)
        }
        return avalanche ? HashFunction.avalanche(raw) : raw
    }

    /// Convenience for tests and configuration-time keys.
    public func hash<Bytes: Sequence>(bytes: Bytes, avalanche: Bool = false) -> UInt32 where Bytes.Element == UInt8 {
        let array = Array(bytes)
        return array.withUnsafeBytes { hash($0, avalanche: avalanche) }
    }

    @inlinable
    public static func sdbm(_ bytes: UnsafeRawBufferPointer) -> UInt32 { Hashing.sdbm(bytes) }

    @inlinable
    public static func djb2(_ bytes: UnsafeRawBufferPointer) -> UInt32 { Hashing.djb2(bytes) }

    /// wt6: two 32-bit lanes, complemented and crossed with data-dependent
    /// rotations. Designed for haproxy; insensitive to input sets and server counts.
    @inlinable
    public static func wt6(_ bytes: UnsafeRawBufferPointer) -> UInt32 { Hashing.wt6(bytes) }

    /// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, init and final xor ~0).
    @inlinable
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        crc32Table.withUnsafeBufferPointer { table in
            for c in bytes {
                crc = table[Int((crc ^ UInt32(c)) & 0xff)] ^ (crc >> 8)
            }
        }
        return ~crc
    }

    @usableFromInline
    static let crc32Table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 {
            c = (c & 1) != 0 ? (0xedb8_8320 ^ (c >> 1)) : (c >> 1)
        }
        return c
    }

    /// The `avalanche` modifier: Bob Jenkins' 4-byte integer hash (every
    /// input bit affects every output bit), then a multiplication by
    /// 0xC0000001 that haproxy applies to spread values around the ring
    /// (observed on haproxy 2.6's `sdbm(1)`/`djb2(1)` converters: without it
    /// bits 30 and 31 differ).
    @inlinable
    public static func avalanche(_ value: UInt32) -> UInt32 { Hashing.avalanche(value) }
}
