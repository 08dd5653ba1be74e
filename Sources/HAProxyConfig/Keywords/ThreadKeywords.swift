/// `cpu-map`, `thread-groups` and `thread-group` (manual 3.1), with 2.6's
/// syntax and messages.
extension KeywordRegistry {
    static let threadKeywords: [ConfigKeyword] = [
        ConfigKeyword("cpu-map", .global) { args, ctx in
            try CPUMapLine(args).apply(to: &ctx.config.global.cpuMap)
        },
        ConfigKeyword("thread-groups", .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            let text = args.count > 1 ? args[1] : ""
            guard let n = Int(text) else {
                throw KeywordError("'thread-groups' passed a missing or unparsable integer value in '\(text)'")
            }
            guard n == 1 else { throw KeywordError("'thread-groups' value must be between 1 and 1 (was \(n))") }
            ctx.config.global.threadGroups.count = n
        },
        ConfigKeyword("thread-group", .global) { args, ctx in
            let text = args.count > 1 ? args[1] : ""
            guard let group = Int(text) else {
                throw KeywordError("'thread-group' passed a missing or unparsable integer value in '\(text)'")
            }
            guard group == 1 else {
                throw KeywordError("'thread-group' thread-group number must be between 1 and 1 (was \(group))")
            }
            var ranges: [ClosedRange<Int>?] = []
            for word in args.dropFirst(2) {
                guard let range = threadNumberRange(word) else {
                    throw KeywordError(
                        "'thread-group \(group)' passed an unparsable or invalid thread number '\(word)' (valid range is 1 to 64)"
                    )
                }
                ranges.append(range)
            }
            var groups = ctx.config.global.threadGroups
            guard !ranges.isEmpty else {
                // No thread: the group takes every thread left.
                if groups.defined {
                    ctx.warning("'thread-group \(group)' was already defined and will be overridden.")
                }
                groups.defined = false
                groups.takesRemaining = true
                ctx.config.global.threadGroups = groups
                return
            }
            // 2.6 keeps part of an earlier enumeration and counts lists with
            // gaps in ways its manual does not describe: one plain list only.
            guard groups.enumerated.isEmpty else {
                throw KeywordError(
                    "'thread-group \(group)' : enumerating the group's threads again is not supported by this build.")
            }
            var named: Set<Int> = []
            var duplicates: [Int] = []
            for case let range? in ranges {
                for thread in range where !named.insert(thread).inserted { duplicates.append(thread) }
            }
            if let low = named.min(), let high = named.max(), high - low + 1 != named.count {
                throw KeywordError(
                    "'thread-group \(group)' : a thread list with gaps is not supported by this build.")
            }
            for thread in duplicates {
                ctx.warning("'thread-group \(group)': thread \(thread) assigned more than once on the same line.")
            }
            groups.defined = !named.isEmpty
            groups.enumerated = named
            groups.takesRemaining = named.isEmpty
            ctx.config.global.threadGroups = groups
        },
    ]

    /// `N` or `N-M`, thread numbers from 1 to 64; `.some(nil)` for a
    /// range given high bound first, which 2.6 takes and which names no
    /// thread.
    private static func threadNumberRange(_ word: String) -> ClosedRange<Int>?? {
        let parts = word.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let low = Int(parts[0]), let high = parts.count > 1 ? Int(parts[1]) : low,
            (1...64).contains(low), (1...64).contains(high)
        else { return nil }
        return low <= high ? .some(low...high) : .some(nil)
    }
}

/// One `cpu-map [auto:]<group>[/<threads>] <cpu-set>...` line.
///
/// Group and thread sets are `all`, `odd`, `even`, `N`, `N-M` or `N-`
/// (numbers 1 to 64); CPU sets are `N`, `N-M` or `N-` (0 to 1023), read as
/// 2.6 reads them: digits first, anything after the number ignored.
struct CPUMapLine {
    var auto = false
    /// Group numbers, ascending.
    var groups: [Int]
    /// Thread numbers, ascending; nil when the line names whole groups.
    var threads: [Int]?
    /// The union of the CPU sets, ascending.
    var cpus: [Int]

    static let usage =
        "cpu-map expects a process number  ('all', 'odd', 'even', a number from 1 to 64 or a range),  followed by a list of CPU ranges with numbers from 0 to 63."

