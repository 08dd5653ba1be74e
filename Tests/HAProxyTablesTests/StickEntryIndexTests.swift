import XCTest
@testable import HAProxyTables

/// The table's index against a `Dictionary` under the same random
/// inserts and removals (the seed is printed), across its growth.
final class StickEntryIndexTests: XCTestCase {
    func testAgreesWithADictionary() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("StickEntryIndexTests seed \(seed)")
        var random = SplitMix(seed)
        var index = StickEntryIndex()
        defer { index.destroy() }
        var reference: [StickKey: StickEntry] = [:]
        for step in 0..<20_000 {
            let n = random.next() % 3000
            let key = step % 3 == 0 ? StickKey(bytes: Array("k\(n)".utf8)) : StickKey(high: n >> 1, low: n)
            if let entry = reference[key] {
                XCTAssertTrue(index.find(key) === entry)
                if random.next() % 2 == 0 {
                    index.remove(entry)
                    reference[key] = nil
                    XCTAssertNil(index.find(key))
                }
            } else {
                XCTAssertNil(index.find(key))
                let entry = StickEntry.make(key: key, words: 2)
                index.insert(entry)
                reference[key] = entry
            }
            XCTAssertEqual(index.count, reference.count)
        }
        var seen = 0
        index.forEach { entry in
            seen += 1
            XCTAssertTrue(reference[entry.key] === entry)
        }
        XCTAssertEqual(seen, reference.count)
    }

    /// An entry's data words start at 0 and are its own.
    func testEntriesHoldTheirDataWords() {
        let a = StickEntry.make(key: .ipv4(1), words: 3), b = StickEntry.make(key: .ipv4(2), words: 3)
        a.data[2] = 7
        XCTAssertEqual((0..<3).map { b.data[$0] }, [0, 0, 0])
        XCTAssertEqual((0..<3).map { a.data[$0] }, [0, 0, 7])
    }

    struct SplitMix {
        var state: UInt64
        init(_ seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }
}
