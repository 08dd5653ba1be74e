import COpenSSL

/// OpenSSL's thread-local error queue, emptied so that an old failure is
/// never reported for a later call.
enum OpenSSLErrors {
    /// Empties the queue; returns the reason of its first entry.
    @discardableResult
    static func drain() -> String? {
        var first: String?
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if first == nil, let reason = ERR_reason_error_string(code) { first = String(cString: reason) }
        }
        return first
    }
}

/// A configuration problem found while building a TLS context, worded as
/// 2.6's ALERT or WARNING.
public struct TLSConfigurationError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
