import CPCRE2

/// A regular expression compiled once by Debian's PCRE2, with JIT when the
/// library has it (as Debian's haproxy uses it): `-m reg` patterns,
/// `regsub`, `map_reg`, `replace-*` actions.
///
/// Matching allocates PCRE2 match data per call, so one `Regex` can be
/// used by several event loops at once.
public final class Regex: @unchecked Sendable {
    private let code: OpaquePointer
    public let pattern: String

    /// A pattern PCRE2 refuses; `message` is worded as 2.6 words it:
    /// `regex '(' is invalid (error=missing closing parenthesis, erroffset=1)`.
    public struct CompileError: Error, Sendable {
        public var message: String
    }

    public init(_ pattern: String, caseInsensitive: Bool = false) throws {
        self.pattern = pattern
        var errorCode: Int32 = 0
        var errorOffset = 0
        let options: UInt32 = caseInsensitive ? UInt32(PCRE2_CASELESS) : 0
        let compiled = pattern.withCString { p in
            pcre2_compile_8(
                UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), pattern.utf8.count, options,
                &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
            let text = String(decoding: buffer.prefix(max(0, Int(n))), as: UTF8.self)
            throw CompileError(message: "regex '\(pattern)' is invalid (error=\(text), erroffset=\(errorOffset))")
        }
        code = compiled
        _ = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE))
    }

    deinit { pcre2_code_free_8(code) }

    /// The library's version, as `-vv` prints it (`10.42 2022-12-11`).
    public static var libraryVersion: String {
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { pcre2_config_8(UInt32(PCRE2_CONFIG_VERSION), $0.baseAddress) }
        return String(decoding: buffer.prefix(max(0, Int(n) - 1)), as: UTF8.self)
    }

    /// Whether the library compiles patterns to machine code.
    public static var supportsJIT: Bool {
        var jit: UInt32 = 0
        _ = pcre2_config_8(UInt32(PCRE2_CONFIG_JIT), &jit)
        return jit != 0
    }

    /// Whether the pattern matches somewhere in `subject`.
    public func matches(_ subject: UnsafeRawBufferPointer) -> Bool {
        let data = pcre2_match_data_create_from_pattern_8(code, nil)
        defer { pcre2_match_data_free_8(data) }
        return match(subject, data, from: 0) > 0
    }

    public func matches(_ subject: [UInt8]) -> Bool {
        subject.withUnsafeBytes { matches($0) }
    }

    private func match(_ subject: UnsafeRawBufferPointer, _ data: OpaquePointer?, from offset: Int) -> Int32 {
        let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        return pcre2_match_8(code, base, subject.count, offset, 0, data, nil)
    }

    /// `template` with `\1`..`\9` taken from the first match in
    /// `subject`, nil when nothing matches: the whole value becomes the
    /// template (`replace-header`, `replace-value`, `replace-path`,
    /// `replace-uri`).
    public func expand(_ template: [UInt8], matching subject: UnsafeRawBufferPointer) -> [UInt8]? {
        let data = pcre2_match_data_create_from_pattern_8(code, nil)
        defer { pcre2_match_data_free_8(data) }
        let rc = match(subject, data, from: 0)
        guard rc > 0 else { return nil }
        let ovector = pcre2_get_ovector_pointer_8(data)!
        var out: [UInt8] = []
        Self.appendExpansion(template, of: subject, groups: Int(rc), ovector, to: &out)
        return out
    }

    /// Appends `template` with `\1`..`\9` replaced by the groups of the
    /// match `ovector` describes (groups that did not match add nothing).
    private static func appendExpansion(
        _ template: [UInt8], of subject: UnsafeRawBufferPointer, groups: Int, _ ovector: UnsafeMutablePointer<Int>,
        to out: inout [UInt8]
    ) {
        var i = 0
        while i < template.count {
            let c = template[i]
            if c == UInt8(ascii: "\\"), i + 1 < template.count,
               template[i + 1] >= UInt8(ascii: "0"), template[i + 1] <= UInt8(ascii: "9") {
                let group = Int(template[i + 1] - UInt8(ascii: "0"))
                if group < groups, ovector[2 * group] != ~0 {
                    out += subject[ovector[2 * group]..<ovector[2 * group + 1]]
                }
                i += 2
                continue
            }
            out.append(c)
            i += 1
        }
    }

    /// `subject` with the first match (every match when `global`) replaced
    /// by `template`, in which `\1`..`\9` stand for the groups (2.6's
    /// `regsub` and `replace-*` actions); nil when nothing matched.
    public func replace(in subject: UnsafeRawBufferPointer, with template: [UInt8], global: Bool) -> [UInt8]? {
        let data = pcre2_match_data_create_from_pattern_8(code, nil)
        defer { pcre2_match_data_free_8(data) }
        var out: [UInt8] = []
        var position = 0
        var matched = false
        while position <= subject.count {
            let rc = match(subject, data, from: position)
            guard rc > 0 else { break }
            matched = true
            let ovector = pcre2_get_ovector_pointer_8(data)!
            let start = ovector[0], end = ovector[1]
            out += subject[position..<start]
            Self.appendExpansion(template, of: subject, groups: Int(rc), ovector, to: &out)
            if end == start {
                // An empty match: copy one byte and move on.
                if end < subject.count { out.append(subject[end]) }
                position = end + 1
            } else {
                position = end
            }
            if !global { break }
        }
        guard matched else { return nil }
        if position < subject.count { out += subject[position...] }
        return out
    }
}
