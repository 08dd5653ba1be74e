#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `src_is_local` and `dst_is_local` (manual 7.3.3): whether an address
/// of the connection belongs to this system. As the manual warns, the
/// check costs system calls: a socket bound to the address (port 0)
/// tells whether the system has it.
enum LocalAddressFetches {
    static let keywords: [SampleFetchKeyword] = [
        SampleFetchKeyword("src_is_local", .bool, .layer4) { _, context in context.source.map { .bool(isLocal($0)) } },
        SampleFetchKeyword("dst_is_local", .bool, .layer4) { _, context in
            context.destination.map { .bool(isLocal($0)) }
        },
    ]

    /// Whether a socket may be bound to the endpoint's address.
    static func isLocal(_ endpoint: SocketEndpoint) -> Bool {
        let family: Int32
        var storage = sockaddr_storage()
        let length: Int
        switch endpoint.address {
        case .v4(let a):
            family = AF_INET
            length = MemoryLayout<sockaddr_in>.size
            withUnsafeMutableBytes(of: &storage) { raw in
                let sin = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                sin.pointee.sin_family = sa_family_t(AF_INET)
                sin.pointee.sin_addr.s_addr = a.value.bigEndian
            }
        case .v6(let a):
            family = AF_INET6
            length = MemoryLayout<sockaddr_in6>.size
            withUnsafeMutableBytes(of: &storage) { raw in
                let sin6 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                sin6.pointee.sin6_family = sa_family_t(AF_INET6)
                withUnsafeMutableBytes(of: &sin6.pointee.sin6_addr) { bytes in
                    for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: a.high >> UInt64(56 - 8 * i)) }
                    for i in 0..<8 { bytes[8 + i] = UInt8(truncatingIfNeeded: a.low >> UInt64(56 - 8 * i)) }
                }
            }
        }
        #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        let fd = socket(family, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        return result == 0 || errno == EADDRINUSE
    }
}
