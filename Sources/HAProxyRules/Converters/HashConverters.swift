/// Hash converters (manual 7.3.1): `crc32`, `crc32c`, `djb2`, `sdbm` and
/// `wt6` return an unsigned 32-bit integer, optionally passed through a
/// full avalanche (`crc32(1)`); `xxh32` returns an unsigned 32-bit
/// integer and `xxh64`/`xxh3` the 64-bit hash read as a signed integer,
/// each with an optional seed. All checked against 2.6's output.
///
/// `digest`, `hmac`, `sha1`, `sha2` and `aes_gcm_dec` need OpenSSL, which
/// this build does not link: `SampleConverterRegistry.unsupported`
/// refuses them by name.
enum HashConverters {
    static let keywords: [SampleConverterKeyword] = {
        var list: [SampleConverterKeyword] = []
        let hashes: [(String, @Sendable (UnsafeRawBufferPointer) -> UInt32)] = [
            ("crc32", { CRC32.checksum($0, polynomial: CRC32.ieee) }),
            ("crc32c", { CRC32.checksum($0, polynomial: CRC32.castagnoli) }),
            ("djb2", { Hashing.djb2($0) }),
            ("sdbm", { Hashing.sdbm($0) }),
            ("wt6", { Hashing.wt6($0) }),
        ]
        for (name, hash) in hashes {
            list.append(SampleConverterKeyword(name, [.int], .binary, .int) { args, sample in
                let avalanche = (args.int(at: 0) ?? 0) != 0
                guard let bytes = sample.stringBytes else { return nil }
                var value = bytes.withUnsafeBytes(hash)
                if avalanche { value = Hashing.avalanche(value) }
                return .int(Int64(value))
            })
        }
        list.append(SampleConverterKeyword("xxh32", [.int], .binary, .int) { args, sample in
            let seed = UInt32(truncatingIfNeeded: args.int(at: 0) ?? 0)
            return sample.stringBytes.map { bytes in .int(Int64(bytes.withUnsafeBytes { XXHash.xxh32($0, seed: seed) })) }
        })
        list.append(SampleConverterKeyword("xxh64", [.int], .binary, .int) { args, sample in
            let seed = UInt64(bitPattern: args.int(at: 0) ?? 0)
            return sample.stringBytes.map { bytes in .int(Int64(bitPattern: bytes.withUnsafeBytes { XXHash.xxh64($0, seed: seed) })) }
        })
        list.append(SampleConverterKeyword("xxh3", [.int], .binary, .int) { args, sample in
            let seed = UInt64(bitPattern: args.int(at: 0) ?? 0)
            return sample.stringBytes.map { bytes in .int(Int64(bitPattern: bytes.withUnsafeBytes { XXHash.xxh3($0, seed: seed) })) }
        })
        return list
    }()
}
