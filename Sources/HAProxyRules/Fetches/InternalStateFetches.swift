#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fetches from internal states and constants (manual 7.3.2): `always_true`,
/// `int`, `str`, `env`, `date`, `rand`, `uuid`, `var`, the backend counters.
enum InternalStateFetches {
    static let keywords: [SampleFetchKeyword] = [
        SampleFetchKeyword("always_true", .bool, .internalState) { _, _ in .bool(true) },
        SampleFetchKeyword("always_false", .bool, .internalState) { _, _ in .bool(false) },
        SampleFetchKeyword("int", [.int], mandatory: 1, .int, .internalState) { args, _ in args[0] == .absent ? nil : .int(args[0].int!) },
        SampleFetchKeyword("str", [.string], mandatory: 1, .string, .internalState) { args, _ in .string(args.bytes(at: 0) ?? []) },
        SampleFetchKeyword("ipv4", [.ipv4], mandatory: 1, .ipv4, .internalState) { args, _ in
            if case .ipv4(let a) = args[0] { return .ipv4(a) }
            return nil
        },
        SampleFetchKeyword("ipv6", [.ipv6], mandatory: 1, .ipv6, .internalState) { args, _ in
            if case .ipv6(let a) = args[0] { return .ipv6(a) }
            return nil
        },
        SampleFetchKeyword("bool", [.string], mandatory: 1, .bool, .internalState) { args in
            let value: Bool
            switch args.text(at: 0) ?? "" {
            case "true", "1": value = true
            case "false", "0": value = false
            default: throw SampleArgumentError("Expects 'true', 'false', '0' or '1'")
            }
            return SampleFetch { _ in .bool(value) }
        },
        SampleFetchKeyword("bin", [.string], mandatory: 1, .binary, .internalState) { args in
            guard let bytes = EncodingConverters.decodeHex(args.bytes(at: 0) ?? []) else {
                throw SampleArgumentError("invalid hexadecimal string")
            }
            return SampleFetch { _ in .binary(bytes) }
        },
        SampleFetchKeyword("env", [.string], mandatory: 1, .string, .internalState) { args in
            let name = args.text(at: 0) ?? ""
            return SampleFetch { _ in
                guard let value = getenv(name) else { return nil }
                return .string(Array(String(cString: value).utf8))
            }
        },
        SampleFetchKeyword("date", [.int, .string], .int, .internalState) { args in
            let offset = args.int(at: 0) ?? 0
            let scale: Int64
            switch args.text(at: 1) {
            case nil, "s": scale = 1
            case "ms": scale = 1000
            case "us": scale = 1_000_000
            default: throw SampleArgumentError("'s', 'ms' or 'us' expected")
            }
            return SampleFetch { context in
                let now = context.currentTime
                return .int((now.seconds + offset) * scale + now.microseconds * scale / 1_000_000)
            }
        },
        // The microseconds of the date, not a date in microseconds
        // (`date(0,us)`); 2.6 gives 0 to 999999.
        SampleFetchKeyword("date_us", .int, .internalState) { _, context in .int(context.currentTime.microseconds) },
        SampleFetchKeyword("rand", [.int], .int, .internalState) { args in
            let range = args.int(at: 0)
            return SampleFetch { _ in
                let random = UInt64(UInt32.random(in: .min ... .max))
                guard let range = range else { return .int(Int64(random)) }
                return .int(Int64(truncatingIfNeeded: (random &* UInt64(truncatingIfNeeded: range)) >> 32))
            }
        },
        SampleFetchKeyword("uuid", [.int], .string, .internalState) { args in
            if let version = args.int(at: 0), version != 4 {
                throw SampleArgumentError("Unsupported UUID version: '\(version)'")
            }
            return SampleFetch { _ in .string(randomUUID()) }
        },
        SampleFetchKeyword("unique-id", .string, .internalState) { _, context in context.uniqueID.map { .string($0) } },
        SampleFetchKeyword("var", [.string, .string], mandatory: 1, .any, .internalState) { args in
            let name = try VariableName.parse(args.text(at: 0) ?? "")
            let fallback = args.bytes(at: 1).map { Sample.string($0) }
            return SampleFetch { context in context.variable(name) ?? fallback }
        },
        SampleFetchKeyword("nbsrv", [.backend], .int, .internalState) { args, context in
            context.backendState(named: args.text(at: 0)).map { .int(Int64($0.usableServers)) }
        },
        SampleFetchKeyword("be_conn", [.backend], .int, .internalState) { args, context in
            context.backendState(named: args.text(at: 0)).map { .int(Int64($0.connections)) }
        },
        SampleFetchKeyword("queue", [.backend], .int, .internalState) { args, context in
            context.backendState(named: args.text(at: 0)).map { .int(Int64($0.queued)) }
        },
        SampleFetchKeyword("avg_queue", [.backend], .int, .internalState) { args, context in
            // "the total number of queued connections ... divided by the
            // number of active servers", rounded up; all of it when none is up.
            guard let state = context.backendState(named: args.text(at: 0)) else { return nil }
            let servers = state.usableServers
            return .int(Int64(servers > 0 ? (state.queued + servers - 1) / servers : state.queued))
        },
        SampleFetchKeyword("connslots", [.backend], .int, .internalState) { args, context in
            guard let state = context.backendState(named: args.text(at: 0)) else { return nil }
            // Unlimited: 2.6 reports -1.
            return .int(Int64(state.freeSlots ?? -1))
        },
        SampleFetchKeyword("srv_is_up", [.server], mandatory: 1, .bool, .internalState) { args, context in
            guard case .server(let backend, let server) = args[0] else { return nil }
            return context.serverIsUp(backend: backend ?? context.backendName ?? context.frontendName, server: server)
                .map { .bool($0) }
        },
        SampleFetchKeyword("fe_conn", [.string], .int, .internalState) { _, context in .int(Int64(context.frontendConnections)) },
        SampleFetchKeyword("fe_req_rate", [.string], .int, .internalState) { args, context in
            context.frontendRates(named: args.text(at: 0)).map { .int(Int64($0.requests)) }
        },
        SampleFetchKeyword("fe_sess_rate", [.string], .int, .internalState) { args, context in
            context.frontendRates(named: args.text(at: 0)).map { .int(Int64($0.sessions)) }
        },
        SampleFetchKeyword("thread", .int, .internalState) { _, context in .int(Int64(context.threadIndex)) },
        // One process, always (2.6 keeps the fetches for old configurations).
        SampleFetchKeyword("nbproc", .int, .internalState) { _, _ in .int(1) },
        SampleFetchKeyword("proc", .int, .internalState) { _, _ in .int(1) },
        SampleFetchKeyword("stopping", .bool, .internalState) { _, context in .bool(context.isStopping) },
        // Task profiling times: 2.6 measures them only under `profiling.tasks
        // on` (or `auto` on a thread whose loop lags by a millisecond),
        // and reports 0 otherwise; this build does not profile tasks and
        // refuses `profiling.tasks`.
        SampleFetchKeyword("lat_ns_avg", .int, .internalState) { _, _ in .int(0) },
        SampleFetchKeyword("lat_ns_tot", .int, .internalState) { _, _ in .int(0) },
        SampleFetchKeyword("cpu_ns_avg", .int, .internalState) { _, _ in .int(0) },
        SampleFetchKeyword("cpu_ns_tot", .int, .internalState) { _, _ in .int(0) },
        SampleFetchKeyword("last_rule_file", .string, .internalState) { _, context in
            context.lastFinalRule.flatMap(ruleLocation).map { .string(Array($0.file.utf8)) }
        },
        SampleFetchKeyword("last_rule_line", .int, .internalState) { _, context in
            context.lastFinalRule.flatMap(ruleLocation).map { .int(Int64($0.line)) }
        },
        SampleFetchKeyword("hostname", .string, .internalState) { _, _ in .string(hostName) },
    ]

    /// A rule's `file:line`, split at the last colon (a file name may
    /// hold colons).
    private static func ruleLocation(_ location: String) -> (file: Substring, line: Int)? {
        guard let colon = location.lastIndex(of: ":"),
              let line = Int(location[location.index(after: colon)...]) else { return nil }
        return (location[..<colon], line)
    }

    private static let hostName: [UInt8] = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return [] }
        return buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    }()

    /// A random version 4 UUID, lowercase (`uuid`).
    static func randomUUID() -> [UInt8] {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0 ... 255) }
        bytes[6] = bytes[6] & 0x0f | 0x40
        bytes[8] = bytes[8] & 0x3f | 0x80
        var out: [UInt8] = []
        out.reserveCapacity(36)
        let digits = Array("0123456789abcdef".utf8)
        for (i, byte) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return out
    }
}
