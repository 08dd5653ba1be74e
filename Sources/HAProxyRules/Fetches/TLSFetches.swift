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
        ]

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
