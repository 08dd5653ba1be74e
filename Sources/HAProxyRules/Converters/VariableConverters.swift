/// `set-var(name[,cond...])` and `unset-var(name)` as converters (manual
/// 7.3.1): they write the input (or nothing) to a variable and pass the
/// input on unchanged.
enum VariableConverters {
    static let keywords: [SampleConverterKeyword] = [
        SampleConverterKeyword("set-var", [.string, .string, .string, .string, .string], mandatory: 1, .any, .any, compile: { args in
            let name = try VariableName.parse(args.text(at: 0) ?? "")
            let conditions = try (1..<5).compactMap { args.text(at: $0) }.map { try SetVariableCondition(parsing: $0) }
            return SampleConversion { sample, context in
                let current = context.variable(name)
                if conditions.allSatisfy({ $0.holds(input: sample, current: current) }) {
                    context.setVariable(name, to: sample)
                }
                return sample
            }
        }),
        SampleConverterKeyword("unset-var", [.string], mandatory: 1, .any, .any, compile: { args in
            let name = try VariableName.parse(args.text(at: 0) ?? "")
            return SampleConversion { sample, context in
                context.setVariable(name, to: nil)
                return sample
            }
        }),
    ]
}

/// A `set-var` condition (2.6: `ifexists`, `ifnotexists`, `ifempty`,
/// `ifnotempty`, `ifset`, `ifnotset`, `ifgt`, `iflt`). Unset and absent
/// are the same here, `proc` variables included.
public enum SetVariableCondition: String, Sendable {
    case ifexists, ifnotexists, ifempty, ifnotempty, ifset, ifnotset, ifgt, iflt

    init(parsing text: String) throws {
        guard let condition = SetVariableCondition(rawValue: text) else {
            throw SampleArgumentError("unknown condition '\(text)'")
        }
        self = condition
    }

    /// Whether the variable may be written, given the input and the
    /// variable's current value.
    public func holds(input: Sample, current: Sample?) -> Bool {
        switch self {
        case .ifexists, .ifset: return current != nil
        case .ifnotexists, .ifnotset: return current == nil
        case .ifempty, .ifnotempty:
            let empty: Bool
            switch input {
            case .string(let b), .binary(let b): empty = b.isEmpty
            default: empty = false
            }
            return self == .ifempty ? empty : !empty
        case .ifgt, .iflt:
            guard case .int(let new) = input, case .int(let old)? = current else { return true }
            return self == .ifgt ? old > new : old < new
        }
    }
}
