/// Table-driven reflected CRC-32: IEEE 802.3 (`crc32`, as zlib computes
/// it) and Castagnoli (`crc32c`, RFC 3720 appendix B.4).
enum CRC32 {
    static let ieee: UInt32 = 0xedb8_8320
    static let castagnoli: UInt32 = 0x82f6_3b78

    private static let ieeeTable = table(ieee)
    private static let castagnoliTable = table(castagnoli)

    private static func table(_ polynomial: UInt32) -> [UInt32] {
        (0..<256).map { n -> UInt32 in
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? polynomial ^ (c >> 1) : c >> 1 }
            return c
        }
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer, polynomial: UInt32) -> UInt32 {
        let table = polynomial == ieee ? ieeeTable : castagnoliTable
        var crc: UInt32 = 0xffff_ffff
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xff)] ^ (crc >> 8) }
        return ~crc
    }
}
