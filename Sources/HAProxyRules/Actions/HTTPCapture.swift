/// `http-request capture <sample> len|id`, `http-response capture <sample>
/// id` and `http-after-response capture <sample> id` (manual 4.2): the
/// sample, as a string, goes into a capture slot of the stream's frontend,
/// where `%hr`/`%hs` and `capture.req.hdr(N)`/`capture.res.hdr(N)` find it.
///
/// Slots are numbered per direction in the frontend's declaration order,
/// shared with `capture request|response header` and `declare capture`;
/// `len` declares a new request slot. The value is truncated to the slot's
/// length. A sample that cannot be fetched leaves the slot as it was; a
/// slot the frontend does not have (a backend's rule) is ignored.
public struct HTTPCapture: Sendable {
    public var expression: SampleExpression
    /// Response slots (`http-response`, `http-after-response`), else request ones.
    public var response: Bool
    public var slot: Int

    public init(expression: SampleExpression, response: Bool, slot: Int) {
        self.expression = expression
        self.response = response
        self.slot = slot
    }
}

extension HTTPCapture {
    /// Fetches the sample as a string and stores it in its slot.
    func run(on context: some SampleContext) {
        guard let sample = expression.evaluate(context), case .string(let bytes)? = sample.cast(to: .string) else {
            return
        }
        context.storeCapture(bytes, response: response, slot: slot)
    }
}
