import NIOCore
import XCTest

@testable import HAProxyCore

/// The exposition lines: header once before the first sample, none for a
/// metric without samples, numbers and seconds as 2.6 prints them, label
/// values escaped.
final class PrometheusTextWriterTests: XCTestCase {
    static let field = PrometheusField("test_total", .counter, "A test counter")

    func write(_ body: (inout PrometheusTextWriter) -> Void) -> String {
        var writer = PrometheusTextWriter(buffer: ByteBuffer())
        body(&writer)
        return String(buffer: writer.buffer)
    }

    func testHeaderComesWithTheFirstSampleOnly() {
        let text = write { w in
            w.begin(Self.field, section: "backend")
            w.sample(proxy: "a", .int(1))
            w.sample(proxy: "b", .int(2))
            w.begin(PrometheusField("empty", .gauge, "Nothing"), section: "backend")
        }
        XCTAssertEqual(text, """
            # HELP haproxy_backend_test_total A test counter
            # TYPE haproxy_backend_test_total counter
            haproxy_backend_test_total{proxy="a"} 1
            haproxy_backend_test_total{proxy="b"} 2

            """)
    }

    func testValues() {
        let text = write { w in
            w.begin(PrometheusField("v", .gauge, "h"), section: "process")
            for value: PrometheusValue in [
                .int(0), .int(-1), .int(Int.max), .int(Int.min), .uint(UInt64.max), .nan,
                .milliseconds(0), .milliseconds(1), .milliseconds(1250), .milliseconds(86_400_123), .milliseconds(-5),
            ] {
                w.sample(value)
            }
        }
        let values = text.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ")[1] }
        XCTAssertEqual(values, [
            "0", "-1", "9223372036854775807", "-9223372036854775808", "18446744073709551615", "NaN",
            "0.000000", "0.001000", "1.250000", "86400.123000", "-0.005000",
        ])
    }

    func testLabels() {
        let text = write { w in
            w.begin(Self.field, section: "server")
            w.sample(proxy: "be", server: "s1", extra: ("state", "UP"), .int(1))
            w.sample(proxy: #"a"b\c"#, extra: ("version", "x\ny"), .int(1))
        }
        XCTAssert(text.contains(#"haproxy_server_test_total{proxy="be",server="s1",state="UP"} 1"#), text)
        XCTAssert(text.contains(#"haproxy_server_test_total{proxy="a\"b\\c",version="x\ny"} 1"#), text)
    }
}
