/// How a TCP rule set ended.
public enum TCPRuleVerdict: Sendable, Equatable {
    /// An `accept` ran, or every rule ran without a final action (the
    /// default is to accept).
    case accept
    case reject
    /// `silent-drop`.
    case silentDrop
    /// `tcp-response content close`.
    case close
    /// A condition could not be decided on the contents received so far
    /// (a miss): evaluate the rules again when more arrive, or with the
    /// contents as final once the inspection delay expires.
    case wait
}

/// Runs a `tcp-request`/`tcp-response` rule set in declaration order
/// (manual 4.2): the first final action that runs stops it; a condition
/// that misses during content inspection makes the whole set wait and
/// start over from its first rule with more contents, as 2.6 does.
public enum TCPRuleRunner {
    /// - Parameters:
    ///   - rules: the rule set, defaults' rules first.
    ///   - context: the stream; its `pendingContent` is set while the
    ///     contents may still grow.
    ///   - expectProxy: set when an `expect-proxy layer4` action ran.
    public static func run(
        _ rules: [TCPRule], on context: some SampleContext, expectProxy: inout Bool
    ) -> TCPRuleVerdict {
        for rule in rules {
            if let condition = rule.condition {
                switch condition.test(context) {
                case .pass: break
                case .fail: continue
                case .miss: return .wait
                }
            }
            switch rule.action {
            case .accept:
                context.noteFinalRule(rule.location)
                return .accept
            case .reject:
                context.noteFinalRule(rule.location)
                return .reject
            case .silentDrop:
                context.noteFinalRule(rule.location)
                return .silentDrop
            case .close:
                context.noteFinalRule(rule.location)
                return .close
            case .expectProxy:
                expectProxy = true
            case .setVariable(let name, let expression, let conditions):
                guard let value = expression.evaluate(context) else { continue }
                let current = context.variable(name)
                if conditions.allSatisfy({ $0.holds(input: value, current: current) }) {
                    context.setVariable(name, to: value)
                }
            case .setVariableFormat(let name, let format):
                let renderer = context as? any LogVariableRendering
                let value = format.evaluate(context) { name, options, out in
                    renderer?.renderLogVariable(name, options: options, into: &out)
                }
                context.setVariable(name, to: .string(value))
            case .unsetVariable(let name):
                context.setVariable(name, to: nil)
            case .setLogLevel(let level):
                context.setLogLevel(level)
            case .capture(let capture):
                capture.run(on: context)
            case .setClientSocket(let option):
                context.clientConnection?.setOption(option)
            case .stickCounter(let action):
                action.perform(on: context)
            }
        }
        return .accept
    }

    /// A rule set without `expect-proxy` (content and response rules).
    public static func run(_ rules: [TCPRule], on context: some SampleContext) -> TCPRuleVerdict {
        var ignored = false
        return run(rules, on: context, expectProxy: &ignored)
    }
}
