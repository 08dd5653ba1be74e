/// Counts of character pairs in a word (letters folded to lower case,
/// digits as one class, anything else as a separator, with begin and end
/// marks), used to rank how close two words are: configuration keyword
/// suggestions and the runtime API's "maybe one of the following".
public struct WordFingerprint {
    private var counts: [Int: Int] = [:]

    public init(_ word: String) {
        var from = 28
        for c in word.utf8 {
            let to: Int
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): to = Int(c - UInt8(ascii: "a")) + 1
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): to = Int(c - UInt8(ascii: "A")) + 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"): to = 27
            default: to = 28
            }
            counts[32 * from + to, default: 0] += 1
            from = to
        }
        counts[32 * from + 28, default: 0] += 1
    }

    public func distance(to other: WordFingerprint) -> Int {
        var d = 0
        for key in Set(counts.keys).union(other.counts.keys) {
            d += abs(counts[key, default: 0] - other.counts[key, default: 0])
        }
        return d
    }
}
