/// The request method, as HAProxy classifies it (`enum http_meth_t`).
///
/// The common methods are recognised during the head scan so rules and
/// body framing (HEAD, CONNECT) need no byte comparison later; anything else
/// is `.other` and its bytes stay available through `HTTPHead.methodRange`.
public enum HTTPMethod: UInt8, Sendable {
    case options, get, head, post, put, delete, trace, connect, other

    /// Classifies the method token (case-sensitive, as RFC 9110 §9.1 says).
    @inlinable
    static func classify(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> HTTPMethod {
        let n = end - start
        @inline(__always) func at(_ i: Int) -> UInt8 { p[start + i] }
        switch n {
        case 3:
            if at(0) == 0x47, at(1) == 0x45, at(2) == 0x54 { return .get }  // GET
            if at(0) == 0x50, at(1) == 0x55, at(2) == 0x54 { return .put }  // PUT
        case 4:
            if at(0) == 0x50, at(1) == 0x4F, at(2) == 0x53, at(3) == 0x54 { return .post }  // POST
            if at(0) == 0x48, at(1) == 0x45, at(2) == 0x41, at(3) == 0x44 { return .head }  // HEAD
        case 5:
            if HTTPBytes.equals(p, start, end, HTTPBytes.trace) { return .trace }
        case 6:
            if HTTPBytes.equals(p, start, end, HTTPBytes.delete) { return .delete }
        case 7:
            if HTTPBytes.equals(p, start, end, HTTPBytes.options) { return .options }
            if HTTPBytes.equals(p, start, end, HTTPBytes.connect) { return .connect }
        default:
            break
        }
        return .other
    }
}
