import COpenSSL
import HAProxyRules

/// The converters that need OpenSSL (manual 7.3.1): `sha1`, `sha2([bits])`,
/// `digest(<algorithm>)` and `hmac(<algorithm>,<base64 key>)`, each a
/// binary digest of its binary input through Debian's libcrypto. The
/// algorithm is looked up once, when the configuration is read, with 2.6's
/// refusals.
public enum DigestConverters {
    /// Makes the converters known to the configuration parser; called
    /// once before the configuration is read.
    public static func register() {
        SampleConverterRegistry.register(keywords)
    }

    static let keywords: [SampleConverterKeyword] = [
        SampleConverterKeyword("sha1", .binary, .binary) { _ in
            conversion(digest: Algorithm(md: EVP_sha1()))
        },
        SampleConverterKeyword("sha2", [.int], .binary, .binary) { args in
            let bits = args.int(at: 0) ?? 256
            let md: OpaquePointer?
            switch bits {
            case 224: md = EVP_sha224()
            case 256: md = EVP_sha256()
            case 384: md = EVP_sha384()
            case 512: md = EVP_sha512()
            default: throw SampleArgumentError("Unsupported number of bits: '\(bits)'")
            }
            return conversion(digest: Algorithm(md: md))
        },
        SampleConverterKeyword("digest", [.string], mandatory: 1, .binary, .binary) { args in
            conversion(digest: try algorithm(args.text(at: 0)))
        },
        SampleConverterKeyword("hmac", [.string, .string], mandatory: 2, .binary, .binary) { args in
            let algorithm = try algorithm(args.text(at: 0))
            guard let encoded = args.bytes(at: 1), !encoded.isEmpty, let key = Base64.decode(encoded, url: false) else {
                throw SampleArgumentError(
                    "failed to parse key : argument needs to be base64 encoded, and can either be a string or a variable")
            }
            return SampleConversion { sample, _ in
                guard let input = sample.stringBytes else { return nil }
                var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
                var length: UInt32 = 0
                let done = key.withUnsafeBytes { k in
                    input.withUnsafeBytes { i in
                        HMAC(algorithm.md, k.baseAddress, Int32(k.count), i.bindMemory(to: UInt8.self).baseAddress, i.count,
                             &out, &length)
                    }
                }
                guard done != nil else { return nil }
                return .binary(Array(out.prefix(Int(length))))
            }
        },
    ]

    /// An OpenSSL digest method: a static, read-only table of libcrypto,
    /// shared by every event loop.
    struct Algorithm: @unchecked Sendable {
        let md: OpaquePointer?
    }

    /// The digest OpenSSL knows by `name` (`sha256`), as 2.6 refuses others.
    private static func algorithm(_ name: String?) throws -> Algorithm {
        guard let name, let md = EVP_get_digestbyname(name) else {
            throw SampleArgumentError("algorithm must be a valid OpenSSL message digest name.")
        }
        return Algorithm(md: md)
    }

    private static func conversion(digest algorithm: Algorithm) -> SampleConversion {
        SampleConversion { sample, _ in
            let md = algorithm.md
            guard let input = sample.stringBytes else { return nil }
            var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
            var length: UInt32 = 0
            let ok = input.withUnsafeBytes { i in EVP_Digest(i.baseAddress, i.count, &out, &length, md, nil) }
            guard ok == 1 else { return nil }
            return .binary(Array(out.prefix(Int(length))))
        }
    }
}
