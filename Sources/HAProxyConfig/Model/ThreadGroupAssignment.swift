/// `thread-groups` / `thread-group`: how threads are split into groups.
/// 2.6 supports one group; every thread must end up in it.
public struct ThreadGroupAssignment: Equatable, Sendable {
    /// `thread-groups`: the number of groups (1, the only value 2.6 takes).
    public var count = 1
    /// Threads enumerated for group 1 by its last `thread-group` line with
    /// threads.
    public var enumerated: Set<Int> = []
    /// Whether group 1 takes every thread not enumerated (no `thread-group`
    /// line, or the last one had no thread).
    public var takesRemaining = true
    /// The last thread the previous line enumerated: as in 2.6, a new line
    /// for the group keeps it (`thread-group 1 1-2` then `thread-group 1 3`
    /// leaves threads 2 and 3 in the group).
    var carried: Int?
    /// Whether the last line for the group enumerated threads (a new one
    /// then warns that it overrides them).
    var defined = false

    public init() {}

    /// Threads of 1...`nbthread` left outside every group.
    public func unassignedCount(nbthread: Int) -> Int {
        takesRemaining ? 0 : (1...max(1, nbthread)).filter { !enumerated.contains($0) }.count
    }
}
