import HAProxyRules
import XCTest

/// Pattern sets against a plain reference matcher: exact, prefix, suffix
/// and substring patterns, with and without `-i`, over random texts, both
/// as samples and as bytes lent in place (what ACLs on headers use).
final class PatternSetTests: XCTestCase {
    /// A small generator with a printed seed, so that a failure can be replayed.
    private struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func text(maxLength: Int) -> [UInt8] {
            let alphabet = Array("aAbBcC/.-_".utf8)
            return (0..<next(maxLength + 1)).map { _ in alphabet[next(alphabet.count)] }
        }
    }

    private static func fold(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// The reference: the first matching pattern in order (the longest
    /// prefix for `beg`, the first of equal patterns for `str`).
    private static func expected(
        _ method: PatternMatchMethod, _ patterns: [[UInt8]], _ text: [UInt8], ignoreCase: Bool
    ) -> Int? {
        let t = ignoreCase ? fold(text) : text
        let ps = ignoreCase ? patterns.map(fold) : patterns
        switch method {
        case .str:
            return ps.firstIndex(of: t)
        case .beg:
            var best: Int?
            for (i, p) in ps.enumerated() where t.starts(with: p) {
                if best == nil || p.count > ps[best!].count { best = i }
            }
            return best
        case .end:
            return ps.firstIndex { t.count >= $0.count && Array(t.suffix($0.count)) == $0 }
        case .sub:
            return ps.firstIndex { p in
                p.isEmpty || (t.count >= p.count && (0...(t.count - p.count)).contains { Array(t[$0..<($0 + p.count)]) == p })
            }
        default:
            return nil
        }
    }

    func testMatchesAgreeWithAReferenceMatcher() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("PatternSetTests seed \(seed)")
        var g = Generator(state: seed)
        for method in [PatternMatchMethod.str, .beg, .end, .sub] {
            for ignoreCase in [false, true] {
                for _ in 0..<20 {
                    // Up to 300 patterns: the exact table grows several times.
                    let patterns = (0..<(1 + g.next(300))).map { _ in g.text(maxLength: 6) }.filter { !$0.isEmpty }
                    let set = PatternSet(method: method, ignoreCase: ignoreCase)
                    for p in patterns { try set.add(String(decoding: p, as: UTF8.self)) }
                    for _ in 0..<50 {
                        // Half the texts are (case-changed) patterns.
                        var text = g.text(maxLength: 8)
                        if g.next(2) == 0, let p = patterns.isEmpty ? nil : patterns[g.next(patterns.count)] {
                            text = p.map { g.next(2) == 0 && $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
                        }
                        let want = Self.expected(method, patterns, text, ignoreCase: ignoreCase)
                        let context = "seed \(seed) \(method) -i \(ignoreCase) text \(String(decoding: text, as: UTF8.self))"
                        XCTAssertEqual(set.firstMatch(.string(text)), want, context)
                        XCTAssertEqual(text.withUnsafeBytes { set.firstMatch(bytes: $0) }, want, context)
                    }
                }
            }
        }
    }

    func testLengthAndFoundOnBytes() throws {
        let set = PatternSet(method: .len, ignoreCase: false)
        try set.add("3:5")
        XCTAssertEqual(Array("abcd".utf8).withUnsafeBytes { set.firstMatch(bytes: $0) }, 0)
        XCTAssertNil(Array("ab".utf8).withUnsafeBytes { set.firstMatch(bytes: $0) })
        let found = PatternSet(method: .found, ignoreCase: false)
        XCTAssertEqual([UInt8]().withUnsafeBytes { found.firstMatch(bytes: $0) }, 0)
    }
}
