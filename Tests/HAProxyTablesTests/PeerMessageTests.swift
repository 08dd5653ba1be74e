import XCTest

@testable import HAProxyTables

/// The peers protocol's wire format, checked against bytes Debian's
/// haproxy 2.6.12 sent to a test listener (a resync of three tables).
final class PeerMessageTests: XCTestCase {
    func testVarintBoundaries() {
        for value: UInt64 in [0, 1, 239, 240, 2287, 2288, 264_431, 264_432, 33_818_863, 33_818_864, 4_328_786_159, 30_000, .max >> 1] {
            var bytes: [UInt8] = []
            PeerVarint.encode(value, into: &bytes)
            var i = 0
            XCTAssertEqual(PeerVarint.decode(bytes[...], at: &i), value)
            XCTAssertEqual(i, bytes.count)
        }
        var bytes: [UInt8] = []
        PeerVarint.encode(30_000, into: &bytes)
        XCTAssertEqual(bytes, [0xf0, 0xc4, 0x0d])
        var i = 0
        XCTAssertNil(PeerVarint.decode([0xf0, 0xc4][...], at: &i))
    }

    static func hex(_ text: String) -> [UInt8] {
        text.split(separator: " ").map { UInt8($0, radix: 16)! }
    }

    /// Recorded from 2.6: the resync it sent for `stick-table type ip
    /// size 1k expire 30s store conn_cnt,conn_cur,http_req_rate(10s),gpc0,server_id,bytes_in_cnt`.
    func testDecodesWhat26Sends() throws {
        let bytes = Self.hex(
            "00 00 0a 82 10 01 02 66 65 04 04 f5 b6 03 f0 c4 0d 0a f0 e2 03 0a 85 15 00 00 00 04 00 00 72 9c 7f 00 00 01 00 00 01 00 f4 1a 01 00 52 00 02")
        var i = 0
        var messages: [PeerMessage] = []
        while let m = try PeerMessage.decode(bytes[...], at: &i) { messages.append(m) }
        XCTAssertEqual(i, bytes.count)
        XCTAssertEqual(messages.count, 4)
        XCTAssertEqual(messages[0], .resyncRequest)
        XCTAssertEqual(messages[3], .resyncPartial)
        guard case .tableDefinition(let d) = messages[1], case .update(let kind, let body) = messages[2] else {
            return XCTFail("\(messages)")
        }
        XCTAssertEqual(d.senderID, 1)
        XCTAssertEqual(d.name, Array("fe".utf8))
        XCTAssertEqual(d.keyType, PeerKeyType.ipv4)
        XCTAssertEqual(d.keyLength, 4)
        XCTAssertEqual(d.types, [0, 2, 4, 6, 10, 13])
        XCTAssertEqual(d.expire, 30_000)
        XCTAssertEqual(d.periods.map(\.type), [10])
        XCTAssertEqual(d.periods.map(\.period), [10_000])
        XCTAssertEqual(kind, .timed)
        let update = try XCTUnwrap(PeerUpdate.decode(body, kind: kind, definition: d))
        XCTAssertEqual(update.id, 4)
        XCTAssertEqual(update.expire, 29_340)
        XCTAssertEqual(update.key, .ipv4(0x7f00_0001))
        XCTAssertEqual(update.values, [.integer(0), .integer(0), .integer(1), .integer(0), .rate(age: 660, current: 1, previous: 0), .integer(82)])
        // Encoding it again gives the same bytes.
        var out: [UInt8] = []
        PeerMessage.tableDefinition(d).encode(into: &out)
        var updateBody: [UInt8] = []
        update.encode(keyType: d.keyType, keyLength: d.keyLength, into: &updateBody)
        PeerMessage.frame(kind.rawValue, updateBody, into: &out)
        XCTAssertEqual(out, Array(bytes[2..<(bytes.count - 2)]))
    }

