#if canImport(Glibc)
import Glibc
#endif
import CCrypt

/// Checks a password against a crypt(3) hash (`$6$` SHA-512, `$5$`
/// SHA-256, `$1$` MD5, yescrypt, DES...) with Debian's libcrypt, as
/// Debian's haproxy does: the password hashed with the stored hash as
/// setting must give the stored hash back.
///
/// `crypt_r` keeps its state in the caller's buffer, so rules running on
/// several event loops verify in parallel.
public enum PasswordHash {
    public static func verify(_ password: [UInt8], against hash: String) -> Bool {
        // crypt(3) reads a C string: a NUL in the password ends it.
        var key = password.prefix { $0 != 0 }.map { CChar(bitPattern: $0) }
        key.append(0)
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        // On failure libxcrypt returns "*0" or "*1", never equal to the
        // setting it was given.
        guard let result = crypt_r(key, hash, data) else { return false }
        return constantTimeEqual(result, hash)
    }

    /// Compares without stopping at the first difference.
    private static func constantTimeEqual(_ computed: UnsafePointer<CChar>, _ expected: String) -> Bool {
        let computedBytes = UnsafeRawBufferPointer(start: computed, count: strlen(computed))
        let expectedBytes = Array(expected.utf8)
        guard computedBytes.count == expectedBytes.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<expectedBytes.count { difference |= computedBytes[i] ^ expectedBytes[i] }
        return difference == 0
    }
}
