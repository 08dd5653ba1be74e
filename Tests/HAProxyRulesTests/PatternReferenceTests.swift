import Foundation
import XCTest

@testable import HAProxyRules

/// The run-time side of ACLs and maps: versions, edits, what `show map`
/// and `get map` print of them (answers recorded from haproxy 2.6.12).
final class PatternReferenceTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("patref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        PatternReferences.reset()
    }

    override func tearDown() {
        PatternReferences.reset()
        try? FileManager.default.removeItem(at: directory)
    }

    private func file(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testListingNamesEveryUseAndCountsEntriesPerExpression() throws {
        let hosts = try file("hosts.map", "www.example.com be_a\napi.example.com be_b\n  static.example.com be_a\n")
        PatternReferences.location = .init(file: "h.cfg", line: 13)
        _ = try SampleExpression.parse("str(x),map(\(hosts))")
        PatternReferences.location = .init(file: "h.cfg", line: 14)
        _ = try SampleExpression.parse("str(x),map_beg(\(hosts))")
        PatternReferences.location = .init(file: "h.cfg", line: 19)
        _ = try SampleExpression.parse("str(x),map_str(\(hosts))")
        let reference = try XCTUnwrap(PatternReferences.find(hosts, kind: .map))
        XCTAssertEqual(reference.listingLine,
                       "0 (\(hosts)) pattern loaded from file '\(hosts)' used by map at file 'h.cfg' line 13, "
                       + "by map at file 'h.cfg' line 14, by map at file 'h.cfg' line 19. curr_ver=0 next_ver=0 entry_cnt=6\n")
        XCTAssertEqual(reference.inspect("www.example.com"), """
            type=str, case=sensitive, found=yes, idx=tree, key="www.example.com", value="be_a", type="str"
            type=beg, case=sensitive, found=yes, idx=tree, key="www.example.com", value="be_a", type="str"

            """)
        XCTAssertEqual(reference.inspect("WWW.example.com"), "type=str, case=sensitive, found=no\ntype=beg, case=sensitive, found=no\n")
        XCTAssertNil(PatternReferences.find(hosts, kind: .acl))
        XCTAssertNil(PatternReferences.find("#1", kind: .map))
        XCTAssertTrue(PatternReferences.find("#00", kind: .map) === reference)
        XCTAssertNil(PatternReferences.find("#0x", kind: .map))
    }

    /// The rules' `set-map(FILE)`... as 2.6 performs them (recorded with
    /// `show map` and `show acl` after each): `set-map` updates or adds,
    /// `add-acl` adds once, the deletes remove the key; either kind of
    /// file can be edited; a file nothing loaded is left alone.
    func testRuleEditsOfMapsAndACLs() throws {
        let map = try PatternReferences.reference(path: try file("r.map", "/a 1\n"), kind: .map)
        let acl = try PatternReferences.reference(path: try file("b.acl", "x\n"), kind: .acl)
        func edit(_ word: String, _ key: String, _ value: String? = nil) throws {
            let (kind, path) = try XCTUnwrap(PatternEdit.parseName(word))
            PatternEdit(kind: kind, file: path, key: try SampleFormat.parse(""), value: nil)
                .perform(key: Array(key.utf8), value: value.map { Array($0.utf8) })
        }
        try edit("set-map(\(map.path))", "/b", "2")
        try edit("set-map(\(map.path))", "/b", "3")
        try edit("set-map(\(map.path))", "/a", "")
        try edit("del-map(\(map.path))", "/zz")
        XCTAssertEqual(map.entries().map { "\($0.key) \($0.value ?? "-")" }, ["/a ", "/b 3"])
        try edit("add-acl(\(acl.path))", "/z")
        try edit("add-acl(\(acl.path))", "/z")
        try edit("del-acl(\(acl.path))", "x")
        try edit("set-map(\(acl.path)", "q", "zz")
        try edit("set-map(\(directory.path)/none.map)", "n", "1")
        XCTAssertEqual(acl.entries().map { "\($0.key) \($0.value ?? "-")" }, ["/z -", "q zz"])
        XCTAssertNil(PatternEdit.parseName("set-header"))
        XCTAssertEqual(PatternEdit.parseName("del-acl")?.1, "")
    }

    func testAFileIsEitherAMapOrAnACL() throws {
        let hosts = try file("hosts.map", "a b\n")
        _ = try PatternReferences.reference(path: hosts, kind: .acl)
        XCTAssertThrowsError(try PatternReferences.reference(path: hosts, kind: .map)) { error in
            XCTAssertEqual((error as? PatternSet.PatternError)?.message,
                           "The file \"\(hosts)\" is already used as one column file and cannot be used by as two column file.")
        }
    }

    func testMapValuesAreCheckedForTheOutputType() throws {
        let numbers = try file("num.map", "1 one\n")
        XCTAssertThrowsError(try SampleExpression.parse("str(x),map_str_int(\(numbers),0)")) { error in
            XCTAssertEqual((error as? SampleParseError)?.message,
                           "invalid args in converter 'map_str_int' : unable to parse 'one' at line 1 of file '\(numbers)'")
        }
        let ints = try file("ints.map", "www 7\n")
        let expression = try SampleExpression.parse("str(k),map_str_int(\(ints),0)")
        let reference = try XCTUnwrap(PatternReferences.find(ints, kind: .map))
        XCTAssertThrowsError(try reference.add(key: "k", value: "x")) { error in
            XCTAssertEqual(error as? PatternReference.EditError, .init(message: "unable to parse 'x'"))
        }
        try reference.add(key: "k", value: "12")
        XCTAssertEqual(try expression.evaluate(TestSampleContext()), .int(12))
        // A value the map cannot hold changes nothing.
        XCTAssertEqual(reference.set(key: "k", value: "zz"), 1)
        XCTAssertEqual(reference.currentEntries.last?.value, "12")
        XCTAssertEqual(reference.inspect("k"), "type=str, case=sensitive, found=yes, idx=tree, key=\"k\", value=\"12\", type=\"sint\"\n")
    }

    func testVersionsArePreparedFilledAndCommitted() throws {
        let hosts = try file("hosts.map", "www be_a\n")
        let expression = try SampleExpression.parse("str(www),map(\(hosts),none)")
        let reference = try XCTUnwrap(PatternReferences.find(hosts, kind: .map))
        XCTAssertTrue(reference.isFuture(1))
        XCTAssertEqual(reference.prepare(), 1)
        XCTAssertFalse(reference.isFuture(1))
        try reference.add(key: "www", value: "be_b", version: 1)
        XCTAssertEqual(try expression.evaluate(TestSampleContext()), .string(Array("be_a".utf8)))
        XCTAssertEqual(reference.entries(version: 1).map(\.value), ["be_b"])
        XCTAssertTrue(reference.listingLine.hasSuffix(". curr_ver=0 next_ver=1 entry_cnt=2\n"), reference.listingLine)
        XCTAssertFalse(reference.commit(0))
        XCTAssertFalse(reference.commit(2))
        XCTAssertTrue(reference.commit(1))
        XCTAssertEqual(try expression.evaluate(TestSampleContext()), .string(Array("be_b".utf8)))
        XCTAssertEqual(reference.allEntries.count, 1)
        XCTAssertFalse(reference.commit(1))

        // Keys are deleted and set in every version; clear takes one.
        _ = reference.prepare()
        try reference.add(key: "www", value: "next", version: 2)
        XCTAssertEqual(reference.set(key: "www", value: "both"), 2)
        XCTAssertEqual(reference.allEntries.map(\.value), ["both", "both"])
        reference.clear(version: 2)
        XCTAssertEqual(reference.allEntries.count, 1)
        XCTAssertEqual(reference.remove(key: "www"), 1)
        XCTAssertEqual(try expression.evaluate(TestSampleContext()), .string(Array("none".utf8)))
    }

    func testEntriesAreFoundByTheirHandle() throws {
        let hosts = try file("hosts.map", "a 1\nb 2\n")
        _ = try SampleExpression.parse("str(a),map(\(hosts))")
        let reference = try XCTUnwrap(PatternReferences.find(hosts, kind: .map))
        let second = reference.currentEntries[1]
        XCTAssertTrue(second.pointer.hasPrefix("0x"))
        XCTAssertEqual(reference.dump(), reference.currentEntries.map { "\($0.pointer) \($0.key) \($0.value!)\n" }.joined())
        XCTAssertEqual(reference.set(handle: second.handle, value: "3"), 1)
        XCTAssertEqual(reference.remove(handle: second.handle + 1), 0)
        XCTAssertEqual(reference.remove(handle: second.handle), 1)
        XCTAssertEqual(reference.currentEntries.map(\.key), ["a"])
    }

    func testInlineACLPatternsAreAReferenceWithOperatorsAsRanges() throws {
        PatternReferences.location = .init(file: "h.cfg", line: 10)
        var table = ACLTable()
        try table.add(["a1", "req.hdr_cnt(x)", "gt", "3", "5", "lt", "2", "8"])
        try table.add(["a2", "path", "-i", "/Foo"])
        let acls = PatternReferences.all(.acl)
        XCTAssertEqual(acls.map(\.listingLine), [
            "0 () acl 'req.hdr_cnt' file 'h.cfg' line 10. curr_ver=0 next_ver=0 entry_cnt=4\n",
            "1 () acl 'path' file 'h.cfg' line 10. curr_ver=0 next_ver=0 entry_cnt=1\n",
        ])
        XCTAssertEqual(acls[0].currentEntries.map(\.key), ["4:", "6:", ":1", ":7"])
        XCTAssertEqual(acls[0].inspect("5"), "type=int, case=sensitive, match=yes, idx=list, pattern=\"4:\"\n")
        XCTAssertEqual(acls[1].inspect("/FOO"), "type=str, case=insensitive, match=yes, idx=list, pattern=\"/Foo\"\n")
        XCTAssertThrowsError(try acls[0].add(key: "zz", value: nil)) { error in
            XCTAssertEqual(error as? PatternReference.EditError, .init(message: "'zz' is not a number"))
        }
    }

    func testFinishingNumbersLateReferencesAfterTheHTTPClientACLs() throws {
        let hosts = try file("hosts.map", "a 1\n")
        try PatternReferences.during(.postParsing) { _ = try SampleExpression.parse("str(a),map(\(hosts))") }
        var table = ACLTable()
        try table.add(["x", "path", "/a"])
        PatternReferences.finishLoading()
        XCTAssertEqual(PatternReferences.all.map(\.number), [0, 1, 2, 3])
        XCTAssertEqual(PatternReferences.all(.acl).map(\.summary), [
            "acl 'path' file '' line 0", "acl 'var' file 'httpclient' line 0", "acl 'var' file 'httpclient' line 0",
        ])
        XCTAssertEqual(PatternReferences.all(.map).first?.number, 3)
    }
}
