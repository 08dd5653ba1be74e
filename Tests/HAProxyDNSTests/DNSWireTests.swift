import XCTest

@testable import HAProxyDNS

/// Builds answers byte by byte, as a nameserver would send them.
struct AnswerBuilder {
    var bytes: [UInt8] = []

    init(id: UInt16, flags: UInt16 = 0x8180, questions: Int = 1, answers: Int) {
        u16(id)
        u16(flags)
        u16(UInt16(questions))
        u16(UInt16(answers))
        u16(0)
        u16(0)
    }

    mutating func u16(_ v: UInt16) { bytes += [UInt8(v >> 8), UInt8(v & 0xff)] }
    mutating func name(_ n: String) { bytes += DNSName.encode(n)! }
    mutating func pointer(_ offset: Int) { bytes += [0xc0 | UInt8(offset >> 8), UInt8(offset & 0xff)] }
    mutating func question(_ n: String, type: UInt16) {
        name(n)
        u16(type)
        u16(1)
    }
    /// A record whose owner is a pointer to the question's name (offset 12).
    mutating func record(owner: Int = 12, type: UInt16, ttl: UInt32 = 60, data: [UInt8]) {
        pointer(owner)
        u16(type)
        u16(1)
        u16(UInt16(ttl >> 16))
        u16(UInt16(ttl & 0xffff))
        u16(UInt16(data.count))
        bytes += data
    }
}

final class DNSWireTests: XCTestCase {
    func testQueryCarriesOneQuestionAndTheOPTRecord() throws {
        let q = try XCTUnwrap(DNSQuery(id: 0x1234, name: "Web.Example.", type: .aaaa, payloadSize: 8192).encoded())
        XCTAssertEqual(Array(q[0..<12]), [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(Array(q[12..<25]), [3] + Array("Web".utf8) + [7] + Array("Example".utf8) + [0])
        XCTAssertEqual(Array(q[25..<29]), [0, 28, 0, 1])
        XCTAssertEqual(Array(q[29...]), [0, 0, 41, 0x20, 0x00, 0, 0, 0, 0, 0, 0])
    }

    func testNamesThatCannotBeEncoded() {
        XCTAssertNil(DNSName.encode(String(repeating: "a", count: 64) + ".test"))
        XCTAssertNil(DNSName.encode("a..b"))
        XCTAssertNil(DNSName.encode(Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: ".")))
        XCTAssertEqual(DNSName.encode("."), [0])
    }

    func testAnswerWithCompressedNamesAndACNAMEChain() throws {
        var b = AnswerBuilder(id: 7, answers: 3)
        b.question("www.example.test", type: 1)
        // www.example.test CNAME web.example.test (target: "web" + pointer to "example.test")
        let cnameData: [UInt8] = [3] + Array("web".utf8) + [0xc0, 16]
        b.record(type: 5, data: cnameData)
        let webOffset = b.bytes.count - cnameData.count
        b.record(owner: webOffset, type: 1, ttl: 30, data: [10, 0, 0, 1])
        b.record(owner: webOffset, type: 1, ttl: 0x8000_0001, data: [10, 0, 0, 2])
        let r = try DNSResponse(parsing: b.bytes)
        XCTAssertEqual(r.id, 7)
        XCTAssertTrue(r.isResponse)
        XCTAssertEqual(r.responseCode, .noError)
        XCTAssertEqual(r.questionName, "www.example.test")
        XCTAssertEqual(r.answers[0].data, .cname("web.example.test"))
        let found = r.addresses(for: "WWW.example.test.", type: .a)
        XCTAssertEqual(found.map(\.address), [[10, 0, 0, 1], [10, 0, 0, 2]])
        XCTAssertEqual(found.map(\.ttl), [30, 0])
        XCTAssertTrue(r.addresses(for: "www.example.test", type: .aaaa).isEmpty)
    }

    func testAAAAAndSRVData() throws {
        var b = AnswerBuilder(id: 1, answers: 2)
        b.question("_http._tcp.svc.test", type: 33)
        let v6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1]
        b.record(type: 28, data: v6)
        b.record(type: 33, data: [0, 10, 0, 5, 0x1f, 0x90] + DNSName.encode("a.svc.test")!)
        let r = try DNSResponse(parsing: b.bytes)
        XCTAssertEqual(r.answers[0].data, .ipv6(v6))
        XCTAssertEqual(r.answers[1].data, .srv(priority: 10, weight: 5, port: 8080, target: "a.svc.test"))
    }

