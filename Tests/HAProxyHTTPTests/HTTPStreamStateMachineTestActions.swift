import XCTest

@testable import HAProxyHTTP

/// What the state machine's tests read from the actions a machine queued.
extension XCTestCase {
    /// The actions queued since the last call, taken out of the machine.
    func take(_ machine: inout HTTPStreamStateMachine) -> [HTTPStreamStateMachine.Action] {
        var list: [HTTPStreamStateMachine.Action] = []
        machine.takeActions(into: &list)
        return list
    }

    /// The timeouts the actions armed, in order (nil: the timer disarmed).
    func timers(_ actions: [HTTPStreamStateMachine.Action]) -> [Int?] {
        actions.compactMap { if case .armTimer(let ms) = $0 { return .some(ms) } else { return nil } }
    }
}
