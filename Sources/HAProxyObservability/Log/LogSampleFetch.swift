#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase
import HAProxyRules
import NIOCore

/// The sample fetches a `log-format` can use as `%[name]` (manual 7.3),
/// limited to those whose value is known when the log line is written:
/// the addresses, the proxy and server names, the status and the captured
/// headers. An expression with converters or another fetch stays a
/// `LogFormat.Item.sample` and renders `-`.
public enum LogSampleFetch: Sendable, Equatable {
    case src, srcPort, dst, dstPort
    case frontendName, backendName, serverName
    case status
    /// `capture.req.hdr(N)` / `capture.res.hdr(N)`: the N-th `capture
    /// request|response header` of the frontend.
    case capturedRequestHeader(Int), capturedResponseHeader(Int)

    /// Parses `expr` (the text between `%[` and `]`); nil when unsupported.
    public init?(_ expr: String) {
        let e = expr.trimmingWhitespace()
        switch e {
        case "src": self = .src
        case "src_port": self = .srcPort
        case "dst": self = .dst
        case "dst_port": self = .dstPort
        case "fe_name": self = .frontendName
        case "be_name": self = .backendName
        case "srv_name": self = .serverName
        case "status": self = .status
        default:
            for (prefix, request) in [("capture.req.hdr(", true), ("capture.res.hdr(", false)]
            where e.hasPrefix(prefix) && e.hasSuffix(")") {
                guard let n = Int(e.dropFirst(prefix.count).dropLast()), n >= 0 else { return nil }
                self = request ? .capturedRequestHeader(n) : .capturedResponseHeader(n)
                return
            }
            return nil
        }
    }
}

extension LogFormatRenderer {
    /// Writes a fetch's value; a fetch without a value (no server, no
    /// response, no such capture) writes `-` as a failed sample does.
    func renderFetch(_ f: LogSampleFetch, _ flags: LogFormatFlags, _ r: LogRecord, into out: inout [UInt8]) {
        switch f {
        case .src: Self.appendIP(r.clientAddress, flags, to: &out)
        case .srcPort: Self.appendPort(r.clientPort, flags, to: &out)
        case .dst: Self.appendIP(r.frontendAddress, flags, to: &out)
        case .dstPort: Self.appendPort(r.frontendPort, flags, to: &out)
        case .frontendName: Self.appendString(r.frontendName, flags, to: &out)
        case .backendName: Self.appendString(r.backendName, flags, to: &out)
        case .serverName: Self.appendString(r.serverName, flags, to: &out)
        case .status:
            if r.status > 0 { LogBytes.appendDecimal(r.status, to: &out) } else { Self.appendText(nil, flags, to: &out) }
        case .capturedRequestHeader(let n):
            Self.appendCapture(n < r.capturedRequestHeaders.count ? r.capturedRequestHeaders[n] : nil, flags, to: &out)
        case .capturedResponseHeader(let n):
            Self.appendCapture(n < r.capturedResponseHeaders.count ? r.capturedResponseHeaders[n] : nil, flags, to: &out)
        }
    }

    /// A `%[expr]` evaluated on the record's context and written as text
    /// the way 2.6 writes it: the value cast to a string, bytes as they
    /// are (no `#XX` encoding), `+Q` and `+E` applied; `-` (or `""` when
    /// quoted) for a missing or empty value.
    static func appendSample(_ sample: LogSampleExpression, _ flags: LogFormatFlags, _ r: LogRecord,
                             to out: inout [UInt8]) {
        guard let expression = sample.expression, let context = r.sampleContext,
              let value = expression.evaluate(context), let text = value.cast(to: .string)
        else {
            appendText(nil, flags, to: &out)
            return
        }
        switch text {
        case .string(let bytes), .binary(let bytes):
            bytes.withUnsafeBytes { appendText($0, flags, to: &out) }
        default:
            appendText(nil, flags, to: &out)
        }
    }

    private static func appendCapture(_ b: ByteBuffer?, _ flags: LogFormatFlags, to out: inout [UInt8]) {
        guard let b, b.readableBytes > 0 else { appendText(nil, flags, to: &out); return }
        b.withUnsafeReadableBytes { appendText($0, flags, to: &out) }
    }
}
