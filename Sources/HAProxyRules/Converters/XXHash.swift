/// XXH32, XXH64 and XXH3 (64-bit), written from the xxHash specification
/// (github.com/Cyan4973/xxHash, doc/xxhash_spec.md) for the `xxh32`,
/// `xxh64` and `xxh3` converters. Little-endian reads, wrapping arithmetic.
enum XXHash {
    private static let p32_1: UInt32 = 0x9e37_79b1
    private static let p32_2: UInt32 = 0x85eb_ca77
    private static let p32_3: UInt32 = 0xc2b2_ae3d
    private static let p32_4: UInt32 = 0x27d4_eb2f
    private static let p32_5: UInt32 = 0x1656_67b1
    private static let p64_1: UInt64 = 0x9e37_79b1_85eb_ca87
    private static let p64_2: UInt64 = 0xc2b2_ae3d_27d4_eb4f
    private static let p64_3: UInt64 = 0x1656_67b1_9e37_79f9
    private static let p64_4: UInt64 = 0x85eb_ca77_c2b2_ae63
    private static let p64_5: UInt64 = 0x27d4_eb2f_1656_67c5

    @inline(__always) private static func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { (x << r) | (x >> (32 - r)) }
    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) private static func read32(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self))
    }
    @inline(__always) private static func read64(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }

    // MARK: XXH32

    static func xxh32(_ input: UnsafeRawBufferPointer, seed: UInt32) -> UInt32 {
        let length = input.count
        var i = 0
        var acc: UInt32
        if length >= 16 {
            var v = (seed &+ p32_1 &+ p32_2, seed &+ p32_2, seed, seed &- p32_1)
            func round(_ a: UInt32, _ lane: UInt32) -> UInt32 { rotl(a &+ lane &* p32_2, 13) &* p32_1 }
            while i + 16 <= length {
                v.0 = round(v.0, read32(input, i))
                v.1 = round(v.1, read32(input, i + 4))
                v.2 = round(v.2, read32(input, i + 8))
                v.3 = round(v.3, read32(input, i + 12))
                i += 16
            }
            acc = rotl(v.0, 1) &+ rotl(v.1, 7) &+ rotl(v.2, 12) &+ rotl(v.3, 18)
        } else {
            acc = seed &+ p32_5
        }
        acc = acc &+ UInt32(truncatingIfNeeded: length)
        while i + 4 <= length {
            acc = rotl(acc &+ read32(input, i) &* p32_3, 17) &* p32_4
            i += 4
        }
        while i < length {
            acc = rotl(acc &+ UInt32(input[i]) &* p32_5, 11) &* p32_1
            i += 1
        }
        acc ^= acc >> 15
        acc = acc &* p32_2
        acc ^= acc >> 13
        acc = acc &* p32_3
        acc ^= acc >> 16
        return acc
    }

    // MARK: XXH64

    @inline(__always) private static func round64(_ acc: UInt64, _ lane: UInt64) -> UInt64 {
        rotl(acc &+ lane &* p64_2, 31) &* p64_1
    }

    private static func avalanche64(_ h: UInt64) -> UInt64 {
        var h = h
        h ^= h >> 33
        h = h &* p64_2
        h ^= h >> 29
        h = h &* p64_3
        h ^= h >> 32
        return h
    }

    static func xxh64(_ input: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let length = input.count
        var i = 0
        var acc: UInt64
        if length >= 32 {
            var v = (seed &+ p64_1 &+ p64_2, seed &+ p64_2, seed, seed &- p64_1)
            while i + 32 <= length {
                v.0 = round64(v.0, read64(input, i))
                v.1 = round64(v.1, read64(input, i + 8))
                v.2 = round64(v.2, read64(input, i + 16))
                v.3 = round64(v.3, read64(input, i + 24))
                i += 32
            }
            acc = rotl(v.0, 1) &+ rotl(v.1, 7) &+ rotl(v.2, 12) &+ rotl(v.3, 18)
            for lane in [v.0, v.1, v.2, v.3] {
                acc = (acc ^ round64(0, lane)) &* p64_1 &+ p64_4
            }
        } else {
            acc = seed &+ p64_5
        }
        acc = acc &+ UInt64(length)
        while i + 8 <= length {
            acc = rotl(acc ^ round64(0, read64(input, i)), 27) &* p64_1 &+ p64_4
            i += 8
        }
        if i + 4 <= length {
            acc = rotl(acc ^ (UInt64(read32(input, i)) &* p64_1), 23) &* p64_2 &+ p64_3
            i += 4
        }
        while i < length {
            acc = rotl(acc ^ (UInt64(input[i]) &* p64_5), 11) &* p64_1
            i += 1
        }
        return avalanche64(acc)
    }

    // MARK: XXH3 (64-bit)

    /// The specification's default 192-byte secret.
    private static let secret: [UInt8] = [
        0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
        0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
        0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
        0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
        0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
        0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
        0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
        0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
        0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
        0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
        0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
        0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
    ]

    @inline(__always) private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.low ^ product.high
    }

    private static func avalanche3(_ h: UInt64) -> UInt64 {
        var h = h
        h ^= h >> 37
        h = h &* 0x1656_6791_9e37_79f9
        h ^= h >> 32
        return h
    }

    private static func rrmxmx(_ h: UInt64, _ length: Int) -> UInt64 {
        var h = h
        h ^= rotl(h, 49) ^ rotl(h, 24)
        h = h &* 0x9fb2_1c65_1e98_df25
        h ^= (h >> 35) &+ UInt64(length)
        h = h &* 0x9fb2_1c65_1e98_df25
        h ^= h >> 28
        return h
    }

    @inline(__always) private static func mix16(
        _ input: UnsafeRawBufferPointer, _ i: Int, _ secret: UnsafeRawBufferPointer, _ s: Int, _ seed: UInt64
    ) -> UInt64 {
        fold(read64(input, i) ^ (read64(secret, s) &+ seed), read64(input, i + 8) ^ (read64(secret, s + 8) &- seed))
    }

    static func xxh3(_ input: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        secret.withUnsafeBytes { secret in xxh3(input, seed: seed, secret: secret) }
    }

    private static func xxh3(_ input: UnsafeRawBufferPointer, seed: UInt64, secret: UnsafeRawBufferPointer) -> UInt64 {
        let length = input.count
        switch length {
        case 0:
            return avalanche64(seed ^ (read64(secret, 56) ^ read64(secret, 64)))
        case 1...3:
            let combined = UInt32(input[0]) << 16 | UInt32(input[length >> 1]) << 24 | UInt32(input[length - 1])
                | UInt32(length) << 8
            let bitflip = UInt64(read32(secret, 0) ^ read32(secret, 4)) &+ seed
            return avalanche64(UInt64(combined) ^ bitflip)
        case 4...8:
            let seed = seed ^ (UInt64(UInt32(truncatingIfNeeded: seed).byteSwapped) << 32)
            let input1 = read32(input, 0)
            let input2 = read32(input, length - 4)
            let bitflip = (read64(secret, 8) ^ read64(secret, 16)) &- seed
            let input64 = UInt64(input2) &+ (UInt64(input1) << 32)
            return rrmxmx(input64 ^ bitflip, length)
        case 9...16:
            let bitflip1 = (read64(secret, 24) ^ read64(secret, 32)) &+ seed
            let bitflip2 = (read64(secret, 40) ^ read64(secret, 48)) &- seed
            let low = read64(input, 0) ^ bitflip1
            let high = read64(input, length - 8) ^ bitflip2
            let acc = UInt64(length) &+ low.byteSwapped &+ high &+ fold(low, high)
            return avalanche3(acc)
        case 17...128:
            var acc = UInt64(length) &* p64_1
            if length > 32 {
                if length > 64 {
                    if length > 96 {
                        acc = acc &+ mix16(input, 48, secret, 96, seed)
                        acc = acc &+ mix16(input, length - 64, secret, 112, seed)
                    }
                    acc = acc &+ mix16(input, 32, secret, 64, seed)
                    acc = acc &+ mix16(input, length - 48, secret, 80, seed)
                }
                acc = acc &+ mix16(input, 16, secret, 32, seed)
                acc = acc &+ mix16(input, length - 32, secret, 48, seed)
            }
            acc = acc &+ mix16(input, 0, secret, 0, seed)
            acc = acc &+ mix16(input, length - 16, secret, 16, seed)
            return avalanche3(acc)
        case 129...240:
            var acc = UInt64(length) &* p64_1
            for round in 0..<8 { acc = acc &+ mix16(input, 16 * round, secret, 16 * round, seed) }
            acc = avalanche3(acc)
            for round in 8..<(length / 16) { acc = acc &+ mix16(input, 16 * round, secret, 16 * (round - 8) + 3, seed) }
            acc = acc &+ mix16(input, length - 16, secret, 136 - 17, seed)
            return avalanche3(acc)
        default:
            guard seed != 0 else { return long(input, secret: secret) }
            // A secret derived from the seed.
            var derived = [UInt8](repeating: 0, count: secret.count)
            for i in stride(from: 0, to: secret.count, by: 16) {
                let low = read64(secret, i) &+ seed
                let high = read64(secret, i + 8) &- seed
                for k in 0..<8 {
                    derived[i + k] = UInt8(truncatingIfNeeded: low >> UInt64(8 * k))
                    derived[i + 8 + k] = UInt8(truncatingIfNeeded: high >> UInt64(8 * k))
                }
            }
            return derived.withUnsafeBytes { long(input, secret: $0) }
        }
    }

    private static func long(_ input: UnsafeRawBufferPointer, secret: UnsafeRawBufferPointer) -> UInt64 {
        let length = input.count
        var acc: [UInt64] = [UInt64(p32_3), p64_1, p64_2, p64_3, p64_4, UInt64(p32_2), p64_5, UInt64(p32_1)]
        let stripesPerBlock = (secret.count - 64) / 8
        let blockLength = 64 * stripesPerBlock
        let blocks = (length - 1) / blockLength

        func accumulate(_ offset: Int, _ secretOffset: Int) {
            for i in 0..<8 {
                let value = read64(input, offset + 8 * i)
                let key = value ^ read64(secret, secretOffset + 8 * i)
                acc[i ^ 1] = acc[i ^ 1] &+ value
                acc[i] = acc[i] &+ (key & 0xffff_ffff) &* (key >> 32)
            }
        }
        for block in 0..<blocks {
            for stripe in 0..<stripesPerBlock { accumulate(block * blockLength + stripe * 64, stripe * 8) }
            for i in 0..<8 {
                var a = acc[i]
                a ^= a >> 47
                a ^= read64(secret, secret.count - 64 + 8 * i)
                acc[i] = a &* UInt64(p32_1)
            }
        }
        let stripes = ((length - 1) - blockLength * blocks) / 64
        for stripe in 0..<stripes { accumulate(blocks * blockLength + stripe * 64, stripe * 8) }
        accumulate(length - 64, secret.count - 64 - 7)

        var result = UInt64(length) &* p64_1
        for i in 0..<4 {
            result = result &+ fold(acc[2 * i] ^ read64(secret, 11 + 16 * i), acc[2 * i + 1] ^ read64(secret, 11 + 16 * i + 8))
        }
        return avalanche3(result)
    }
}
