/// The client's own socket, as the `fc_*` fetches read it (manual 7.3.4):
/// its addresses are the socket's whatever a PROXY header, `set-src` or
/// `set-dst` made of `src` and `dst` (2.6 answers 127.0.0.1 to `fc_src`
/// after both), and its round trip times come from the kernel.
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
}
