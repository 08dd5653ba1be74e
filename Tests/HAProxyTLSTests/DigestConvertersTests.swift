import HAProxyRules
import XCTest

@testable import HAProxyTLS

/// The OpenSSL converters on published test vectors (FIPS 180 "abc",
/// RFC 4231 case 2), and 2.6's refusals of their arguments.
final class DigestConvertersTests: XCTestCase {
    private final class NoStream: SampleContext {
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
        func variable(_ name: VariableName) -> Sample? { nil }
        var uniqueID: [UInt8]? { nil }
        func capturedRequestHeader(_ index: Int) -> [UInt8]? { nil }
        func capturedResponseHeader(_ index: Int) -> [UInt8]? { nil }
    }

    override func setUp() {
        DigestConverters.register()
    }

    private func hex(_ expression: String) throws -> String {
        guard case .string(let bytes)? = try SampleExpression.parse(expression).evaluate(NoStream()) else {
            XCTFail(expression)
            return ""
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func testVectors() throws {
        XCTAssertEqual(try hex("str(abc),sha1,hex"), "A9993E364706816ABA3E25717850C26C9CD0D89D")
        XCTAssertEqual(try hex("str(abc),sha2,hex"), "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")
        XCTAssertEqual(try hex("str(abc),sha2(224),hex"), "23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7")
        XCTAssertEqual(try hex("str(abc),digest(md5),hex"), "900150983CD24FB0D6963F7D28E17F72")
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        XCTAssertEqual(try hex("str(what do ya want for nothing?),hmac(sha256,SmVmZQ==),hex"),
                       "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843")
    }

    func testArgumentsAreCheckedAs26ChecksThem() {
        for (expression, message) in [
            ("str(a),sha2(100)", "invalid args in converter 'sha2' : Unsupported number of bits: '100'"),
            ("str(a),digest(nope)", "invalid args in converter 'digest' : algorithm must be a valid OpenSSL message digest name."),
            ("str(a),hmac(sha256,!!)", "invalid args in converter 'hmac' : failed to parse key : argument needs to be base64 encoded, and can either be a string or a variable"),
        ] {
            XCTAssertThrowsError(try SampleExpression.parse(expression), expression) { error in
                XCTAssertEqual((error as? SampleParseError)?.message, message)
            }
        }
    }
}
