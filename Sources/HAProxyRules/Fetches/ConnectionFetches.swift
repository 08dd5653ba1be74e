/// Fetches at layer 4 and about the proxies a stream crosses (manual
/// 7.3.3): addresses, ports and names.
enum ConnectionFetches {
    static let keywords: [SampleFetchKeyword] = [
        SampleFetchKeyword("src", .address, .layer4) { _, context in context.source?.sample },
        SampleFetchKeyword("src_port", .int, .layer4) { _, context in context.source.map { .int(Int64($0.port)) } },
        SampleFetchKeyword("dst", .address, .layer4) { _, context in context.destination?.sample },
        SampleFetchKeyword("dst_port", .int, .layer4) { _, context in context.destination.map { .int(Int64($0.port)) } },
        SampleFetchKeyword("fc_src", .address, .layer4) { _, context in
            context.clientConnection?.socketSource?.sample
        },
        SampleFetchKeyword("fc_src_port", .int, .layer4) { _, context in
            context.clientConnection?.socketSource.map { .int(Int64($0.port)) }
        },
        SampleFetchKeyword("fc_dst", .address, .layer4) { _, context in
            context.clientConnection?.socketDestination?.sample
        },
        SampleFetchKeyword("fc_dst_port", .int, .layer4) { _, context in
            context.clientConnection?.socketDestination.map { .int(Int64($0.port)) }
        },
        SampleFetchKeyword("fc_rtt", [.string], .int, .layer4, compile: roundTrip { $0.rtt }),
        SampleFetchKeyword("fc_rttvar", [.string], .int, .layer4, compile: roundTrip { $0.variation }),
        SampleFetchKeyword("so_name", .string, .listener) { _, context in context.bindName.map { .string(Array($0.utf8)) } },
        SampleFetchKeyword("so_id", .int, .listener) { _, context in context.listener.map { .int(Int64($0.id)) } },
        SampleFetchKeyword("dst_conn", .int, .listener) { _, context in
            context.listener.map { .int(Int64($0.currentConnections)) }
        },
        SampleFetchKeyword("fe_name", .string, .frontend) { _, context in .string(Array(context.frontendName.utf8)) },
        SampleFetchKeyword("be_name", .string, .backend) { _, context in context.backendName.map { .string(Array($0.utf8)) } },
        SampleFetchKeyword("srv_name", .string, .server) { _, context in context.serverName.map { .string(Array($0.utf8)) } },
        SampleFetchKeyword("fe_id", .int, .frontend) { _, context in context.frontendID.map { .int(Int64($0)) } },
        SampleFetchKeyword("be_id", .int, .backend) { _, context in context.backendID.map { .int(Int64($0)) } },
        SampleFetchKeyword("srv_id", .int, .server) { _, context in context.serverID.map { .int(Int64($0)) } },
        SampleFetchKeyword("fc_http_major", .int, .layer4) { _, context in
            context.frontHTTPMajorVersion.map { .int(Int64($0)) }
        },
        // The request is HTTP once its head parsed (`HTTP` predefined ACL).
        SampleFetchKeyword("req.proto_http", .bool, .httpRequest) { _, context in .bool(context.request != nil) },
        // True once the inspection delay is over (the contents are final);
        // until then a miss that makes the rules wait (`WAIT_END`).
        SampleFetchKeyword("wait_end", .bool, .internalState) { _, context in
            if let pending = context.pendingContent {
                pending.mayChange()
                return nil
            }
            return .bool(true)
        },
    ]

    /// `fc_rtt([unit])`, `fc_rttvar([unit])`: one of TCP_INFO's times in
    /// milliseconds (the default, rounded down) or microseconds.
    private static func roundTrip(
        _ pick: @escaping @Sendable ((rtt: Int, variation: Int)) -> Int
    ) -> @Sendable ([SampleArgument]) throws -> SampleFetch {
        { args in
            let divisor: Int
            switch args.first == nil || args[0] == .absent ? "ms" : args.text(at: 0) ?? "" {
            case "ms": divisor = 1000
            case "us": divisor = 1
            case let unit: throw SampleArgumentError("expects 'us' or 'ms', got '\(unit)'")
            }
            return SampleFetch { context in
                context.clientConnection?.roundTripTimes.map { .int(Int64(pick($0) / divisor)) }
            }
        }
    }
}
