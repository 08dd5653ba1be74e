import HAProxyRules

/// `set-var <proc.name> <expr>` and `set-var-fmt <proc.name> <fmt>` in the
/// global section (manual 3.2): process-wide variables set once when the
/// configuration is read, from expressions that need no stream.
extension KeywordRegistry {
    static let globalVariableKeywords: [ConfigKeyword] = [
        ConfigKeyword("set-var", .global) { args, ctx in try parseGlobalVariable(args, &ctx, format: false) },
        ConfigKeyword("set-var-fmt", .global) { args, ctx in try parseGlobalVariable(args, &ctx, format: true) },
    ]

    static func parseGlobalVariable(_ args: [String], _ ctx: inout ParseContext, format: Bool) throws {
        let keyword = args[0]
        guard args.count > 2, let name = try? VariableName.parse(args[1]) else {
            throw KeywordError(
                "'\(keyword)' requires a process-wide variable name ('proc.<name>') and a \(format ? "format string" : "sample expression").")
        }
        guard name.scope == .proc else {
            throw KeywordError(
                "'\(keyword)': cannot set variable '\(args[1])', only scope 'proc' is permitted in the global section.")
        }
        let context = ConfigurationSampleContext(variables: ctx.config.global.processVariables)
        let value: Sample?
        do {
            if format {
                let parsed = try SampleFormat.parse(args[2])
                for case .sample(let expression, _) in parsed.parts { try checkStreamless(expression, keyword, args[1]) }
                value = .string(parsed.evaluate(context))
            } else {
                let expression = try SampleExpression.parse(args[2])
                try checkStreamless(expression, keyword, args[1])
                value = expression.evaluate(context)
            }
        } catch let error as SampleParseError {
            throw KeywordError("'\(keyword)': \(error.message).")
        }
        guard let value else { return }
        ctx.config.global.processVariables.append((name, value))
    }

    /// Only internal fetches (constants, environment, date...) can run
    /// before any stream exists.
    private static func checkStreamless(_ expression: SampleExpression, _ keyword: String, _ variable: String) throws {
        let missing = expression.sources.subtracting(.internalState)
        guard missing.isEmpty else {
            throw KeywordError(
                "fetch method '\(keyword)(\(variable))' extracts information from '\(missing.name)', none of which is available here")
        }
    }
}

/// What a sample expression sees while the configuration is read: no
/// connection, no message; `proc.*` variables set by earlier lines.
final class ConfigurationSampleContext: SampleContext {
    let variables: [(VariableName, Sample)]
    init(variables: [(VariableName, Sample)]) { self.variables = variables }
    var source: SocketEndpoint? { nil }
    var destination: SocketEndpoint? { nil }
    var bindName: String? { nil }
    var frontendName: String { "" }
    var backendName: String? { nil }
    var serverName: String? { nil }
    var frontendConnections: Int { 0 }
    var request: (any HTTPMessageReader)? { nil }
    var response: (any HTTPMessageReader)? { nil }
    func withRequestPayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? { nil }
    func backendState(named name: String?) -> BackendState? { nil }
    func serverIsUp(backend: String, server: String) -> Bool? { nil }
    func variable(_ name: VariableName) -> Sample? { variables.last { $0.0 == name }?.1 }
    var uniqueID: [UInt8]? { nil }
    func capturedRequestHeader(_ index: Int) -> [UInt8]? { nil }
    func capturedResponseHeader(_ index: Int) -> [UInt8]? { nil }
}
