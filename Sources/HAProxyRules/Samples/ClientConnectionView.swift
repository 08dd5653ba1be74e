/// The client's own socket, as the `fc_*` fetches read it (manual 7.3.4):
/// its addresses are the socket's whatever a PROXY header, `set-src` or
/// `set-dst` made of `src` and `dst` (2.6 answers 127.0.0.1 to `fc_src`
/// after both), and its round trip times come from the kernel. The
/// `set-mark` and `set-tos` actions set its options.
public protocol ClientConnectionView: AnyObject {
    /// The peer's address and port (`fc_src`, `fc_src_port`); nil on a
    /// UNIX socket.
    var socketSource: SocketEndpoint? { get }
    /// The address and port it connected to (`fc_dst`, `fc_dst_port`).
    var socketDestination: SocketEndpoint? { get }
    /// TCP_INFO's smoothed round trip time and its variation, in
    /// microseconds (`fc_rtt`, `fc_rttvar`); nil when the socket is not
    /// TCP or is closed.
    var roundTripTimes: (rtt: Int, variation: Int)? { get }
    /// `set-mark` (SO_MARK) and `set-tos` (IP_TOS, and IPV6_TCLASS too on
    /// an IPv6 socket) on the packets sent to the client. A setting the
    /// system refuses (SO_MARK needs CAP_NET_ADMIN) is left, as 2.6 does.
    func setOption(_ option: ClientSocketOption)
}

/// What `set-mark` and `set-tos` set on the client's socket.
public enum ClientSocketOption: Sendable, Equatable {
    case mark(UInt32)
    case tos(Int32)

    /// A value the actions cannot read, with 2.6's message.
    public struct ValueError: Error, Sendable {
        public let message: String
    }

    /// The action's value as 2.6 reads it (`strtoul` in base 0: decimal,
    /// `0x` hexadecimal, leading `0` octal); the message for any other.
    public static func parseValue(_ word: String) -> Result<UInt64, ValueError> {
        var text = Substring(word)
        var radix = 10
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            radix = 16
            text = text.dropFirst(2)
        } else if text.hasPrefix("0") && text.count > 1 {
            radix = 8
            text = text.dropFirst()
        }
        var value: UInt64 = 0
        for (offset, character) in text.enumerated() {
            guard let digit = character.hexDigitValue, digit < radix else {
                let rest = word.dropFirst(word.count - text.count + offset)
                return .failure(ValueError(message: "invalid character starting at '\(rest)' (integer/hex value expected)"))
            }
            value = value &* UInt64(radix) &+ UInt64(digit)
        }
        return .success(value)
    }
}
