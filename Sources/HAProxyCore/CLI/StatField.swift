#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase

/// One field of `show info` or `show stat`, with what its `typed` and
/// `json` forms print (manual 9.2 "Typed output format").
struct StatField {
    enum Value {
        case str(String)
        case u32(Int)
        case u64(UInt64)
        case s32(Int)

        var typeName: String {
            switch self {
            case .str: return "str"
            case .u32: return "u32"
            case .u64: return "u64"
            case .s32: return "s32"
            }
        }

        var text: String {
            switch self {
            case .str(let s): return s
            case .u32(let v), .s32(let v): return String(v)
            case .u64(let v): return String(v)
            }
        }

        var json: String {
            switch self {
            case .str(let s): return "\"\(StatField.jsonEscaped(s))\""
            default: return text
            }
        }
    }

    /// Position in the full list (stable across versions).
    let pos: Int
    let name: String
    /// Origin, nature and scope letters, e.g. `POS` (Product, Output, Service).
    let tags: String
    let value: Value

    init(_ pos: Int, _ name: String, _ tags: String, _ value: Value) {
        self.pos = pos
        self.name = name
        self.tags = tags
        self.value = value
    }

    static func jsonEscaped(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 { out += "\\u" + c.value.hexPadded(4) } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// The JSON `tags` object for the three letters.
    var jsonTags: String {
        let letters = Array(tags)
        func pick(_ i: Int, _ map: [Character: String]) -> String {
            i < letters.count ? map[letters[i]] ?? "" : ""
        }
        let origin = pick(0, ["M": "Metric", "S": "Status", "K": "Key", "C": "Config", "P": "Product"])
        let nature = pick(1, [
            "A": "Age", "a": "Avg", "C": "Counter", "D": "Duration", "G": "Gauge", "L": "Limit",
            "M": "Max", "N": "Name", "O": "Output", "R": "Rate", "T": "Time",
        ])
        let scope = pick(2, ["P": "Process", "S": "Service", "s": "System"])
        return "{\"origin\":\"\(origin)\",\"nature\":\"\(nature)\",\"scope\":\"\(scope)\"}"
    }
}
