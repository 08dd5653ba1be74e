import HAProxyConfig
@testable import HAProxyCore
import XCTest

final class HashFunctionTests: XCTestCase {
    private func h(_ f: HashFunction, _ s: String, _ avalanche: Bool = false) -> UInt32 {
        f.hash(bytes: Array(s.utf8), avalanche: avalanche)
    }

    /// Vectors computed independently from the definitions.
    func testIndependentVectors() {
        XCTAssertEqual(h(.crc32, "123456789"), 0xCBF4_3926)
        XCTAssertEqual(h(.crc32, ""), 0)
        XCTAssertEqual(h(.crc32, "The quick brown fox jumps over the lazy dog"), 0x414F_A339)
        XCTAssertEqual(h(.djb2, ""), 5381)
        XCTAssertEqual(h(.djb2, "a"), 5381 * 33 + 97)
        XCTAssertEqual(h(.djb2, "ab"), (5381 * 33 + 97) * 33 + 98)
        XCTAssertEqual(h(.sdbm, ""), 0)
        XCTAssertEqual(h(.sdbm, "a"), 97)
        // "ab": 98 + 97 * 65599
        XCTAssertEqual(h(.sdbm, "ab"), 98 + 97 * 65599)
        // 32-bit wrap-around: same value as the 64-bit computation modulo 2^32.
        var wide: UInt64 = 0
        for c in "hello world, this wraps".utf8 { wide = (UInt64(c) &+ wide &* 65599) & 0xffff_ffff }
        XCTAssertEqual(h(.sdbm, "hello world, this wraps"), UInt32(wide))
    }

    /// Values printed by haproxy 2.6.12's converters: `%[path,sdbm]`,
    /// `%[path,sdbm(1)]`, and so on for djb2, wt6 and crc32.
    func testMatchesHAProxyConverters() {
        let table: [(String, [UInt32])] = [
            ("/", [47, 2_118_074_832, 177_620, 3_725_504_903, 1_886_637_733, 2_250_254_464, 2_043_925_204, 2_724_628_003]),
            ("/123456789", [4_153_285_062, 1_204_959_296, 927_970_609, 1_462_708_290, 3_345_602_750, 2_092_697_068, 1_881_218_467, 2_312_292_288]),
            ("/a", [3_083_250, 1_743_195_586, 5_861_557, 3_623_408_593, 1_404_582_375, 652_714_202, 1_768_979_292, 2_112_193_429]),
            ("/hello/world", [3_461_884_038, 3_247_079_497, 3_258_338_207, 1_125_971_948, 3_022_396_808, 1_385_928_714, 2_263_584_858, 1_699_623_523]),
            ("/index.html", [858_007_926, 4_217_574_924, 3_776_231_887, 1_889_807_916, 822_151_038, 2_986_733_765, 3_928_116_034, 571_229_468]),
            ("/abcdefghijklmnopqrstuvwxyz0123456789",
             [4_160_585_729, 534_651_118, 2_352_373_344, 3_230_586_083, 289_509_667, 2_879_826_463, 3_175_957_009, 1_396_466_106]),
        ]
        for (key, v) in table {
            XCTAssertEqual(h(.sdbm, key), v[0], key)
            XCTAssertEqual(h(.sdbm, key, true), v[1], key)
            XCTAssertEqual(h(.djb2, key), v[2], key)
            XCTAssertEqual(h(.djb2, key, true), v[3], key)
            XCTAssertEqual(h(.wt6, key), v[4], key)
            XCTAssertEqual(h(.wt6, key, true), v[5], key)
            XCTAssertEqual(h(.crc32, key), v[6], key)
            XCTAssertEqual(h(.crc32, key, true), v[7], key)
        }
    }

    func testAvalancheMixes() {
        XCTAssertEqual(HashFunction.avalanche(47), 2_118_074_832)
        XCTAssertNotEqual(HashFunction.avalanche(0), HashFunction.avalanche(1))
    }
}
