import NIOCore
import NIOEmbedded
import XCTest

@testable import HAProxyCore

/// The runtime API's input framing: lines, and payloads (a line ending
/// with `<<`, then lines up to an empty one) handed over with their
/// command, byte by byte as a slow client sends them.
final class CLILineDecoderTests: XCTestCase {
    private func inputs(_ text: String, dripFeed: Bool, close: Bool = true) throws -> [String] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(CLILineDecoder()))
        let bytes = Array(text.utf8)
        let chunks = dripFeed ? bytes.map { [$0] } : [bytes]
        for chunk in chunks { try channel.writeInbound(channel.allocator.buffer(bytes: chunk)) }
        if close { _ = try channel.finish() }
        var out: [String] = []
        while let line = try channel.readInbound(as: String.self) { out.append(line) }
        return out
    }

    func testLinesAndPayloads() throws {
        let text = "show info\r\nset ssl cert /a.pem <<\n-----BEGIN CERTIFICATE-----\nAAAA\n\nshow stat\n"
        for drip in [false, true] {
            XCTAssertEqual(try inputs(text, dripFeed: drip), [
                "show info", "set ssl cert /a.pem <<\n-----BEGIN CERTIFICATE-----\nAAAA\n", "show stat",
            ], "drip-fed: \(drip)")
        }
    }

    func testPayloadCutShortNeverRuns() throws {
        XCTAssertEqual(try inputs("set ssl cert /a.pem <<\nAAAA\n", dripFeed: false), [])
        XCTAssertEqual(try inputs("show info", dripFeed: false), ["show info"], "a last line without its newline runs")
    }

    /// The processor gives the payload to the line's last command.
    func testProcessorHandsThePayloadToTheLastCommand() {
        XCTAssertEqual(CLICommandProcessor.commands(in: "show info; show stat"), [["show", "info"], ["show", "stat"]])
        XCTAssertTrue(CLICommandProcessor.startsPayload("set ssl cert /a.pem <<"))
        XCTAssertFalse(CLICommandProcessor.startsPayload("set ssl cert /a.pem <"))
    }
}
