/// The TLS fetches of manual 7.3.4 this build answers: the client side
/// (`ssl_fc*`, `ssl_c_used`, `ssl_c_verify`) and the server side (`ssl_bc*`).
/// On a connection without TLS the booleans are false and the others
/// find nothing, as in 2.6.
enum TLSFetches {
    static let keywords: [SampleFetchKeyword] =
        side("fc", .clientConnection, { $0.clientTLS }) + side("bc", .server, { $0.serverTLS }) + [
            SampleFetchKeyword("ssl_fc_sni", .string, .clientConnection) { _, context in
                text(context.clientTLS?.serverName)
            },
            SampleFetchKeyword("ssl_fc_has_sni", .bool, .clientConnection) { _, context in
                .bool(context.clientTLS?.serverName != nil)
            },
            SampleFetchKeyword("ssl_fc_has_crt", .bool, .clientConnection) { _, context in
                .bool(context.clientTLS?.hasPeerCertificate ?? false)
            },
            SampleFetchKeyword("ssl_c_used", .bool, .clientConnection) { _, context in
                .bool(context.clientTLS?.hasPeerCertificate ?? false)
            },
            SampleFetchKeyword("ssl_c_verify", .int, .clientConnection) { _, context in
                context.clientTLS.map { .int(Int64($0.peerVerifyResult)) }
            },
            dnFetch("ssl_c_s_dn") { $0.peerSubject(entry: $1) },
            dnFetch("ssl_c_i_dn") { $0.peerIssuer(entry: $1) },
            SampleFetchKeyword("ssl_c_serial", .binary, .clientConnection) { _, context in
                context.clientTLS?.peerSerial.map { .binary($0) }
            },
            SampleFetchKeyword("ssl_c_notbefore", .string, .clientConnection) { _, context in
                text(context.clientTLS?.peerNotBefore)
            },
            SampleFetchKeyword("ssl_c_notafter", .string, .clientConnection) { _, context in
                text(context.clientTLS?.peerNotAfter)
            },
        ]
        // The verification errors `crt-ignore-err` and `ca-ignore-err` let
        // through; a handshake that failed never reaches the rules, so
        // `ssl_fc_err` is 0 on an established connection.
        + [
            SampleFetchKeyword("ssl_fc_err", .int, .clientConnection) { _, context in
                context.clientTLS.map { _ in .int(0) }
            },
            SampleFetchKeyword("ssl_c_err", .int, .clientConnection) { _, context in
                context.clientTLS.map { .int(Int64($0.peerCertificateError)) }
            },
            SampleFetchKeyword("ssl_c_ca_err", .int, .clientConnection) { _, context in
                context.clientTLS.map { .int(Int64($0.peerCAError)) }
            },
            SampleFetchKeyword("ssl_c_ca_err_depth", .int, .clientConnection) { _, context in
                context.clientTLS.map { .int(Int64($0.peerCAErrorDepth)) }
            },
        ]
        // The client connection's error code (`option httpslog`): a stream
        // that reaches its log line had none.
        + [SampleFetchKeyword("fc_err", .int, .clientConnection) { _, _ in .int(0) }]

    /// `ssl_c_s_dn([entry])`: the whole DN, or one entry's first value.
    private static func dnFetch(
        _ name: String, _ read: @escaping @Sendable (any TLSSessionView, String?) -> String?
    ) -> SampleFetchKeyword {
        SampleFetchKeyword(name, [.string], mandatory: 0, .string, .clientConnection) { args, context in
            guard let tls = context.clientTLS else { return nil }
            var entry: String?
            if case .string(let bytes)? = args.first { entry = String(decoding: bytes, as: UTF8.self) }
            return text(read(tls, entry))
        }
    }

    /// `ssl_fc` / `ssl_bc` and the fetches both sides have.
    private static func side(
        _ tag: String, _ source: SampleSources, _ view: @escaping @Sendable (any SampleContext) -> (any TLSSessionView)?
    ) -> [SampleFetchKeyword] {
        [
            SampleFetchKeyword("ssl_\(tag)", .bool, source) { _, context in .bool(view(context) != nil) },
            SampleFetchKeyword("ssl_\(tag)_protocol", .string, source) { _, context in
                text(view(context)?.protocolVersion)
            },
            SampleFetchKeyword("ssl_\(tag)_cipher", .string, source) { _, context in text(view(context)?.cipherName) },
            SampleFetchKeyword("ssl_\(tag)_alpn", .string, source) { _, context in text(view(context)?.alpnProtocol) },
            SampleFetchKeyword("ssl_\(tag)_npn", .string, source) { _, context in text(view(context)?.npnProtocol) },
            SampleFetchKeyword("ssl_\(tag)_is_resumed", .bool, source) { _, context in
                view(context).map { .bool($0.isResumed) }
            },
            SampleFetchKeyword("ssl_\(tag)_use_keysize", .int, source) { _, context in
                view(context)?.cipherUsedBits.map { .int(Int64($0)) }
            },
            SampleFetchKeyword("ssl_\(tag)_alg_keysize", .int, source) { _, context in
                view(context)?.cipherAlgorithmBits.map { .int(Int64($0)) }
            },
        ]
    }

    private static func text(_ value: String?) -> Sample? {
        value.map { .string(Array($0.utf8)) }
    }
}
