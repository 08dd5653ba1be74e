import NIOCore

/// The clock of `FrequencyCounter`s: milliseconds of the monotonic clock
/// that NIO's deadlines and scheduled tasks use, so a delay computed from
/// it can be handed to `scheduleTask` as is.
enum RateClock {
    static var now: UInt64 { milliseconds(NIODeadline.now()) }

    /// A deadline already read (a log timestamp), without reading the clock again.
    static func milliseconds(_ deadline: NIODeadline) -> UInt64 {
        deadline.uptimeNanoseconds / 1_000_000
    }
}
