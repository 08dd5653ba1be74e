import COpenSSL
import HAProxyRules
import NIOCore

/// Counts TLS connections for `show info` (the runtime sets one).
public protocol TLSConnectionObserver: AnyObject, Sendable {
    /// A handshake completed: a connection to a server (`client`) or from
    /// a client; `resumed` when no new key was made.
    func tlsEstablished(client: Bool, resumed: Bool)
    /// An established connection closed.
    func tlsClosed(client: Bool)
}

/// Why a TLS connection ended in error.
public enum TLSError: Error, CustomStringConvertible {
    case handshakeFailed(String?)
    case protocolError(String?)
    case closedDuringHandshake

    public var description: String {
        switch self {
        case .handshakeFailed(let r): return "SSL handshake failure" + (r.map { " (\($0))" } ?? "")
        case .protocolError(let r): return "SSL protocol error" + (r.map { " (\($0))" } ?? "")
        case .closedDuringHandshake: return "connection closed during SSL handshake"
        }
    }
}

/// Where a `TLSEngine` sends what it makes: ciphertext for the socket,
/// plaintext and the connection's TLS events for whoever reads it. A NIO
/// channel's `TLSHandler` and the I/O driver's TLS connection are the two.
/// Called only from inside the engine's methods, on the connection's loop.
public protocol TLSEngineTransport: AnyObject {
    /// Queues ciphertext (a handshake flight, an alert, a close_notify).
    func tlsSend(_ ciphertext: ByteBuffer)
    /// Sends what `tlsSend` queued.
    func tlsFlush()
    /// Plaintext decrypted, in order (and, with `expectsProxyHeader`, the
    /// PROXY header received in clear before the ClientHello).
    func tlsReceived(_ plaintext: ByteBuffer)
    /// The handshake completed: writes held until now may be encrypted.
    func tlsHandshakeCompleted()
    /// The peer's close_notify: it finished sending (a half-close).
    func tlsPeerFinished()
    /// The connection failed (the alert OpenSSL made, if any, was sent):
    /// the transport closes it.
    func tlsFailed(_ error: TLSError)
}

/// The TLS record layer of one connection, without any I/O of its own:
/// ciphertext received is fed in (`receive`), plaintext to send is
/// encrypted (`encrypt`), and what comes out goes to its `transport`.
/// OpenSSL runs over a transport BIO of our own (`hap_tls_io`): it reads
/// the ciphertext received in place, from the buffer the socket was read
/// into, and writes into memory the engine empties, or straight into the
/// buffer about to be queued on the socket. It never touches the socket
/// and never blocks the event loop.
///
/// Used on its connection's loop only.
public final class TLSEngine: TLSSessionView {
    public enum State { case handshaking, established, closed }

    let ssl: OpaquePointer
    /// The transport BIO's state: the ciphertext OpenSSL may read, what it
    /// wrote. Freed with the BIO, with the SSL.
    private let io: UnsafeMutablePointer<hap_tls_io>
    /// The transport BIO's method, one for all connections.
    nonisolated(unsafe) private static let method: OpaquePointer? = hap_tls_io_method_new()
    public let isClient: Bool
    /// Keeps the SSL_CTXs (and their callbacks' argument) alive.
    private let owner: AnyObject
    public private(set) var state = State.handshaking
    /// Its owner, which holds the engine: it calls the engine, and only
    /// from inside those calls does the engine call it back.
    public unowned(unsafe) var transport: (any TLSEngineTransport)?
    private var closeNotifySent = false
    private var closeCounted = false
    /// Bytes sent in clear before the ClientHello (a PROXY protocol header).
    private var preamble: ByteBuffer?
    /// `accept-proxy`: a PROXY protocol header comes in clear before the
    /// ClientHello and goes on as is to the stream, which reads it.
    public var expectsProxyHeader = false
    private var proxyHeaderBytes: ByteBuffer?
    /// Where handshakes and closes are counted; set once at start.
    nonisolated(unsafe) public static var observer: (any TLSConnectionObserver)?
    /// Why the connection failed, once it did.
    public private(set) var failure: TLSError?
    public var allocator = ByteBufferAllocator()
    /// Ciphertext received that OpenSSL did not read before the engine
    /// stopped reading (the connection failed or closed meanwhile): it
    /// comes before the next bytes received. A copy: the bytes fed may sit
    /// in a buffer the socket's next read reuses.
    private var unread: ByteBuffer?
    /// The buffers last handed on, plaintext and ciphertext: reused for the
    /// next when nothing else holds them any more (the stream consumed the
    /// plaintext, the socket took the ciphertext), which saves two buffer
    /// allocations per request on a kept-alive connection. Only small ones
    /// are kept, so that an idle connection holds little.
    private var plaintextSpare: ByteBuffer?
    private var ciphertextSpare: ByteBuffer?
    private static let spareCapacity = 4096

