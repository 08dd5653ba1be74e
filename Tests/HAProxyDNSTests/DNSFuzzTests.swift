import XCTest

@testable import HAProxyDNS

/// Random and mutated answers through the parser: it must return or throw,
/// never trap or loop. `DNS_FUZZ_SEED=N` repeats a run; `DNS_FUZZ_SECONDS`
/// bounds it (default 2).
final class DNSFuzzTests: XCTestCase {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    func testParserSurvivesRandomAndMutatedAnswers() {
        let env = ProcessInfo.processInfo.environment
        let seed = env["DNS_FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        let seconds = env["DNS_FUZZ_SECONDS"].flatMap { Double($0) } ?? 2
        print("DNS fuzz seed: \(seed) (repeat with DNS_FUZZ_SEED=\(seed))")
        var rng = SplitMix(state: seed)
        var valid = AnswerBuilder(id: 77, answers: 3)
        valid.question("www.example.test", type: 1)
        valid.record(type: 5, data: [3] + Array("web".utf8) + [0xc0, 16])
        valid.record(type: 1, data: [10, 0, 0, 1])
        valid.record(type: 28, data: Array(repeating: 1, count: 16))
        let start = ContinuousClock.now
        var runs = 0
        var parsed = 0
        while ContinuousClock.now - start < .milliseconds(Int(seconds * 1000)) {
            var message: [UInt8]
            if rng.below(4) == 0 {
                message = (0..<rng.below(600)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                message = valid.bytes
                for _ in 0..<(1 + rng.below(8)) {
                    switch rng.below(4) {
                    case 0 where !message.isEmpty:
                        message[rng.below(message.count)] = UInt8(truncatingIfNeeded: rng.next())
                    case 1 where !message.isEmpty:
                        message.removeLast(rng.below(message.count))
                    case 2:
                        let at = rng.below(message.count + 1)
                        message.insert(contentsOf: [0xc0, UInt8(truncatingIfNeeded: rng.next())], at: at)
                    default:
                        if message.count > 7 { message[6 + rng.below(2)] = UInt8(truncatingIfNeeded: rng.next()) }
                    }
                }
            }
            if let r = try? DNSResponse(parsing: message) {
                parsed += 1
                _ = r.addresses(for: "www.example.test", type: .a)
                _ = r.services(for: "www.example.test", preferIPv6: true)
                var resolution = Resolution(name: "www.example.test", prefer: .ipv4, timers: ResolutionTimers())
                var id: UInt16 = r.id
                _ = resolution.poll(nowMs: 0) { id }
                id &+= 1
                _ = resolution.receive(r, nowMs: 1) { id }
            }
            runs += 1
        }
        print("DNS fuzz: \(runs) messages, \(parsed) parsed, seed \(seed)")
        XCTAssertGreaterThan(runs, 100)
    }
}