    func testServicesTakeTheirTargetsAddressesFromTheAdditionalRecords() throws {
        var b = AnswerBuilder(id: 5, answers: 2)
        b.bytes[11] = 3  // three additional records
        b.question("_http._tcp.svc.test", type: 33)
        b.record(type: 33, data: [0, 0, 0, 10, 0x1f, 0x41] + DNSName.encode("a.svc.test")!)
        b.record(type: 33, data: [0, 0, 0x02, 0x58, 0x1f, 0x42] + DNSName.encode("b.svc.test")!)
        b.name("a.svc.test")
        b.u16(1); b.u16(1); b.u16(0); b.u16(60); b.u16(4)
        b.bytes += [127, 0, 0, 2]
        b.name("a.svc.test")
        b.u16(28); b.u16(1); b.u16(0); b.u16(60); b.u16(16)
        b.bytes += Array(repeating: 0, count: 15) + [1]
        b.bytes += [0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0]  // the OPT record
        let r = try DNSResponse(parsing: b.bytes)
        XCTAssertEqual(r.additionals.count, 3)
        XCTAssertEqual(
            r.services(for: "_HTTP._tcp.svc.test", preferIPv6: false),
            [
                ServiceRecord(target: "a.svc.test", port: 8001, weight: 10, priority: 0, address: [127, 0, 0, 2]),
                ServiceRecord(target: "b.svc.test", port: 8002, weight: 600, priority: 0, address: nil),
            ])
        XCTAssertEqual(
            r.services(for: "_http._tcp.svc.test", preferIPv6: true).first?.address,
            Array(repeating: 0, count: 15) + [1])
    }

    func testPointerLoopsAndForwardPointersAreRefused() {
        var b = AnswerBuilder(id: 1, answers: 0)
        b.pointer(12)  // a question name pointing at itself
        b.u16(1)
        b.u16(1)
        XCTAssertThrowsError(try DNSResponse(parsing: b.bytes)) { XCTAssertEqual($0 as? DNSParseError, .badPointer) }
        var f = AnswerBuilder(id: 1, answers: 0)
        f.pointer(40)
        f.u16(1)
        f.u16(1)
        XCTAssertThrowsError(try DNSResponse(parsing: f.bytes)) { XCTAssertEqual($0 as? DNSParseError, .badPointer) }
    }

    func testTruncatedMessagesAreRefusedAtEveryLength() throws {
        var b = AnswerBuilder(id: 9, answers: 1)
        b.question("a.test", type: 1)
        b.record(type: 1, data: [1, 2, 3, 4])
        XCTAssertNoThrow(try DNSResponse(parsing: b.bytes))
        for length in 0..<b.bytes.count {
            XCTAssertThrowsError(try DNSResponse(parsing: Array(b.bytes[0..<length])), "length \(length)")
        }
    }

    func testWrongRecordLengthAndHugeCounts() {
        var b = AnswerBuilder(id: 9, answers: 1)
        b.question("a.test", type: 1)
        b.record(type: 1, data: [1, 2, 3])
        XCTAssertThrowsError(try DNSResponse(parsing: b.bytes)) { XCTAssertEqual($0 as? DNSParseError, .badRecordLength) }
        var h = AnswerBuilder(id: 9, answers: 65535)
        h.question("a.test", type: 1)
        XCTAssertThrowsError(try DNSResponse(parsing: h.bytes)) { XCTAssertEqual($0 as? DNSParseError, .truncated) }
    }

    func testResponseCodesAndFlags() throws {
        var b = AnswerBuilder(id: 3, flags: 0x8383, answers: 0)
        b.question("gone.test", type: 1)
        let r = try DNSResponse(parsing: b.bytes)
        XCTAssertEqual(r.responseCode, .nameError)
        XCTAssertTrue(r.isTruncated)
        var q = AnswerBuilder(id: 3, flags: 0x0100, answers: 0)
        q.question("gone.test", type: 1)
        XCTAssertFalse(try DNSResponse(parsing: q.bytes).isResponse)
    }
}
