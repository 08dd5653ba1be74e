#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLZ4

/// Compresses a file into an LZ4 frame (`lz4 -d` and halog read it) with
/// liblz4's frame API: `LZ4F_compressBegin`, `LZ4F_compressUpdate` per
/// 64 KiB chunk, `LZ4F_compressEnd`.
enum LZ4FileCompressor {
    static let chunk = 64 * 1024

    /// Compresses `source` (relative to `directory`) into `destination`,
    /// written under a temporary name then renamed; the source is removed
    /// on success.
    /// - Returns: false when an I/O or compression error stopped it.
    @discardableResult
    static func compress(directory: Int32, source: String, destination: String) -> Bool {
        let input = openat(directory, source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return false }
        defer { _ = close(input) }
        let temporary = destination + ".tmp"
        let output = openat(directory, temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard output >= 0 else { return false }
        var ok = false
        defer {
            _ = close(output)
            if !ok { _ = unlinkat(directory, temporary, 0) }
        }
        var ctx: OpaquePointer?
        guard LZ4F_isError(LZ4F_createCompressionContext(&ctx, UInt32(LZ4F_VERSION))) == 0, let ctx else { return false }
        defer { LZ4F_freeCompressionContext(ctx) }
        var prefs = LZ4F_preferences_t()
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        let bound = Int(LZ4F_compressBound(chunk, &prefs)) + 64
        var out = [UInt8](repeating: 0, count: max(bound, Int(LZ4F_HEADER_SIZE_MAX)))
        var inBuf = [UInt8](repeating: 0, count: chunk)

        func writeAll(_ n: Int) -> Bool {
            var off = 0
            while off < n {
                let w = out.withUnsafeBytes { write(output, $0.baseAddress! + off, n - off) }
                if w < 0 { if errno == EINTR { continue }; return false }
                off += w
            }
            return true
        }

        var n = out.withUnsafeMutableBytes { LZ4F_compressBegin(ctx, $0.baseAddress, $0.count, &prefs) }
        guard LZ4F_isError(n) == 0, writeAll(n) else { return false }
        while true {
            let r = inBuf.withUnsafeMutableBytes { read(input, $0.baseAddress, chunk) }
            if r < 0 { if errno == EINTR { continue }; return false }
            if r == 0 { break }
            n = out.withUnsafeMutableBytes { o in
                inBuf.withUnsafeBytes { i in LZ4F_compressUpdate(ctx, o.baseAddress, o.count, i.baseAddress, r, nil) }
            }
            guard LZ4F_isError(n) == 0, writeAll(n) else { return false }
        }
        n = out.withUnsafeMutableBytes { LZ4F_compressEnd(ctx, $0.baseAddress, $0.count, nil) }
        guard LZ4F_isError(n) == 0, writeAll(n) else { return false }
        guard renameat(directory, temporary, directory, destination) == 0 else { return false }
        ok = true
        _ = unlinkat(directory, source, 0)
        return true
    }
}
