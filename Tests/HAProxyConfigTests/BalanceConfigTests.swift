import HAProxyConfig
import XCTest

/// Expected messages were taken from haproxy 2.6.12 `-c` on the same lines.
final class BalanceConfigTests: XCTestCase {
    private func ok(_ line: String, file: StaticString = #filePath, lineNo: UInt = #line) -> BalanceAlgorithm? {
        switch BalanceConfig.parseBalance(words(line)) {
        case .success(let a): return a
        case .failure(let e): XCTFail("unexpected error \(e)", file: file, line: lineNo); return nil
        }
    }

    private func err(_ line: String) -> String? {
        if case .failure(let e) = BalanceConfig.parseBalance(words(line)) { return e.description }
        return nil
    }

    private func words(_ s: String) -> [String] { s.split(separator: " ").map(String.init) }

    func testSimpleAlgorithms() {
        XCTAssertEqual(ok(""), .roundRobin)
        XCTAssertEqual(ok("roundrobin"), .roundRobin)
        XCTAssertEqual(ok("roundrobin extra"), .roundRobin)
        XCTAssertEqual(ok("static-rr"), .staticRoundRobin)
        XCTAssertEqual(ok("leastconn"), .leastConn)
        XCTAssertEqual(ok("first"), .first)
        XCTAssertEqual(ok("source"), .source)
        XCTAssertEqual(BalanceConfig(), BalanceConfig(algorithm: .roundRobin, hashType: .mapBased, hashFunction: .sdbm, avalanche: false))
    }

    func testUnknown() {
        let msg = "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options."
        XCTAssertEqual(err("foo"), msg)
        XCTAssertEqual(err("RoundRobin"), msg)
        XCTAssertEqual(err("hdr"), msg)
    }

    func testUnsupportedAreErrors() {
        XCTAssertNotNil(err("rdp-cookie"))
        XCTAssertNotNil(err("rdp-cookie(mstshash)"))
        XCTAssertEqual(err("hash"), "balance hash requires a sample expression.")
        XCTAssertNotNil(err("hash req.cookie(id)"))
    }

    func testURI() {
        XCTAssertEqual(ok("uri"), .uri(whole: false, length: nil, depth: nil, pathOnly: false))
        XCTAssertEqual(ok("uri whole path-only len 5 depth 2"), .uri(whole: true, length: 5, depth: 2, pathOnly: true))
        XCTAssertEqual(ok("uri len 5x"), .uri(whole: false, length: 5, depth: nil, pathOnly: false))
        XCTAssertEqual(err("uri len"), "balance uri : 'len' expects a positive integer (got '').")
        XCTAssertEqual(err("uri len 0"), "balance uri : 'len' expects a positive integer (got '0').")
        XCTAssertEqual(err("uri len -1"), "balance uri : 'len' expects a positive integer (got '-1').")
        XCTAssertEqual(err("uri depth abc"), "balance uri : 'depth' expects a positive integer (got 'abc').")
        XCTAssertEqual(err("uri len 3 foo"), "balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got 'foo').")
    }

    func testURLParam() {
        XCTAssertEqual(ok("url_param id"), .urlParam(name: "id", checkPost: nil))
        XCTAssertEqual(ok("url_param id check_post"), .urlParam(name: "id", checkPost: 0))
        XCTAssertEqual(ok("url_param id check_post 64"), .urlParam(name: "id", checkPost: 64))
        XCTAssertEqual(err("url_param"), "balance url_param requires an URL parameter name.")
        XCTAssertEqual(err("url_param id x check_post"), "balance url_param only accepts 'check_post' modifier (got 'x').")
    }

    func testHeader() {
        XCTAssertEqual(ok("hdr(Host)"), .header(name: "Host", useDomainOnly: false))
        XCTAssertEqual(ok("hdr(host) use_domain_only"), .header(name: "host", useDomainOnly: true))
        XCTAssertEqual(err("hdr()"), "balance hdr requires an http header field name.")
        XCTAssertEqual(err("hdr(host"), "balance hdr requires an http header field name.")
        XCTAssertEqual(err("hdr(host) foo"), "balance hdr(host) only accepts 'use_domain_only' modifier (got 'foo').")
    }

    func testRandom() {
        XCTAssertEqual(ok("random"), .random(draws: 2))
        XCTAssertEqual(ok("random()"), .random(draws: 2))
        XCTAssertEqual(ok("random(1)"), .random(draws: 1))
        XCTAssertEqual(ok("random(5) x"), .random(draws: 5))
        XCTAssertEqual(err("random(0)"), "balance random : number of draws must be at least 1.")
        XCTAssertEqual(err("random(-1)"), "balance random : number of draws must be at least 1.")
        XCTAssertEqual(err("random(x)"), "balance random : unexpected character 'x' after argument.")
        XCTAssertEqual(err("random(2x)"), "balance random : unexpected character 'x' after argument.")
        XCTAssertEqual(err("random("), "balance random : missing closing parenthesis.")
    }

    func testHashType() {
        func parse(_ s: String) -> Result<BalanceConfig.HashSettings, BalanceParseError> {
            BalanceConfig.parseHashType(words(s))
        }
        XCTAssertEqual(parse("map-based"), .success(.init(hashType: .mapBased, hashFunction: .sdbm, avalanche: false)))
        XCTAssertEqual(parse("consistent"), .success(.init(hashType: .consistent, hashFunction: .sdbm, avalanche: true)))
        XCTAssertEqual(parse("consistent sdbm"), .success(.init(hashType: .consistent, hashFunction: .sdbm, avalanche: false)))
        XCTAssertEqual(parse("map-based crc32 avalanche"), .success(.init(hashType: .mapBased, hashFunction: .crc32, avalanche: true)))
        XCTAssertEqual(parse("consistent wt6"), .success(.init(hashType: .consistent, hashFunction: .wt6, avalanche: false)))
        XCTAssertEqual(parse("consistent djb2 avalanche x"), .success(.init(hashType: .consistent, hashFunction: .djb2, avalanche: true)))
        XCTAssertEqual(parse(""), .failure(BalanceParseError("'hash-type' only supports 'consistent' and 'map-based'.")))
        XCTAssertEqual(parse("MAP-BASED"), .failure(BalanceParseError("'hash-type' only supports 'consistent' and 'map-based'.")))
        XCTAssertEqual(parse("consistent foo"), .failure(BalanceParseError("'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions.")))
        XCTAssertEqual(parse("consistent sdbm foo"), .failure(BalanceParseError("'hash-type' only supports 'avalanche' as a modifier for hash functions.")))
        XCTAssertEqual(parse("avalanche"), .failure(BalanceParseError(
            "experimental feature 'hash-type avalanche' is not supported anymore, please use 'hash-type map-based sdbm avalanche' instead.")))

        var config = BalanceConfig(algorithm: .source)
        config.apply(.init(hashType: .consistent, hashFunction: .wt6, avalanche: true))
        XCTAssertEqual(config.hashType, .consistent)
        XCTAssertEqual(config.hashFunction, .wt6)
        XCTAssertTrue(config.avalanche)
    }
}
