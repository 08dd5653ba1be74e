/// Values HAProxy 2.6 computes for persistence cookies (manual 4.2
/// `cookie`): dynamic server values and the dates of `maxidle`/`maxlife`.
public enum CookieValues {
    /// `cookie ... dynamic`: XXH64 (seed 0) of the secret key, the server's
    /// address bytes and its port as four big-endian bytes, in 16 lowercase
    /// hex digits (recorded with 2.6: key `s3cr3t-key`, 127.0.0.1:19970
    /// gives `b1ae07c47b4d77b1`).
    public static func dynamic(key: String, address: [UInt8], port: Int) -> String {
        var input = Array(key.utf8) + address
        let p = UInt32(truncatingIfNeeded: port)
        input += [UInt8(p >> 24), UInt8((p >> 16) & 0xFF), UInt8((p >> 8) & 0xFF), UInt8(p & 0xFF)]
        let hash = input.withUnsafeBytes { XXHash.xxh64($0, seed: 0) }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// A cookie date: the time in 4-second steps, rounded up, as five
    /// base64 digits (recorded: 2.6 writes `axTdZ` from 1796529506.5 s to
    /// 1796529508.7 s, and its date moves once every 4 seconds).
    public static func encodeDate(seconds: Int64) -> [UInt8] {
        let v = UInt32(truncatingIfNeeded: (seconds + 3) >> 2) & 0x3FFF_FFFF
        return [24, 18, 12, 6, 0].map { alphabet[Int((v >> UInt32($0)) & 63)] }
    }

    /// A 4-second step as five base64 digits.
    public static func encodeStep(_ step: Int64) -> [UInt8] {
        let v = UInt32(truncatingIfNeeded: step) & 0x3FFF_FFFF
        return [24, 18, 12, 6, 0].map { alphabet[Int((v >> UInt32($0)) & 63)] }
    }

    /// The 4-second step of a date written by `encodeDate`; nil when the
    /// text is not five base64 digits.
    public static func decodeDate(_ text: ArraySlice<UInt8>) -> Int64? {
        guard text.count == 5 else { return nil }
        var v: Int64 = 0
        for c in text {
            guard let i = alphabet.firstIndex(of: c) else { return nil }
            v = v << 6 | Int64(i)
        }
        return v
    }

    /// The current 4-second step.
    public static func step(seconds: Int64) -> Int64 { (seconds + 3) >> 2 }
}