    /// Recorded from 2.6: the resync it sent for `stick-table type ip size
    /// 1k expire 1m store gpc(3),gpt(2),gpc_rate(2,10s),conn_cnt` after one
    /// connection that did `sc-inc-gpc(1,0)` twice and `sc-set-gpt(1,0) 7`.
    /// The definition ends with each array's type and length (and period,
    /// for `gpc_rate`); an update carries the elements one after the other.
    func testArraysAs26SendsThem() throws {
        let bytes = Self.hex(
            "0a 82 16 01 02 66 65 04 04 f0 f2 fe 6e f0 97 1c 16 02 17 03 18 02 f0 e2 03 0a 85 1e 00 00 00 04 00 00 d2 b3 7f 00 00 01 01 00 07 00 02 00 f2 df c1 e7 25 00 00 fe eb 01 02 00")
        var i = 0
        guard case .tableDefinition(let d)? = try PeerMessage.decode(bytes[...], at: &i),
              case .update(let kind, let body)? = try PeerMessage.decode(bytes[...], at: &i)
        else { return XCTFail() }
        XCTAssertEqual(i, bytes.count)
        XCTAssertEqual(d.types, [4, 22, 23, 24])
        XCTAssertEqual(d.expire, 60_000)
        XCTAssertEqual(d.lengths.map(\.type), [22, 23, 24])
        XCTAssertEqual(d.lengths.map(\.count), [2, 3, 2])
        XCTAssertEqual(d.periods.map(\.type), [24])
        XCTAssertEqual(d.periods.map(\.period), [10_000])
        let update = try XCTUnwrap(PeerUpdate.decode(body, kind: kind, definition: d))
        XCTAssertEqual(update.values, [
            .integer(1), .array([.integer(0), .integer(7)]), .array([.integer(0), .integer(2), .integer(0)]),
            .array([.rate(age: 1_302_468_322, current: 0, previous: 0), .rate(age: 6062, current: 2, previous: 0)]),
        ])
        var out: [UInt8] = []
        PeerMessage.tableDefinition(d).encode(into: &out)
        var updateBody: [UInt8] = []
        update.encode(keyType: d.keyType, keyLength: d.keyLength, into: &updateBody)
        PeerMessage.frame(kind.rawValue, updateBody, into: &out)
        XCTAssertEqual(out, bytes)

        // A table of this build with the same `store` announces the same
        // definition, and takes the update.
        let table = StickTable(StickTableDefinition(
            name: "fe", keyType: .ip, size: 1024, expire: 60_000, noPurge: false,
            stored: [(.gpc, 0), (.gpt, 0), (.gpcRate, 10_000), (.connCount, 0)],
            arrayLengths: [.gpc: 3, .gpt: 2, .gpcRate: 2]))
        XCTAssertEqual(table.peerDefinition(id: 1, wireName: Array("fe".utf8)), d)
        XCTAssertTrue(table.accepts(d))
        table.applyPeerUpdate(update, definition: d, now: 2_000_000_000)
        let entry = try XCTUnwrap(table.entriesForPeers(now: 2_000_000_000).first)
        let back = try XCTUnwrap(table.peerUpdate(for: entry, id: nil, timed: false, now: 2_000_000_000))
        XCTAssertEqual(back.values, [
            .integer(1), .array([.integer(0), .integer(7)]), .array([.integer(0), .integer(2), .integer(0)]),
            .array([.rate(age: 1_302_468_322, current: 0, previous: 0), .rate(age: 6062, current: 2, previous: 0)]),
        ])
        // An array announced without its length is not taken.
        var short = d
        short.lengths.removeFirst()
        XCTAssertFalse(table.accepts(short))
        XCTAssertNil(PeerUpdate.decode(body, kind: kind, definition: short))
    }

    /// Recorded from 2.6 (`stick on src`, servers `alpha` and `beta`): the
    /// `server_key` of two entries, each the first time its name went,
    /// as an id then the name. Ours reads them, and writes them the same
    /// way, then as the id alone.
    func testServerKeyDictionary() throws {
        var received = PeerDictionary()
        XCTAssertEqual(received.decode(Self.hex("01 05 61 6c 70 68 61")), Array("alpha".utf8))
        XCTAssertEqual(received.decode(Self.hex("02 04 62 65 74 61")), Array("beta".utf8))
        XCTAssertEqual(received.decode(Self.hex("01")), Array("alpha".utf8))
        XCTAssertEqual(received.decode(Self.hex("09")), [])
        XCTAssertEqual(received.decode([]), [])
        var sent = PeerDictionary()
        XCTAssertEqual(sent.encode(Array("alpha".utf8)), Self.hex("01 05 61 6c 70 68 61"))
        XCTAssertEqual(sent.encode(Array("beta".utf8)), Self.hex("02 04 62 65 74 61"))
        XCTAssertEqual(sent.encode(Array("alpha".utf8)), Self.hex("01"))
        XCTAssertEqual(sent.encode([]), [])
        // Past the cache's size, the ids are given again, with their names.
        for n in 3...PeerDictionary.capacity { _ = sent.encode(Array("s\(n)".utf8)) }
        XCTAssertEqual(sent.encode(Array("gamma".utf8)), [0x01, 0x05] + Array("gamma".utf8))
        XCTAssertEqual(sent.encode(Array("alpha".utf8)), [0x02, 0x05] + Array("alpha".utf8))
    }

