/// `capture request header NAME len N` / `capture response header NAME len N`:
/// a header value kept (up to `length` bytes) for the logs.
public struct CapturedHeader: Sendable, Equatable {
    public var name: String
    public var length: Int

    public init(name: String, length: Int) {
        self.name = name
        self.length = length
    }
}
