import HAProxyObservability
import HAProxyRules
import XCTest

/// `%[...]` in a log-format: the fetches the record itself holds compile
/// to `.fetch`; the others are compiled sample expressions evaluated on
/// the stream context the record carries, written as 2.6 writes them.
final class LogSampleFetchTests: XCTestCase {
    func testKnownFetchesCompileAndOthersAreSampleExpressions() throws {
        let f = try LogFormat(compiling: "%[src] %{+Q}[srv_name] %[capture.req.hdr(2)] %[capture.res.hdr(0)] %[src,lower] %[req.hdr(host)] %[nope]")
        let kinds: [String] = f.items.compactMap {
            switch $0 {
            case .fetch(let fetch, _): return "\(fetch)"
            case .sample(let expr, _): return "sample:\(expr.source)"
            default: return nil
            }
        }
        XCTAssertEqual(kinds, ["src", "serverName", "capturedRequestHeader(2)", "capturedResponseHeader(0)",
                               "sample:src,lower", "sample:req.hdr(host)", "sample:nope"])
        XCTAssertEqual(f.unsupportedSamples, ["nope"])
        XCTAssertTrue(f.usesSampleContext)
        XCTAssertFalse(try LogFormat(compiling: "%[src] %ci").usesSampleContext)
        XCTAssertNil(LogSampleFetch("capture.req.hdr(x)"))
        XCTAssertNil(LogSampleFetch("capture.req.hdr(-1)"))
    }

    /// Values recorded from 2.6: a missing or empty value is `-` (`""`
    /// quoted), an integer is its decimal text (quoted too with `+Q`, no
    /// hex with `+X`), `+E` escapes `"`, `\` and `]`, control bytes and
    /// binary samples are written as they are.
    func testSamplesRenderAsTheReferenceWritesThem() throws {
        let context = VariablesOnly()
        context.values["txn.s"] = .string(Array("hello".utf8))
        context.values["txn.e"] = .string([])
        context.values["txn.i"] = .int(42)
        context.values["txn.q"] = .string(Array(#"a"b\c]d"#.utf8))
        context.values["txn.c"] = .string([0x61, 0x09, 0x62, 0x01])
        let format = try LogFormat(compiling:
            #"%[var(txn.s)] %{+Q}[var(txn.s)] %[var(txn.e)] %{+Q}[var(txn.e)] %[var(txn.none)] %{+Q}[var(txn.none)] %[var(txn.i)] %{+Q}[var(txn.i)] %{+X}[var(txn.i)] %[var(txn.q)] %{+E}[var(txn.q)] %{+Q,+E}[var(txn.q)] %[var(txn.c)] %[bin(41420a)] %[str(A B),lower]"#)
        var record = LogRecord()
        record.sampleContext = context
        var renderer = LogFormatRenderer(pid: 1, hostname: "h")
        var out: [UInt8] = []
        renderer.render(format, record, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self),
                       "hello \"hello\" - \"\" - \"\" 42 \"42\" 42 a\"b\\c]d a\\\"b\\\\c\\]d \"a\\\"b\\\\c\\]d\" a\tb\u{01} AB\n a b")
        // Without a context (a TCP stream whose format needs none, a
        // connection error), every sample is missing.
        out.removeAll()
        renderer.render(format, LogRecord(), into: &out)
        XCTAssertTrue(String(decoding: out, as: UTF8.self).hasPrefix("- \"\" - \"\" - \"\" - \"\""))
    }

    /// What `option log-separate-errors` and `dontlog-normal` count as an
    /// error: a deny (`PR`) is one, a `return` or `redirect` (`LR`) is not.
    func testLocalAnswersAreNotErrors() throws {
        var record = LogRecord()
        record.status = 503
        XCTAssertTrue(ProxyLog.isError(record))
        record.termination = TerminationState(cause: .local, state: .request)
        record.status = 200
        XCTAssertFalse(ProxyLog.isError(record), "a response the proxy built is not an error")
        record.termination = TerminationState(cause: .proxy, state: .request)
        XCTAssertTrue(ProxyLog.isError(record))
    }
}

/// A context with variables only.
private final class VariablesOnly: SampleContext {
    var values: [String: Sample] = [:]
    var source: SocketEndpoint? { nil }
    var destination: SocketEndpoint? { nil }
    var bindName: String? { nil }
    var frontendName: String { "fe" }
    var backendName: String? { nil }
    var serverName: String? { nil }
    var frontendConnections: Int { 0 }
    var request: (any HTTPMessageReader)? { nil }
    var response: (any HTTPMessageReader)? { nil }
    func withRequestPayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? { nil }
    func backendState(named name: String?) -> BackendState? { nil }
    func serverIsUp(backend: String, server: String) -> Bool? { nil }
    func variable(_ name: VariableName) -> Sample? { values["\(name.scope).\(name.name)"] }
    var uniqueID: [UInt8]? { nil }
    func capturedRequestHeader(_ index: Int) -> [UInt8]? { nil }
    func capturedResponseHeader(_ index: Int) -> [UInt8]? { nil }
}
