/// The CPUs threads are bound to, from `cpu-map` lines (manual 3.1).
///
/// Thread numbers start at 1 (thread N is the N-th event loop). As in 2.6,
/// a line naming the whole of group 1 (`cpu-map 1 ...`) or only its first
/// thread (`cpu-map 1/1 ...`) sets the process's mapping, which binds the
/// whole process in daemon and master-worker mode only; every other line
/// sets the mapping of the threads it names, a later line replacing an
/// earlier one for the threads both name.
public struct CPUMap: Equatable, Sendable {
    /// CPU numbers run from 0 to `cpuLimit - 1`.
    public static let cpuLimit = 1024
    /// The process's CPUs, ascending; nil when no line set them.
    public var process: [Int]?
    /// Each mapped thread's CPUs, ascending.
    public var threads: [Int: [Int]] = [:]

    public init() {}

    public var isEmpty: Bool { process == nil && threads.isEmpty }

    /// The CPUs thread `thread` is bound to: its mapping, narrowed to the
    /// process's when the process has one. Nil (no binding) when the thread
    /// has no mapping or the intersection is empty.
    public func cpus(forThread thread: Int) -> [Int]? {
        guard let own = threads[thread] else { return nil }
        guard let process else { return own }
        let both = own.filter { process.contains($0) }
        return both.isEmpty ? nil : both
    }
}
