import HAProxyConfig

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
    public static func sdbm(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt32 = 0
        for c in bytes {
            h = UInt32(c) &+ (h << 6) &+ (h << 16) &- h
        }
        return h
    }

    @inlinable
    public static func djb2(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt32 = 5381
        for c in bytes {
            h = (h << 5) &+ h &+ UInt32(c)
        }
        return h
    }

    /// wt6: two 32-bit lanes, complemented and crossed with data-dependent
    /// rotations. Designed for haproxy; insensitive to input sets and server counts.
    @inlinable
    public static func wt6(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h0: UInt32 = 0xa53c_965a
        var h1: UInt32 = 0x5ca6_953a
        var step0: UInt32 = 6
        var step1: UInt32 = 18
        for c in bytes {
            let t = UInt32(c)
            h0 = ~(h0 ^ t)
            h1 = ~(h1 &+ t)
            let r = rotateLeft(h1, step0)
            h1 = rotateLeft(h0, step1)
            h0 = r
            let mix = ((h0 >> 16) ^ h1) & 0xffff
            step0 = mix & 0x1f
            step1 = mix >> 11
        }
        return h0 ^ h1
    }

    @inlinable
    static func rotateLeft(_ v: UInt32, _ n: UInt32) -> UInt32 {
        // A rotation by 0 keeps the value (the right shift by 32 yields 0 in Swift).
        (v << n) | (v >> (32 &- n))
    }

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
    public static func avalanche(_ value: UInt32) -> UInt32 {
        var a = value
        a = (a &+ 0x7ed5_5d16) &+ (a << 12)
        a = (a ^ 0xc761_c23c) ^ (a >> 19)
        a = (a &+ 0x1656_67b1) &+ (a << 5)
        a = (a &+ 0xd3a2_646c) ^ (a << 9)
        a = (a &+ 0xfd70_46c5) &+ (a << 3)
        a = (a ^ 0xb55a_4f09) ^ (a >> 16)
        return a &* 0xc000_0001
    }
}
