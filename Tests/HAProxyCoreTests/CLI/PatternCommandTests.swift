import Foundation
import HAProxyConfig
import XCTest

@testable import HAProxyCore

/// `show|get|add|del|set|clear|prepare|commit map|acl` on a runtime built
/// from a configuration (never started); answers recorded from haproxy
/// 2.6.12.
final class PatternCommandTests: RuntimeTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "pattern-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "www.example.com be_a\napi.example.com be_b\n".write(
            toFile: "\(directory)/hosts.map", atomically: true, encoding: .utf8)
        try "/admin\n/secret\n".write(toFile: "\(directory)/bad.acl", atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func processor() throws -> CLICommandProcessor {
        try makeRuntime(from: """
            global
                stats socket /tmp/pattern-cli-never-bound.sock level admin
            defaults
                mode http
                timeout connect 5s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:2
                acl inl path /a /b
                acl bad path -f \(directory)/bad.acl
                http-request deny if bad || inl || { path_end .php }
                http-request set-header X %[req.hdr(host),map(\(directory)/hosts.map,be_a)]
                default_backend be_a
            backend be_a
                server s1 127.0.0.1:18081
            """).cli
    }

    func testListsAndDumps() throws {
        let cli = try processor()
        let listing = cli.execute("show acl", level: .user)
        XCTAssertTrue(listing.hasPrefix("# id (file) description\n0 () acl 'path' file '"), listing)
        XCTAssertTrue(listing.contains("1 (\(directory)/bad.acl) pattern loaded from file '\(directory)/bad.acl' used by acl at file '"), listing)
        XCTAssertTrue(listing.contains(" line 11. curr_ver=0 next_ver=0 entry_cnt=2\n2 () acl 'path' file '"), listing)
        XCTAssertTrue(listing.contains("3 () acl 'path_end' file '"), listing)
        XCTAssertTrue(listing.hasSuffix("5 () acl 'var' file 'httpclient' line 0. curr_ver=0 next_ver=0 entry_cnt=1\n6 () acl 'var' file 'httpclient' line 0. curr_ver=0 next_ver=0 entry_cnt=1\n\n"), listing)
        XCTAssertTrue(cli.execute("show map", level: .user).contains("\n4 (\(directory)/hosts.map) "))
        let dump = cli.execute("show acl #0", level: .user).split(separator: "\n")
        XCTAssertEqual(dump.map { $0.split(separator: " ")[1] }, ["/a", "/b"])
        XCTAssertTrue(dump.allSatisfy { $0.hasPrefix("0x") })
        XCTAssertEqual(cli.execute("show map #1", level: .user), "Unknown map identifier. Please use #<id> or <file>.\n\n")
        XCTAssertEqual(cli.execute("show acl #4", level: .user), "Unknown ACL identifier. Please use #<id> or <file>.\n\n")
    }

    func testEditsWithTheReferenceAnswers() throws {
        let cli = try processor()
        func run(_ line: String) -> String { cli.execute(line, level: .user) }
        XCTAssertEqual(run("add map #4 new.example.com be_b"), "\n")
        XCTAssertEqual(run("get map #4 new.example.com"),
                       "type=str, case=sensitive, found=yes, idx=tree, key=\"new.example.com\", value=\"be_b\", type=\"str\"\n\n")
        XCTAssertEqual(run("add map #4 onlykey"),
                       "'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n\n")
        XCTAssertEqual(run("add acl #1"), "'add acl' expects two parameters: ACL identifier and pattern.\n\n")
        XCTAssertEqual(run("del map #4 new.example.com"), "\n")
        XCTAssertEqual(run("del map #4 new.example.com"), "Key not found.\n\n")
        XCTAssertEqual(run("del map #4"), "This command expects two parameters: map identifier and key.\n\n")
        XCTAssertEqual(run("del acl nope x"), "Unknown map identifier. Please use #<id> or <file>.\n\n")
        XCTAssertEqual(run("del map #4 #0x"), "Malformed identifier. Please use #<id> or <file>.\n\n")
        XCTAssertEqual(run("del map #4 #0x1234"), "Key not found.\n\n")
        XCTAssertEqual(run("set map #4 nokey v"), "entry not found.\n\n")
        XCTAssertEqual(run("set map #4 #0x1 v"), "key or pattern not found.\n\n")
        XCTAssertEqual(run("set map #4 #k v"), "entry not found.\n\n")
        XCTAssertEqual(run("set map #4"), "'set map' expects three parameters: map identifier, key and value.\n\n")
        XCTAssertEqual(run("get acl #1 /admin/x"), "type=str, case=sensitive, match=no\n\n")
        XCTAssertEqual(run("get acl #3 /x.php"), "type=end, case=sensitive, match=yes, idx=list, pattern=\".php\"\n\n")
        XCTAssertEqual(run("get acl"), "Missing ACL identifier and/or key.\n\n")
        XCTAssertEqual(run("clear map"), "Missing map identifier.\n\n")
        XCTAssertEqual(run("clear acl #0"), "\n")
        XCTAssertEqual(run("show acl #0"), "\n")
    }

    func testVersions() throws {
        let cli = try processor()
        func run(_ line: String) -> String { cli.execute(line, level: .admin) }
        XCTAssertEqual(run("add map @1 #4 k v"), "Version number in the future, please use 'prepare map' before.\n\n")
        XCTAssertEqual(run("prepare map #4"), "New version created: 1\n\n")
        XCTAssertEqual(run("prepare map"), "Unknown map identifier. Please use #<id> or <file>.\n\n")
        XCTAssertEqual(run("add map @1 #4 k v"), "\n")
        XCTAssertEqual(run("get map #4 k"), "type=str, case=sensitive, found=no\n\n")
        XCTAssertTrue(run("show map @1 #4").hasSuffix(" k v\n\n"))
        XCTAssertEqual(run("commit map #4"), "Missing version number.\n\n")
        XCTAssertEqual(run("commit map @1"), "Missing map identifier.\n\n")
        XCTAssertEqual(run("commit map @2 #4"), "Version number out of range.\n\n")
        XCTAssertEqual(run("commit map @1 #4"), "\n")
        XCTAssertTrue(run("show map").contains(" curr_ver=1 next_ver=1 entry_cnt=1\n"))
        XCTAssertEqual(run("get map #4 www.example.com"), "type=str, case=sensitive, found=no\n\n")
        XCTAssertEqual(run("prepare acl #0"), "New version created: 1\n\n")
        XCTAssertEqual(run("commit acl @1 #0"), "\n")
        XCTAssertEqual(run("show acl #0"), "\n")
    }

    func testHelpListsTheCommands() throws {
        let help = try processor().execute("help", level: .user)
        for line in [
            "  add acl [@<ver>] <acl> <pattern>        : add an acl entry\n",
            "  add map [@<ver>] <map> <key> <val>      : add a map entry (payload supported instead of key/val)\n",
            "  commit map @<ver> <map>                 : commit the map at this version\n",
            "  del map <map> [<key>|#<ref>]            : delete map entries matching <key>\n",
            "  get map <acl> <value>                   : report the keys and values matching a sample for a map\n",
            "  set map <map> [<key>|#<ref>] <value>    : modify a map entry\n",
            "  show acl [@<ver>] <acl>]                : report available acls or dump an acl's contents\n",
            "  show map [@ver] [map]                   : report available maps or dump a map's contents\n",
        ] {
            XCTAssertTrue(help.contains(line), line)
        }
    }
}