    /// Fails only when memory is short; the SSL is then the caller's.
    public init?(ssl: OpaquePointer, isClient: Bool, owner: AnyObject, preamble: ByteBuffer? = nil) {
        var state: UnsafeMutablePointer<hap_tls_io>?
        guard let method = Self.method, let bio = hap_tls_io_new(method, &state), let state else { return nil }
        self.ssl = ssl
        self.io = state
        self.isClient = isClient
        self.owner = owner
        self.preamble = preamble
        // One BIO both ways; the SSL takes its one reference.
        SSL_set_bio(ssl, bio, bio)
        if isClient { SSL_set_connect_state(ssl) } else { SSL_set_accept_state(ssl) }
    }

    deinit {
        SSL_free(ssl)
    }

    // MARK: Handshake

    /// A client's connection is up: sends the preamble, then the
    /// ClientHello. Once only.
    public func startHandshake() {
        guard isClient, state == .handshaking, io.pointee.output_len == 0, SSL_in_before(ssl) != 0 else { return }
        if let preamble {
            self.preamble = nil
            transport?.tlsSend(preamble)
        }
        advanceHandshake()
        transport?.tlsFlush()
    }

    private func advanceHandshake() {
        let rc = SSL_do_handshake(ssl)
        if rc == 1 {
            state = .established
            Self.observer?.tlsEstablished(client: isClient, resumed: SSL_session_reused(ssl) == 1)
            transport?.tlsHandshakeCompleted()
            return
        }
        let error = SSL_get_error(ssl, rc)
        if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE {
            if io.pointee.output_len > 0 {
                sendOutput()
                transport?.tlsFlush()
            }
            return
        }
        let reason = OpenSSLErrors.drain()
        fail(TLSError.handshakeFailed(reason))
    }

    // MARK: Receiving

    /// Ciphertext from the socket: advances the handshake, then hands every
    /// complete record's plaintext to the transport. Bytes of an incomplete
    /// record wait inside OpenSSL for the rest.
    public func receive(_ received: ByteBuffer) {
        guard state != .closed else { return }
        var buffer = received
        if expectsProxyHeader {
            if var held = proxyHeaderBytes {
                held.writeBuffer(&buffer)
                buffer = held
                proxyHeaderBytes = nil
            }
            guard let length = ProxyHeaderLength.of(buffer) else {
                var copy = allocator.buffer(capacity: buffer.readableBytes)
                copy.writeBuffer(&buffer)
                proxyHeaderBytes = copy
                return
            }
            expectsProxyHeader = false
            // Not a PROXY header (length 0): all of it goes on, for the
            // stream to refuse as it refuses a missing header.
            let header = buffer.readSlice(length: length == 0 ? buffer.readableBytes : length)!
            transport?.tlsReceived(header)
            if length == 0 { return }
            guard buffer.readableBytes > 0, state != .closed else { return }
        }
        if var held = unread {
            unread = nil
            held.writeBuffer(&buffer)
            buffer = held
        }
        // OpenSSL reads the ciphertext in place, for as long as this
        // closure runs: every SSL call that reads is made inside it.
        let fed = buffer.readableBytes
        let left = buffer.withUnsafeReadableBytes { p -> Int in
            io.pointee.input = p.baseAddress?.assumingMemoryBound(to: UInt8.self)
            io.pointee.input_len = p.count
            if state == .handshaking {
                advanceHandshake()
            }
            if state == .established {
                readPlaintext(hint: fed)
            }
            let left = io.pointee.input_len
            io.pointee.input = nil
            io.pointee.input_len = 0
            return left
        }
        if left > 0, state != .closed {
            var copy = allocator.buffer(capacity: left)
            copy.writeBytes(buffer.readableBytesView.suffix(left))
            unread = copy
        }
        if io.pointee.output_len > 0 {
            sendOutput()
            transport?.tlsFlush()
        }
    }

    /// Decrypts every complete record received; plaintext goes on in
    /// buffers sized after the ciphertext fed (plaintext is never larger).
    /// Once OpenSSL holds nothing and no ciphertext is left to read,
    /// another SSL_read could only ask for more: no buffer is made for it.
    private func readPlaintext(hint: Int) {
        while state == .established {
            let buffered = io.pointee.input_len
            guard buffered > 0 || SSL_has_pending(ssl) == 1 else { return }
            let capacity = max(1024, min(16384, max(hint, buffered) + Int(SSL_pending(ssl))))
            var out = reusable(&plaintextSpare, capacity: capacity)
            let n = out.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { p in
                Int(max(0, SSL_read(ssl, p.baseAddress, Int32(p.count))))
            }
            if out.capacity <= Self.spareCapacity { plaintextSpare = out }
            if n > 0 {
                transport?.tlsReceived(out)
                continue
            }
            let error = SSL_get_error(ssl, 0)
            switch error {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return
            case SSL_ERROR_ZERO_RETURN:
                // close_notify: the peer finished sending.
                OpenSSLErrors.drain()
                transport?.tlsPeerFinished()
                return
            default:
                let reason = OpenSSLErrors.drain()
                fail(TLSError.protocolError(reason))
                return
            }
        }
    }

    // MARK: Sending

