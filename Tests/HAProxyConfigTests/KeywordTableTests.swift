import FoundationEssentials
import HAProxyRules
import XCTest

@testable import HAProxyConfig

/// docs/keywords.md lists every keyword the parser accepts with the tests
/// that show its effect. A keyword added to the registry without a row,
/// a row for a keyword no longer accepted, a row without a test, or a test
/// name that does not exist makes this fail.
final class KeywordTableTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The accepted keywords, by the table's section names.
    static func acceptedKeywords() -> [String: Set<String>] {
        let registry = KeywordRegistry.shared
        let variables: Set<String> = ["set-var", "set-var-fmt", "unset-var"]
        return [
            "global": Set(registry.global.keys),
            "proxy": Set(registry.proxy.keys),
            "option": Set(KeywordRegistry.acceptedOptions),
            "timeout": Set(KeywordRegistry.timeoutNames.map(\.name)),
            "http-request": KeywordRegistry.HTTPRuleSet.request.implementedActions.union(["set-var", "set-var-fmt", "unset-var"])
                .union(PatternEdit.Kind.allCases.map(\.rawValue)),
            "http-response": KeywordRegistry.HTTPRuleSet.response.implementedActions.union(["set-var", "set-var-fmt", "unset-var"])
                .union(PatternEdit.Kind.allCases.map(\.rawValue)),
            "http-after-response": KeywordRegistry.HTTPRuleSet.afterResponse.implementedActions.union(["set-var", "set-var-fmt", "unset-var"]),
            "tcp-request connection": KeywordRegistry.TCPRuleSet.connection.implementedActions.union(variables),
            "tcp-request session": KeywordRegistry.TCPRuleSet.session.implementedActions.union(variables),
            "tcp-request content": KeywordRegistry.TCPRuleSet.content.implementedActions.union(variables),
            "tcp-response content": KeywordRegistry.TCPRuleSet.response.implementedActions.union(variables),
            "bind": Set(registry.bind.keys),
            "server": Set(registry.server.keys),
            "userlist": Set(registry.userlist.keys).union(["userlist"]),
            "resolvers": Set(registry.resolvers.keys).union(["resolvers"]),
            "peers": Set(registry.peers.keys).union(["peers"]),
        ]
    }

    struct Row {
        var section: String
        var keyword: String
        var tests: [String]
        var line: Int
    }

    /// Rows of the table: `## SECTION` headings, then `| `KEYWORD` | ... | TESTS |`.
    static func rows() throws -> [Row] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/keywords.md"), encoding: .utf8)
        var section = ""
        var rows: [Row] = []
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            if line.hasPrefix("## ") {
                section = Self.trimmed(line.dropFirst(3))
                continue
            }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
                .map { Self.trimmed($0) }
            guard cells.count >= 4, cells[1].hasPrefix("`"), cells[1].hasSuffix("`") else { continue }
            let keyword = String(cells[1].dropFirst().dropLast())
            let tests = cells[cells.count - 2].split(separator: ",")
                .map { Self.trimmed($0).filter { $0 != "`" } }
                .filter { !$0.isEmpty }
            rows.append(Row(section: section, keyword: keyword, tests: tests, line: index + 1))
        }
        return rows
    }

    /// `Class.testMethod` for every XCTest method under Tests/ (in the class
    /// or in an extension of it).
    static func existingTests() throws -> Set<String> {
        var names: Set<String> = []
        let tests = root.appendingPathComponent("Tests")
        guard let files = FileManager.default.enumerator(atPath: tests.path) else { return names }
        for case let file as String in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: tests.appendingPathComponent(file), encoding: .utf8)
            var current = ""
            for line in text.split(separator: "\n") {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ":" || $0 == "{" })
                // `class Name(...)` is Python embedded in a string, not a test
                // class; an indented class is a helper nested in a test.
                if !line.hasPrefix(" "), let i = words.firstIndex(of: "class"), i + 1 < words.count,
                    words[..<i].allSatisfy({ $0 == "final" }),
                    !line.contains("class \(words[i + 1])(")
                {
                    current = String(words[i + 1])
                } else if !line.hasPrefix(" "), words.first == "extension", words.count > 1 {
                    // Tests of a class may live in `extension Name` files.
                    current = String(words[1])
                } else if words.first == "func", words.count > 1, words[1].hasPrefix("test") {
                    names.insert("\(current).\(words[1])")
                }
            }
        }
        return names
    }

    static func trimmed(_ text: some StringProtocol) -> String {
        String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    func testEveryAcceptedKeywordIsListedWithATest() throws {
        let rows = try Self.rows()
        let accepted = Self.acceptedKeywords()
        for (section, keywords) in accepted.sorted(by: { $0.key < $1.key }) {
            let listed = Set(rows.filter { $0.section == section }.map(\.keyword))
            let missing = keywords.subtracting(listed).sorted()
            XCTAssertEqual(missing, [], "docs/keywords.md section '\(section)' lacks rows for accepted keywords")
            let stale = listed.subtracting(keywords).sorted()
            XCTAssertEqual(stale, [], "docs/keywords.md section '\(section)' lists keywords the parser refuses")
        }
        let unknownSections = Set(rows.map(\.section)).subtracting(accepted.keys)
        XCTAssertEqual(unknownSections, [], "rows under headings the test does not know")
        for row in rows where row.tests.isEmpty {
            XCTFail("docs/keywords.md:\(row.line): '\(row.keyword)' names no test")
        }
    }

    func testEveryNamedTestExists() throws {
        let existing = try Self.existingTests()
        XCTAssertGreaterThan(existing.count, 100)
        for row in try Self.rows() {
            for test in row.tests where !existing.contains(test) {
                XCTFail("docs/keywords.md:\(row.line): '\(row.keyword)' names '\(test)', which does not exist")
            }
        }
    }
}
