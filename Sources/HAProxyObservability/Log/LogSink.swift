/// Something a framed log line is handed to. `send` never blocks: a line
/// that cannot leave right now is dropped and counted.
public protocol LogSink: AnyObject, Sendable {
    /// Sends one framed line (ending with `\n`); false when it was dropped.
    @discardableResult
    func send(_ line: UnsafeRawBufferPointer) -> Bool
    /// Releases descriptors and stops threads; further sends drop.
    func close()
}
