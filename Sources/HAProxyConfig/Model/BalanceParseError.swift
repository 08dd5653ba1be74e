/// Why a `balance` or `hash-type` line was refused. `description` is worded
/// like haproxy 2.6's alert, without the `parsing [file:line] :` prefix.
public struct BalanceParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
