// swift-tools-version:6.0
import PackageDescription

/// Release builds: `swift build -c release --static-swift-stdlib` (see Makefile).
/// Module map follows ../shared/STYLE.md: configuration has no NIO, the
/// runtime lives in HAProxyCore, HTTP/1 framing in HAProxyHTTP.
let package = Package(
    name: "haproxy",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "haproxy", targets: ["haproxy"]),
        .executable(name: "halog", targets: ["halog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        // Debian's zlib: the deflate, raw-deflate and gzip encodings of
        // `compression algo` (Debian's 2.6 embeds libslz instead).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Debian's PCRE2 (with JIT), the regex engine of Debian's haproxy.
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        // Debian's libcrypt (libxcrypt): crypt_r for `user ... password`
        // hashes, the crypt(3) Debian's haproxy checks them with.
        .systemLibrary(
            name: "CCrypt",
            pkgConfig: "libcrypt",
            providers: [.apt(["libcrypt-dev"])]
        ),
        // Debian's OpenSSL 3 (libssl3): TLS for `bind ... ssl` and
        // `server ... ssl`, linked dynamically so that Debian's security
        // updates reach it without a rebuild.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // Files, environment, clock and text helpers on the C library, so
        // that no target needs Foundation (whose ICU data weighs 38 MB).
        .target(name: "HAProxyBase"),
        // Samples, converters, patterns, maps, ACLs and rule actions: no NIO,
        // computed without sockets and tested without them.
        // Stick tables: entries, their data types, expiry and rates, shared
        // by the event loops behind one lock per table; no NIO.
        .target(name: "HAProxyTables"),
        .target(name: "HAProxyRules", dependencies: ["HAProxyBase", "HAProxyTables", "CPCRE2", "CCrypt"]),
        .target(name: "HAProxyConfig", dependencies: ["HAProxyBase", "HAProxyRules", "HAProxyTables"]),
        // DNS for `resolvers` sections: the wire format (queries, answers
        // with compression pointers) and the resolution state, no NIO.
        .target(name: "HAProxyDNS"),
        // The C library's epoll and eventfd, for the I/O driver.
        .systemLibrary(name: "CEpoll"),
        // The I/O driver: an epoll event loop of our own (a NIO `EventLoop`
        // serving no NIO channel), non-blocking connections and listeners
        // with no allocation per operation.
        .target(
            name: "HAProxyIO",
            dependencies: [
                "CEpoll",
                "HAProxyBase",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "HAProxyHTTP",
            dependencies: [
                "HAProxyBase", "HAProxyConfig", "HAProxyRules", "HAProxyTables", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The TLS record layer over memory BIOs, the contexts built from
        // the configuration and the certificate store.
        .target(
            name: "HAProxyTLS",
            dependencies: [
                "COpenSSL", "HAProxyConfig", "HAProxyRules",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "HAProxyObservability",
            dependencies: [
                "HAProxyBase",
                "HAProxyConfig",
                "HAProxyRules",
                "CLZ4",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "HAProxyCore",
            dependencies: [
                "HAProxyBase",
                "HAProxyConfig",
                "HAProxyObservability",
                "HAProxyHTTP",
                "HAProxyTLS",
                "HAProxyDNS",
                "HAProxyTables",
                "HAProxyIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "haproxy",
            // HalogCore: the package's /usr/sbin/halog is a link to haproxy.
            dependencies: ["HAProxyBase", "HAProxyConfig", "HAProxyCore", "HAProxyTLS", "HalogCore"]
        ),
        // Log analyzer: no NIO, only liblz4 for compressed logs.
        .target(name: "HalogCore", dependencies: ["CLZ4"]),
        .executableTarget(name: "halog", dependencies: ["HalogCore"]),
        // bench/callgrind.py's floor: a TCP relay on the I/O driver alone.
        .executableTarget(
            name: "iorelay", dependencies: ["HAProxyIO", .product(name: "NIOCore", package: "swift-nio")],
            path: "bench/iorelay"
        ),
        .testTarget(name: "HAProxyBaseTests", dependencies: ["HAProxyBase"]),
        .testTarget(name: "HalogTests", dependencies: ["HalogCore", "CLZ4"], exclude: ["Golden", "bench.sh"]),
        .testTarget(name: "HAProxyRulesTests", dependencies: ["HAProxyRules", "HAProxyTables"]),
        .testTarget(name: "HAProxyDNSTests", dependencies: ["HAProxyDNS"]),
        .testTarget(
            name: "HAProxyIOTests",
            dependencies: ["HAProxyIO", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(name: "HAProxyTablesTests", dependencies: ["HAProxyTables"]),
        .testTarget(
            name: "HAProxyTLSTests",
            dependencies: [
                "HAProxyTLS", "HAProxyConfig", "HAProxyRules",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "HAProxyConfigTests", dependencies: ["HAProxyConfig", "HAProxyTables"], exclude: ["Fixtures"]),
        .testTarget(
            name: "HAProxyHTTPTests",
            dependencies: ["HAProxyHTTP", "HAProxyConfig", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "HAProxyObservabilityTests",
            dependencies: ["HAProxyObservability", "HAProxyConfig", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "HAProxyCoreTests",
            dependencies: [
                "HAProxyCore", "HAProxyConfig", "HAProxyIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            exclude: ["Stats/Golden"]
        ),
        .testTarget(
            name: "IntegrationTests", dependencies: ["HAProxyConfig"], exclude: [
                "Support/backend.py", "Logging/Golden", "HTTP/framing_differential.py",
                "Rules/rules_differential.py", "Rules/known_differences.txt", "Rules/reports",
                "Checks/protocol_servers.py", "Stats/browser_admin_form.py", "Retries/flaky_server.py",
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
