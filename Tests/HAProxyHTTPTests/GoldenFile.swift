import Foundation

/// Reads the files recorded from the real HAProxy under Golden/.
enum GoldenFile {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    struct Case {
        var name: String
        var request: [UInt8]
        var expected: String
    }

    /// Cases of malformed-requests.txt (name TAB escaped bytes TAB status).
    static func malformedRequests() throws -> [Case] { try cases("malformed-requests.txt") }

    /// Cases of a golden file in the malformed-*.txt format.
    static func cases(_ file: String) throws -> [Case] {
        let text = String(decoding: try bytes(file), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            if line.hasPrefix("#") { return nil }
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 3 else { return nil }
            return Case(name: String(parts[0]), request: unescape(Array(parts[1].utf8)), expected: String(parts[2]))
        }
    }

    static func unescape(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < s.count {
            if s[i] == UInt8(ascii: "\\"), i + 1 < s.count {
                switch s[i + 1] {
                case UInt8(ascii: "r"): out.append(0x0D); i += 2
                case UInt8(ascii: "n"): out.append(0x0A); i += 2
                case UInt8(ascii: "t"): out.append(0x09); i += 2
                case UInt8(ascii: "\\"): out.append(0x5C); i += 2
                case UInt8(ascii: "x"):
                    out.append(UInt8(String(decoding: s[(i + 2)..<(i + 4)], as: UTF8.self), radix: 16)!)
                    i += 4
                default: out.append(s[i]); i += 1
                }
            } else {
                out.append(s[i]); i += 1
            }
        }
        return out
    }
}
