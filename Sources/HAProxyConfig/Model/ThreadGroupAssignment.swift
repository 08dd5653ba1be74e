/// `thread-groups` / `thread-group`: how threads are split into groups.
/// 2.6 supports one group; every thread must end up in it.
public struct ThreadGroupAssignment: Equatable, Sendable {
    /// `thread-groups`: the number of groups (1, the only value 2.6 takes).
    public var count = 1
    /// Threads enumerated for group 1 by its `thread-group` line.
    public var enumerated: Set<Int> = []
    /// Whether group 1 takes every thread not enumerated (no `thread-group`
    /// line with threads, or a later one without any).
    public var takesRemaining = true
    /// Whether a line enumerated the group's threads.
    var defined = false

    public init() {}

    /// Threads of 1...`nbthread` left outside every group.
    public func unassignedCount(nbthread: Int) -> Int {
        takesRemaining ? 0 : (1...max(1, nbthread)).filter { !enumerated.contains($0) }.count
    }
}
