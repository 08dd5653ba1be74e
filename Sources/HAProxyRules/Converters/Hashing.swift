/// The small string hashes HAProxy offers as converters and `hash-type`
/// functions: Dan Bernstein's djb2, sdbm (from the public-domain sdbm
/// database) and WT6, plus Bob Jenkins' 32-bit integer mix used for the
/// optional "avalanche". Outputs checked against 2.6 in the tests.
public enum Hashing {
    @inlinable
    public static func djb2(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var hash: UInt32 = 5381
        for b in bytes { hash = (hash << 5) &+ hash &+ UInt32(b) }
        return hash
    }

    @inlinable
    public static func sdbm(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var hash: UInt32 = 0
        for b in bytes { hash = UInt32(b) &+ (hash << 6) &+ (hash << 16) &- hash }
        return hash
    }

    /// WT6: two 32-bit halves mixed with data-dependent rotations.
    @inlinable
    public static func wt6(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h0: UInt32 = 0xa53c_965a
        var h1: UInt32 = 0x5ca6_953a
        var step0: UInt32 = 6
        var step1: UInt32 = 18
        for b in bytes {
            var t = UInt32(b)
            h0 = ~(h0 ^ t)
            h1 = ~(h1 &+ t)
            t = (h1 << step0) | (h1 >> ((32 &- step0) & 31))
            h1 = (h0 << step1) | (h0 >> ((32 &- step1) & 31))
            h0 = t
            t = ((h0 >> 16) ^ h1) & 0xffff
            step0 = t & 0x1f
            step1 = t >> 11
        }
        return h0 ^ h1
    }

    /// Bob Jenkins' 32-bit integer hash ("full avalanche"), times a prime.
    @inlinable
    public static func avalanche(_ value: UInt32) -> UInt32 {
        var a = value
        a = (a &+ 0x7ed5_5d16) &+ (a << 12)
        a = (a ^ 0xc761_c23c) ^ (a >> 19)
        a = (a &+ 0x1656_67b1) &+ (a << 5)
        a = (a &+ 0xd3a2_646c) ^ (a << 9)
        a = (a &+ 0xfd70_46c5) &+ (a << 3)
        a = (a ^ 0xb55a_4f09) ^ (a >> 16)
        // Spread over the whole 32-bit space (a prime close to 3/4 of it);
        // checked against 2.6's `crc32(1)`.
        return a &* 3_221_225_473
    }
}