    func testStringIntegerAndAckMessages() throws {
        // `table t type string len 16 ... store gpt0` and an ack, from 2.6.
        let bytes = Self.hex("0a 82 08 02 02 62 73 06 11 02 00 0a 85 0f 00 00 00 01 00 00 00 00 05 68 65 6c 6c 6f 07 0a 84 05 09 00 00 00 06")
        var i = 0
        guard case .tableDefinition(let d)? = try PeerMessage.decode(bytes[...], at: &i),
              case .update(let kind, let body)? = try PeerMessage.decode(bytes[...], at: &i)
        else { return XCTFail() }
        XCTAssertEqual(d.keyType, PeerKeyType.string)
        XCTAssertEqual(d.keyLength, 17)
        XCTAssertEqual(PeerKeyType.of(.string(length: 16)).length, 17)
        let update = try XCTUnwrap(PeerUpdate.decode(body, kind: kind, definition: d))
        XCTAssertEqual(update.key, StickKey(bytes: Array("hello".utf8)))
        XCTAssertEqual(update.values, [.integer(7)])
        XCTAssertEqual(try PeerMessage.decode(bytes[...], at: &i), .ack(tableID: 9, update: 6))
        XCTAssertEqual(i, bytes.count)
    }

    func testPartialInputWaitsForMore() throws {
        let bytes = Self.hex("0a 82 08 02 02 62 73 06 11 02 00")
        for cut in 0..<bytes.count {
            var i = 0
            XCTAssertNil(try PeerMessage.decode(bytes[..<cut], at: &i), "cut at \(cut)")
            XCTAssertEqual(i, 0)
        }
    }

    /// An entry of one table, sent and applied to another with the same
    /// definition, reads the same (counters, rate, remaining lifetime).
    func testTableRoundTrip() throws {
        let def = StickTableDefinition(
            name: "fe", keyType: .ip, size: 100, expire: 30_000,
            stored: [(.gpc0, 0), (.connCount, 0), (.httpRequestRate, 10_000)])
        let a = StickTable(def), b = StickTable(def)
        var changed = 0
        a.onChange = { _ in changed += 1 }
        let now: UInt64 = 1_000_000
        a.withEntry(.ipv4(0x0a00_0001), create: true, now: now) { access in
            access.set(.gpc0, 5)
            access.add(.httpRequestCount, 3)
            access.add(.connCount)
        }
        XCTAssertGreaterThan(changed, 0)
        let entry = try XCTUnwrap(a.entriesForPeers(now: now).first)
        let update = try XCTUnwrap(a.peerUpdate(for: entry, id: 1, timed: true, now: now + 500))
        let definition = a.peerDefinition(id: 1, wireName: Array("fe".utf8))
        XCTAssertTrue(b.accepts(definition))
        var bChanged = 0
        b.onChange = { _ in bChanged += 1 }
        b.applyPeerUpdate(update, definition: definition, now: now + 1000)
        XCTAssertEqual(bChanged, 0, "a peer's update is not pushed on")
        let values = b.withEntry(.ipv4(0x0a00_0001), create: false, now: now + 1000) { access in
            [access.value(.gpc0), access.value(.connCount), access.value(.httpRequestRate), access.expiresIn]
        }
        XCTAssertEqual(values, [5, 1, 3, 29_500])
    }
}

/// The hello and status lines, as 2.6 sends and answers them.
final class PeerHandshakeTests: XCTestCase {
    func testHelloAsHAProxy26SendsIt() {
        // Recorded from 2.6 calling peer `b` as `a` (pid 21566).
        XCTAssertEqual(PeerHandshake.hello(to: "b", from: "a", pid: 21566), Array("HAProxyS 2.1\nb\na 21566 1\n".utf8))
    }

    func testHelloAnswers() {
        func read(_ text: String) -> PeerHandshake.Hello {
            PeerHandshake.readHello(Array(text.utf8)[...], localName: "b") { $0 == "a" }
        }
        XCTAssertEqual(read("HAProxyS 2.1\nb\na 21566 1\n"), .accepted(peer: "a", length: 25))
        XCTAssertEqual(read("HAProxyS 2.1\nb\na 21566 1\n\u{0}\u{0}"), .accepted(peer: "a", length: 25))
        XCTAssertEqual(read("HAProxyS 2.0\nb\na 1 0\n"), .accepted(peer: "a", length: 21))
        XCTAssertEqual(read("HAProxyS 2.1\nb\n"), .incomplete)
        XCTAssertEqual(read("HTTP/1.1 200\nb\na 1 1\n"), .refused(status: 501))
        XCTAssertEqual(read("HAProxyS 3.0\nb\na 1 1\n"), .refused(status: 502))
        XCTAssertEqual(read("HAProxyS 2.1\nc\na 1 1\n"), .refused(status: 503))
        XCTAssertEqual(read("HAProxyS 2.1\nb\nz 1 1\n"), .refused(status: 504))
        XCTAssertEqual(read(String(repeating: "x", count: 2000)), .refused(status: 501))
    }

    func testStatusLine() {
        XCTAssertNil(PeerHandshake.readStatus(Array("20".utf8)[...]))
        XCTAssertEqual(PeerHandshake.readStatus(Array("200\n\u{0}\u{0}".utf8)[...])?.status, 200)
        XCTAssertEqual(PeerHandshake.readStatus(Array("200\n\u{0}\u{0}".utf8)[...])?.length, 4)
        XCTAssertEqual(PeerHandshake.readStatus(Array("503\n".utf8)[...])?.status, 503)
    }
}
