#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyHTTP
import HAProxyRules
import HAProxyTLS

/// What `haproxy -v` and `-vv` print, and what `-cc 'feature(X)'` tests.
public enum BuildInfo {
    /// The configuration language level we implement (2.6) and our release.
    public static let version = "2.6.0-swift-0.1.0"
    public static let releaseDate = "2026/11/25"
    /// Version used for `version_atleast()` / `version_before()`.
    public static let conditionVersion = "2.6.0"

    /// `+NAME` features of `-vv`: only what this build really has.
    public static let features: [(name: String, enabled: Bool)] = [
        ("51DEGREES", false), ("ACCEPT4", true), ("BACKTRACE", false), ("CLOSEFROM", false),
        ("CPU_AFFINITY", true), ("CRYPT_H", true), ("DEVICEATLAS", false), ("DL", false),
        ("ENGINE", false), ("EPOLL", true), ("EVPORTS", false), ("GETADDRINFO", true),
        ("KQUEUE", false), ("LIBCRYPT", true), ("LINUX_SPLICE", false), ("LINUX_TPROXY", false),
        ("LUA", false), ("LZ4", true), ("MEMORY_PROFILING", false), ("NETFILTER", false), ("NS", false),
        ("OBSOLETE_LINKER", false), ("OPENSSL", true), ("OT", false), ("PCRE", false), ("PCRE2", true),
        ("PCRE2_JIT", true), ("PCRE_JIT", false), ("POLL", false), ("PRCTL", false), ("PROCCTL", false),
        ("PROMEX", true), ("QUIC", false), ("RT", false), ("SLZ", false), ("STATIC_PCRE", false),
        ("STATIC_PCRE2", false), ("SYSTEMD", true), ("TFO", false), ("THREAD", true),
        ("THREAD_DUMP", false), ("TPROXY", false), ("WURFL", false), ("ZLIB", true),
    ]

    public static var enabledFeatures: Set<String> {
        Set(features.filter(\.enabled).map(\.name))
    }

    static var runningOn: String {
        var u = utsname()
        uname(&u)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        }
        return "\(field(u.sysname)) \(field(u.release)) \(field(u.version)) \(field(u.machine))"
    }

    /// `haproxy -v`.
    public static var versionText: String {
        """
        HAProxy version \(version) \(releaseDate) - Swift reimplementation of HAProxy 2.6
        Status: configuration language of HAProxy 2.6; single event loop by default (nbthread 1).
        Running on: \(runningOn)

        """
    }

    /// `haproxy -vv`: the real one's layout, listing what this build has.
    public static var buildText: String {
        let list = features.map { ($0.enabled ? "+" : "-") + $0.name }.joined(separator: " ")
        return versionText + """
        Build options :
          TARGET  = linux-glibc
          CPU     = generic
          CC      = swiftc
          CFLAGS  = -O -static-stdlib
          OPTIONS = USE_PCRE2=1 USE_PCRE2_JIT=1 USE_OPENSSL=1 USE_THREAD=1 USE_GETADDRINFO=1 USE_LZ4=1 USE_ZLIB=1 USE_SYSTEMD=1 USE_PROMEX=1 USE_NIO=1
          DEBUG   =

        Feature list : \(list)

        Default settings :
          bufsize = 16384, maxrewrite = 1024, maxpollevents = 200

        Built with multi-threading support (MAX_THREADS=64, default=1).
        Built with OpenSSL version : \(TLSLibrary.builtVersion)
        Running on OpenSSL version : \(TLSLibrary.runningVersion)
        OpenSSL library supports TLS extensions : yes
        OpenSSL library supports SNI : yes
        OpenSSL library supports : TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3
        Built with liblz4 for log file compression.
        Built with the Prometheus exporter as a service
        Built with PCRE2 version : \(HAProxyRules.Regex.libraryVersion)
        PCRE2 library supports JIT : \(HAProxyRules.Regex.supportsJIT ? "yes" : "no (libpcre2 without JIT)")
        Encrypted password support via crypt(3): yes
        Built with zlib version : \(ZlibCompressor.builtVersion)
        Running on zlib version : \(ZlibCompressor.runningVersion)
        Compression algorithms supported : identity("identity"), deflate("deflate"), raw-deflate("deflate"), gzip("gzip")
        Built with SwiftNIO event loops (epoll).

        Available polling systems :
              epoll : pref=300,  test result OK
        Total: 1 (1 usable), will use epoll.

        Available multiplexer protocols :
        (protocols marked as <default> cannot be specified using 'proto' keyword)
          <default> : mode=HTTP  side=FE|BE  mux=H1    flags=HTX
                 h1 : mode=HTTP  side=FE|BE  mux=H1    flags=HTX|NO_UPG
          <default> : mode=TCP   side=FE|BE  mux=PASS  flags=
               none : mode=TCP   side=FE|BE  mux=PASS  flags=NO_UPG

        Available services : \(HTTPServices.names.isEmpty ? "none" : HTTPServices.names.joined(separator: " "))

        Available filters : none

        """
    }
}
