import Foundation
import XCTest

/// examples/hello-world.cfg, with its fixed ports 8080/8081 replaced by free ones.
final class HelloWorldTests: IntegrationTestCase {
    func testHelloWorldOverHTTPAndThroughTCPForwarder() throws {
        let example = Paths.packageRoot.appendingPathComponent("examples/hello-world.cfg")
        var text = try String(contentsOf: example, encoding: .utf8)
        XCTAssertTrue(text.contains("127.0.0.1:8080") && text.contains("127.0.0.1:8081"))
        let http = Ports.free(), tcp = Ports.free()
        text = text.replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(http)")
            .replacingOccurrences(of: "127.0.0.1:8081", with: "127.0.0.1:\(tcp)")
        try startProxy(config: text, ports: [http, tcp])

        let direct = try HTTPClient.get(port: http)
        XCTAssertEqual(direct.status, 200)
        XCTAssertEqual(direct.text, "Hello, world!\n")
        XCTAssertEqual(direct.header("content-type"), "text/plain")

        let forwarded = try HTTPClient.get(port: tcp)
        XCTAssertEqual(forwarded.status, 200)
        XCTAssertEqual(forwarded.text, "Hello, world!\n")

        // And with curl, as a person would try it.
        let r = try runTool("/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(tcp)/"], dir: tmp)
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "Hello, world!\n")
    }
}
