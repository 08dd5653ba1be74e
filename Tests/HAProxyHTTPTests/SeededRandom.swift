#if canImport(Glibc)
import Glibc
#endif

/// The source of random test inputs (how a message is split into reads):
/// SplitMix64 from a seed that is printed, so that a failing run can be
/// repeated with `HAPROXY_TEST_SEED=<seed> swift test --filter ...`.
/// Without that variable the seed comes from the system's generator.
struct SeededRandom: RandomNumberGenerator {
    let seed: UInt64
    private var state: UInt64

    init(_ user: String) {
        if let text = getenv("HAPROXY_TEST_SEED").map({ String(cString: $0) }), let fixed = UInt64(text) {
            seed = fixed
        } else {
            seed = UInt64.random(in: 0...UInt64.max)
        }
        state = seed
        print("\(user): random seed \(seed) (HAPROXY_TEST_SEED=\(seed) repeats it)")
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