    /// Encrypts `buffer` one record at a time into one buffer of records,
    /// for the caller to queue; nil when the connection failed meanwhile
    /// (then reported to the transport). Each record goes straight into
    /// the buffer returned, the transport BIO writing into its free space
    /// (`window`); what does not fit (a record larger than `recordOverhead`
    /// allows for, something OpenSSL sends on its own) goes to the BIO's
    /// memory and is appended after it, so that memory holds one record at
    /// most. Only once established.
    public func encrypt(_ buffer: ByteBuffer) -> ByteBuffer? {
        guard state == .established else { return nil }
        let count = buffer.readableBytes
        let records = (count + Self.recordSize - 1) / Self.recordSize
        var out = reusable(&ciphertextSpare, capacity: count + records * Self.recordOverhead)
        let ok = buffer.withUnsafeReadableBytes { p -> Bool in
            var offset = 0
            while offset < count {
                let n = min(Self.recordSize, count - offset)
                var written = false
                out.writeWithUnsafeMutableBytes(minimumWritableBytes: n + Self.recordOverhead) { window -> Int in
                    io.pointee.window = window.baseAddress?.assumingMemoryBound(to: UInt8.self)
                    io.pointee.window_cap = window.count
                    io.pointee.window_len = 0
                    written = SSL_write(ssl, p.baseAddress! + offset, Int32(n)) > 0
                    let used = io.pointee.window_len
                    io.pointee.window = nil
                    io.pointee.window_cap = 0
                    io.pointee.window_len = 0
                    return used
                }
                guard written else { return false }
                takeOutput(into: &out)
                offset += n
            }
            return true
        }
        guard ok else {
            let reason = OpenSSLErrors.drain()
            // The records made before the failure go out before its alert.
            if out.readableBytes > 0 { transport?.tlsSend(out) }
            fail(TLSError.protocolError(reason))
            return nil
        }
        keepSpare(out)
        return out
    }

    /// The largest TLS record's plaintext, and room for what a record adds
    /// to it (header, tag or MAC and padding).
    private static let recordSize = 16384
    private static let recordOverhead = 64

    /// Sends a close_notify (once, when established) and flushes it.
    public func sendCloseNotify() {
        guard state == .established, !closeNotifySent else { return }
        closeNotifySent = true
        _ = SSL_shutdown(ssl)
        OpenSSLErrors.drain()
        if io.pointee.output_len > 0 {
            sendOutput()
            transport?.tlsFlush()
        }
    }

    /// Moves what OpenSSL wrote to the BIO's memory (a handshake flight, an
    /// alert, a close_notify) to the transport.
    private func sendOutput() {
        let pending = io.pointee.output_len
        guard pending > 0 else { return }
        var out = reusable(&ciphertextSpare, capacity: pending)
        takeOutput(into: &out)
        keepSpare(out)
        transport?.tlsSend(out)
    }

    /// Appends what OpenSSL wrote to the BIO's memory to `out`.
    @inline(__always)
    private func takeOutput(into out: inout ByteBuffer) {
        let pending = io.pointee.output_len
        guard pending > 0 else { return }
        out.writeBytes(UnsafeRawBufferPointer(start: io.pointee.output, count: pending))
        io.pointee.output_len = 0
    }

    @inline(__always)
    private func keepSpare(_ ciphertext: ByteBuffer) {
        // The BIO's memory for a full record or a large flight is not kept
        // between writes, nor a large buffer.
        if io.pointee.output_cap > Self.spareCapacity { hap_tls_io_release_output(io) }
        if ciphertext.capacity <= Self.spareCapacity { ciphertextSpare = ciphertext }
    }

    /// A buffer for `capacity` bytes: the spare one when it is large
    /// enough (its storage reused when nothing else holds it any more),
    /// else a new one.
    @inline(__always)
    private func reusable(_ spare: inout ByteBuffer?, capacity: Int) -> ByteBuffer {
        guard var buffer = spare, buffer.capacity >= capacity else { return allocator.buffer(capacity: capacity) }
        spare = nil
        buffer.clear()
        return buffer
    }

    // MARK: The end

    /// Fails the connection: what OpenSSL queued (an alert) goes out, then
    /// the transport hears of it and closes. Once.
    public func fail(_ error: TLSError) {
        guard state != .closed else { return }
        if io.pointee.output_len > 0 {
            sendOutput()
            transport?.tlsFlush()
        }
        state = .closed
        failure = error
        transport?.tlsFailed(error)
    }

    /// The socket closed, either way. Returns whether the handshake was
    /// still going on (then `failure` says why, if known).
    @discardableResult
    public func connectionClosed() -> Bool {
        let wasHandshaking = state == .handshaking
        if wasHandshaking && failure == nil { failure = .closedDuringHandshake }
        if SSL_is_init_finished(ssl) == 1 && !closeCounted {
            closeCounted = true
            Self.observer?.tlsClosed(client: isClient)
        }
        state = .closed
        unread = nil
        proxyHeaderBytes = nil
        return wasHandshaking
    }
}
