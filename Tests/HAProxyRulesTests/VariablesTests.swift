import HAProxyRules
import XCTest

final class VariablesTests: XCTestCase {
    func testNames() throws {
        XCTAssertEqual(VariableName("txn.a.b_1"), VariableName(scope: .txn, name: "a.b_1"))
        XCTAssertNil(VariableName("txn."))
        XCTAssertNil(VariableName("foo.bar"))
        XCTAssertNil(VariableName("txn.a-b"))
        XCTAssertEqual(VariableName("check.x")?.scope, .check)
    }

    func testStore() {
        var store = Variables()
        let a = VariableName(scope: .txn, name: "a")
        let s = VariableName(scope: .sess, name: "s")
        store.set(a, .int(1))
        store.set(s, .text("x"))
        XCTAssertEqual(store.get(a), .int(1))
        store.clear(.txn)
        XCTAssertNil(store.get(a))
        XCTAssertEqual(store.get(s), .text("x"))
        store.unset(s)
        XCTAssertTrue(store.isEmpty)
    }

    func testProcessVariablesAcrossThreads() {
        let store = ProcessVariables()
        let name = VariableName(scope: .proc, name: "n")
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            for k in 0..<1000 { store.set(name, .int(Int64(i * 1000 + k))) }
        }
        XCTAssertNotNil(store.get(name))
        store.removeAll()
        XCTAssertNil(store.get(name))
    }

    func testSetVarConverter() throws {
        let context = TestSampleContext()
        XCTAssertEqual(try evaluate("int(5),set-var(txn.n),add(txn.n)", context), .int(10))
        XCTAssertEqual(context.variables.get(VariableName(scope: .txn, name: "n")), .int(5))
        _ = try evaluate("int(7),set-var(txn.n,ifnotexists)", context)
        XCTAssertEqual(context.variables.get(VariableName(scope: .txn, name: "n")), .int(5))
        _ = try evaluate("int(7),set-var(txn.n,ifgt)", context)
        XCTAssertEqual(context.variables.get(VariableName(scope: .txn, name: "n")), .int(5))
        _ = try evaluate("int(3),set-var(txn.n,ifgt)", context)
        XCTAssertEqual(context.variables.get(VariableName(scope: .txn, name: "n")), .int(3))
        _ = try evaluate("str(x),unset-var(txn.n)", context)
        XCTAssertNil(context.variables.get(VariableName(scope: .txn, name: "n")))
        XCTAssertEqual(try evaluate("var(txn.n,none)", context), .text("none"))
    }
}
