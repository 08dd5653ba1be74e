import NIOCore

/// `monitor-uri`: which requests are monitor probes, and the proxy's own
/// answer to them (manual 4.2, "monitor-uri").
///
/// A probe is answered right after its head is parsed, before any rule,
/// and is not logged. The answer is byte-exact with HAProxy 2.6: `HTTP/1.1
/// 200 OK`, lowercase `content-length`, `cache-control: no-cache` and
/// `content-type: text/html`, the connection header HTTP/1 needs, then the
/// "Service ready." page (no body for HEAD).
public struct MonitorResponse: Sendable {
    /// The page HAProxy 2.6 sends.
    public static let page: StaticString = "<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n"

    /// The configured URI.
    public let uri: [UInt8]
    /// Answers for `.none`, `.close`, `.keepAlive`: with the page, then for HEAD.
    private let full: [ByteBuffer]
    private let headOnly: [ByteBuffer]

    public init(uri: String) {
        self.uri = Array(uri.utf8)
        let connections: [HTTPResponseConnection] = [.none, .close, .keepAlive]
        full = connections.map { Self.build($0, body: true) }
        headOnly = connections.map { Self.build($0, body: false) }
    }

    /// Whether the request targets the monitor URI. A URI starting with `/`
    /// is compared with the request's path (the URI from its first `/`,
    /// query included, which also covers absolute-form requests); any other
    /// with the whole request URI.
    ///
    /// - Parameters:
    ///   - head: the parsed request head.
    ///   - bytes: the head's bytes, `head`'s offsets relative to their reader index.
    public func matches(_ head: HTTPHead, in bytes: ByteBuffer) -> Bool {
        bytes.withUnsafeReadableBytes { raw in
            guard head.uriRange.upperBound <= raw.count else { return false }
            var target = raw[head.uriRange]
            if uri.first == UInt8(ascii: "/") {
                target = Self.path(of: target)
            }
            return target.elementsEqual(uri)
        }
    }

    /// The answer for a connection header, without the page for HEAD.
    public func bytes(connection: HTTPResponseConnection, isHEAD: Bool) -> ByteBuffer {
        let index: Int
        switch connection {
        case .none: index = 0
        case .close: index = 1
        case .keepAlive: index = 2
        }
        return isHEAD ? headOnly[index] : full[index]
    }

    /// The path of a request URI: itself in origin form, from the first `/`
    /// after `scheme://authority` in absolute form, empty otherwise (`*`).
    static func path(of target: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        if target.first == UInt8(ascii: "/") { return target }
        var i = target.startIndex
        // `scheme://`: find "://" before any '/'.
        while i + 2 < target.endIndex, target[i] != UInt8(ascii: "/") {
            if target[i] == UInt8(ascii: ":") && target[i + 1] == UInt8(ascii: "/") && target[i + 2] == UInt8(ascii: "/") {
                let authority = i + 3
                let slash = target[authority...].firstIndex(of: UInt8(ascii: "/")) ?? target.endIndex
                return target[slash...]
            }
            i += 1
        }
        return target[target.endIndex...]
    }

    private static func build(_ connection: HTTPResponseConnection, body: Bool) -> ByteBuffer {
        var out = ByteBuffer()
        HTTPResponseBuilder.writeStatusLine(&out, status: 200, reason: "OK")
        out.writeStaticString("content-length: ")
        HTTPResponseBuilder.writeDecimal(&out, page.utf8CodeUnitCount)
        out.writeStaticString("\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n")
        HTTPResponseBuilder.writeConnection(&out, connection)
        out.writeStaticString("\r\n")
        if body { out.writeStaticString(page) }
        return out
    }
}
