import HAProxyObservability
import XCTest

/// `%[...]` in a log-format: the fetches known at log time compile to
/// `.fetch`; converters and other fetches stay `.sample` (written `-`).
final class LogSampleFetchTests: XCTestCase {
    func testKnownFetchesCompileAndOthersStaySamples() throws {
        let f = try LogFormat(compiling: "%[src] %{+Q}[srv_name] %[capture.req.hdr(2)] %[capture.res.hdr(0)] %[src,lower] %[req.hdr(host)]")
        let kinds: [String] = f.items.compactMap {
            switch $0 {
            case .fetch(let fetch, _): return "\(fetch)"
            case .sample(let expr, _): return "sample:\(expr)"
            default: return nil
            }
        }
        XCTAssertEqual(kinds, ["src", "serverName", "capturedRequestHeader(2)", "capturedResponseHeader(0)",
                               "sample:src,lower", "sample:req.hdr(host)"])
        XCTAssertEqual(f.unsupportedSamples, ["src,lower", "req.hdr(host)"])
        XCTAssertNil(LogSampleFetch("capture.req.hdr(x)"))
        XCTAssertNil(LogSampleFetch("capture.req.hdr(-1)"))
    }
}
