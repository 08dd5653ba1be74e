import HAProxyConfig
import HAProxyRules
import NIOCore

/// What the rules of one transaction leave for its log line: the capture
/// slots (`%hr`, `%hs`, `capture.req.hdr(N)`) and the level `set-log-level`
/// chose. A reference shared by the stream's log info and the contexts its
/// rule sets run on, created when a transaction first needs it (a capture
/// is declared, or a rule runs), so other streams pay nothing for it.
public final class TransactionLog {
    /// One value per request slot, nil when nothing was captured.
    public var requestCaptures: [ByteBuffer?] = []
    public var responseCaptures: [ByteBuffer?] = []
    /// The frontend's slots, for their lengths.
    public internal(set) var requestSlots: [CapturedHeader] = []
    public internal(set) var responseSlots: [CapturedHeader] = []
    /// The last `set-log-level` that ran; nil keeps the proxy's choice.
    public var level: LogLevelOverride?
    /// The request as received, for log-format samples (kept only when
    /// the frontend's formats have `%[...]`).
    public var receivedRequest: HTTPMessage?

    public init() {}

    /// The frontend's request slots (a TCP stream's `tcp-request content
    /// capture` fills them as HTTP rules fill theirs).
    public func declareRequestSlots(_ slots: [CapturedHeader]) {
        requestSlots = slots
    }

    /// Stores a `capture` action's value, truncated to the slot's length;
    /// a slot the frontend lacks is ignored (manual 4.2).
    public func store(_ value: [UInt8], response: Bool, slot: Int) {
        let slots = response ? responseSlots : requestSlots
        guard slot >= 0, slot < slots.count else { return }
        let bytes = ByteBuffer(bytes: value.prefix(slots[slot].length))
        if response {
            if responseCaptures.count < slots.count { responseCaptures += Array(repeating: nil, count: slots.count - responseCaptures.count) }
            responseCaptures[slot] = bytes
        } else {
            if requestCaptures.count < slots.count { requestCaptures += Array(repeating: nil, count: slots.count - requestCaptures.count) }
            requestCaptures[slot] = bytes
        }
    }

    /// A slot's value as `capture.req.hdr(N)` / `capture.res.hdr(N)` read it.
    public func captured(_ index: Int, response: Bool) -> [UInt8]? {
        let values = response ? responseCaptures : requestCaptures
        guard index >= 0, index < values.count, let value = values[index] else { return nil }
        return Array(value.readableBytesView)
    }
}
