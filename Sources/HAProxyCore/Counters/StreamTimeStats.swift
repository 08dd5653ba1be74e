/// A server's or a backend's `qtime`, `ctime`, `rtime` and `ttime`
/// (manual 9.1: average times in milliseconds over the last 1024 requests)
/// and their `*_max` columns. Kept under the backend's lock.
struct StreamTimeStats {
    /// A running average over the last `window` values: exact until the
    /// window is full, then each new value takes the place of an average one.
    struct Average {
        static let window: UInt64 = 1024
        private(set) var sum: UInt64 = 0
        private(set) var samples: UInt64 = 0

        mutating func add(_ milliseconds: Int) {
            let value = UInt64(max(0, milliseconds))
            if samples < Self.window {
                samples += 1
                sum &+= value
            } else {
                sum = sum - sum / Self.window + value
            }
        }

        /// The average, rounded down; 0 before the first value.
        var value: Int { samples == 0 ? 0 : Int(sum / samples) }
    }

    var queue = Average(), connect = Average(), response = Average(), total = Average()
    var queueMax = 0, connectMax = 0, responseMax = 0, totalMax = 0

    /// Adds one stream's times; negative times (a step that did not
    /// happen) count as 0.
    mutating func add(_ sample: StreamTimeSample) {
        queue.add(sample.queue)
        connect.add(sample.connect)
        response.add(sample.response)
        total.add(sample.total)
        queueMax = max(queueMax, sample.queue)
        connectMax = max(connectMax, sample.connect)
        responseMax = max(responseMax, sample.response)
        totalMax = max(totalMax, sample.total)
    }

    /// `clear counters`: the maximums start again from 0.
    mutating func clearMaximums() {
        queueMax = 0
        connectMax = 0
        responseMax = 0
        totalMax = 0
    }
}

/// One stream's times for `StreamTimeStats`, in milliseconds: Tw, Tc, Tr
/// (0 in TCP mode) and the total (Ta for an HTTP transaction, Tt for a
/// TCP stream).
struct StreamTimeSample {
    var queue: Int
    var connect: Int
    var response: Int
    var total: Int
}