    init(_ args: [String]) throws {
        guard args.count >= 3 else { throw KeywordError(Self.usage) }
        var head = Substring(args[1])
        if head.hasPrefix("auto:") {
            auto = true
            head = head.dropFirst(5)
        }
        let slash = head.firstIndex(of: "/")
        groups = try Self.numberSet(slash.map { head[..<$0] } ?? head)
        threads = try slash.map { try Self.numberSet(head[head.index(after: $0)...]) }
        var set = Set<Int>()
        for word in args.dropFirst(2) { set.formUnion(try Self.cpuRange(word)) }
        cpus = set.sorted()
        if auto {
            // 2.6 checks the group range when it has several numbers, the
            // thread range otherwise, where a single CPU is also taken.
            let sizeMatches =
                groups.count > 1 || threads == nil
                ? groups.count == cpus.count : cpus.count == 1 || threads!.count == cpus.count
            guard sizeMatches else {
                throw KeywordError(
                    "cpu-map : PROC/THREAD range and CPU sets must have the same size to be automatically bound")
            }
        }
    }

    /// Records the line: group 1's process mapping or its threads' mappings
    /// (other groups do not exist in 2.6; their lines bind nothing).
    func apply(to map: inout CPUMap) {
        guard let groupIndex = groups.firstIndex(of: 1) else { return }
        if let threads, threads.count > 1 {
            for (i, thread) in threads.enumerated() {
                if !auto {
                    map.threads[thread] = cpus
                } else if i < cpus.count {
                    map.threads[thread] = [cpus[i]]
                }
            }
            return
        }
        let set = auto && groups.count > 1 ? [cpus[groupIndex]] : cpus
        if let thread = threads?.first, thread != 1 {
            map.threads[thread] = set
        } else {
            // `1` and `1/1` both name the process (2.6's compatibility
            // with the old process/thread syntax).
            map.process = set
        }
    }

    /// `all`, `odd`, `even`, `N`, `N-M` or `N-`.
    static func numberSet(_ text: Substring) throws -> [Int] {
        switch text {
        case "all": return Array(1...64)
        case "odd": return stride(from: 1, through: 63, by: 2).map { $0 }
        case "even": return stride(from: 2, through: 64, by: 2).map { $0 }
        default: break
        }
        let invalid = KeywordError("cpu-map : '\(text)' is not a valid number/range.")
        let outOfRange = KeywordError(
            "cpu-map : '\(text)' is not a valid number/range. It supports numbers from 1 to 64.\n")
        let dash = text.firstIndex(of: "-")
        let lowText = text[..<(dash ?? text.endIndex)]
        guard lowText.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw invalid }
        let low = lowText.isEmpty ? 0 : Int(lowText) ?? Int.max
        var high = low
        if let dash {
            let highText = text[text.index(after: dash)...]
            guard highText.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw invalid }
            high = highText.isEmpty ? 64 : Int(highText) ?? Int.max
        }
        guard (1...64).contains(low), (1...64).contains(high) else { throw outOfRange }
        return Array(min(low, high)...max(low, high))
    }

    /// `N`, `N-M` or `N-`; the digits count, what follows them does not
    /// (`0-x` is 0 to 0).
    static func cpuRange(_ word: String) throws -> ClosedRange<Int> {
        guard let first = word.first, first.isASCII, first.isNumber else {
            throw KeywordError("cpu-map : '\(word)' is not a CPU range.")
        }
        func leadingNumber(_ text: Substring) -> Int {
            text.prefix { $0.isASCII && $0.isNumber }.reduce(0) { min($0 * 10 + Int($1.asciiValue! - 48), 1 << 40) }
        }
        let low = leadingNumber(Substring(word))
        var high = low
        let rest = word.drop { $0.isASCII && $0.isNumber }
        if rest.first == "-" {
            high = rest.count == 1 ? CPUMap.cpuLimit - 1 : leadingNumber(rest.dropFirst())
        }
        guard low < CPUMap.cpuLimit, high < CPUMap.cpuLimit else {
            throw KeywordError("cpu-map : supports CPU numbers from 0 to \(CPUMap.cpuLimit - 1).")
        }
        return min(low, high)...max(low, high)
    }
}
