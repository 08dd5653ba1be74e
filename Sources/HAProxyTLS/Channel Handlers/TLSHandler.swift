import COpenSSL
import HAProxyRules
import NIOCore

/// Tells the handlers after it that the TLS handshake completed.
public struct TLSHandshakeCompleted: Sendable {}

/// Counts TLS connections for `show info` (the runtime sets one).
public protocol TLSConnectionObserver: AnyObject, Sendable {
    /// A handshake completed: a connection to a server (`client`) or from
    /// a client; `resumed` when no new key was made.
    func tlsEstablished(client: Bool, resumed: Bool)
    /// An established connection closed.
    func tlsClosed(client: Bool)
}

/// The handler right after a `TLSHandler`, when it takes the plaintext
/// from it directly: a call instead of the pipeline's hop (and its NIOAny
/// wrapping) on every read. Writes go the other way through
/// `TLSHandler.write(plaintext:)` and `flushPlaintext()`.
public protocol TLSPlaintextReader: AnyObject {
    func tlsRead(_ plaintext: ByteBuffer)
    func tlsReadComplete()
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

/// The TLS record layer of one connection, first in its pipeline: it
/// reads ciphertext from the socket and hands plaintext to the handler
/// after it, and encrypts what that handler writes. OpenSSL runs over a
/// transport BIO of our own (`hap_tls_io`): it reads the ciphertext
/// received in place, from the buffer the channel read, and writes into
/// memory this handler empties onto the channel. It never touches the
/// socket and never blocks the event loop.
///
/// Writes made before the handshake completes (a request sent to a
/// server as soon as it is connected) wait and go out after it. A
/// `close_notify` from the peer reads as an input close (half-close), and
/// closing the output sends one.
public final class TLSHandler: ChannelDuplexHandler, TLSSessionView {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State { case handshaking, established, closed }

    private let ssl: OpaquePointer
    /// The transport BIO's state: the ciphertext OpenSSL may read, what it
    /// wrote. Freed with the BIO, with the SSL.
    private let io: UnsafeMutablePointer<hap_tls_io>
    /// The transport BIO's method, one for all connections.
    nonisolated(unsafe) private static let transport: OpaquePointer? = hap_tls_io_method_new()
    private let isClient: Bool
    /// Keeps the SSL_CTXs (and their callbacks' argument) alive.
    private let owner: AnyObject
    private var state = State.handshaking
    private var pendingWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var flushPending = false
    private var closeNotifySent = false
    private var closeCounted = false
    /// Bytes sent in clear before the ClientHello (a PROXY protocol header).
    private var preamble: ByteBuffer?
    /// `accept-proxy`: a PROXY protocol header comes in clear before the
    /// ClientHello and goes on as is to the stream, which reads it.
    public var expectsProxyHeader = false
    private var proxyHeaderBytes: ByteBuffer?
    /// Completed when the handshake ends, either way (see `handshakeDone`).
    private var handshakePromise: EventLoopPromise<Void>?
    /// Where handshakes and closes are counted; set once at start.
    nonisolated(unsafe) public static var observer: (any TLSConnectionObserver)?
    private var failure: Error?
    /// The channel's allocator, read once (the channel's getter is not free).
    private var allocator = ByteBufferAllocator()
    /// This handler's place in its pipeline, from `handlerAdded` to
    /// `handlerRemoved` (the pipeline's teardown breaks the cycle).
    private var context: ChannelHandlerContext?
    /// The handler after this one when it reads the plaintext directly;
    /// cleared with `context`.
    public var reader: (any TLSPlaintextReader)?
    /// Ciphertext received that OpenSSL did not read before the handler
    /// stopped reading (the connection failed or closed meanwhile): it
    /// comes before the next bytes received.
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
    init?(ssl: OpaquePointer, isClient: Bool, owner: AnyObject, preamble: ByteBuffer? = nil) {
        var state: UnsafeMutablePointer<hap_tls_io>?
        guard let method = Self.transport, let bio = hap_tls_io_new(method, &state), let state else { return nil }
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

    // MARK: Inbound

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        allocator = context.channel.allocator
        if isClient && context.channel.isActive { startHandshake(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        reader = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        if isClient { startHandshake(context: context) }
        context.fireChannelActive()
    }

    private func startHandshake(context: ChannelHandlerContext) {
        guard state == .handshaking, io.pointee.output_len == 0, !handshakeStarted() else { return }
        if let preamble {
            self.preamble = nil
            context.write(wrapOutboundOut(preamble), promise: nil)
        }
        advanceHandshake(context: context)
        context.flush()
    }

    private func handshakeStarted() -> Bool { SSL_in_before(ssl) == 0 }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard state != .closed else { return }
        if expectsProxyHeader {
            if var held = proxyHeaderBytes {
                held.writeBuffer(&buffer)
                buffer = held
                proxyHeaderBytes = nil
            }
            guard let length = ProxyHeaderLength.of(buffer) else {
                proxyHeaderBytes = buffer
                return
            }
            expectsProxyHeader = false
            // Not a PROXY header (length 0): all of it goes on, for the
            // stream to refuse as it refuses a missing header.
            let header = buffer.readSlice(length: length == 0 ? buffer.readableBytes : length)!
            context.fireChannelRead(wrapInboundOut(header))
            if length == 0 { return }
            guard buffer.readableBytes > 0 else { return }
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
                advanceHandshake(context: context)
            }
            if state == .established {
                readPlaintext(context: context, hint: fed)
            }
            let left = io.pointee.input_len
            io.pointee.input = nil
            io.pointee.input_len = 0
            return left
        }
        if left > 0, state != .closed {
            unread = buffer.getSlice(at: buffer.readerIndex + fed - left, length: left)
        }
        if io.pointee.output_len > 0 {
            writeCiphertext(context: context, promise: nil)
            context.flush()
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if let reader {
            reader.tlsReadComplete()
        } else {
            context.fireChannelReadComplete()
        }
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed, state == .handshaking {
            fail(context: context, TLSError.closedDuringHandshake)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if state == .handshaking { failHandshake(TLSError.closedDuringHandshake) }
        if SSL_is_init_finished(ssl) == 1 && !closeCounted {
            closeCounted = true
            Self.observer?.tlsClosed(client: isClient)
        }
        state = .closed
        failPendingWrites(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        let rc = SSL_do_handshake(ssl)
        if rc == 1 {
            state = .established
            Self.observer?.tlsEstablished(client: isClient, resumed: SSL_session_reused(ssl) == 1)
            handshakePromise?.succeed(())
            handshakePromise = nil
            context.fireUserInboundEventTriggered(TLSHandshakeCompleted())
            let writes = pendingWrites
            pendingWrites = []
            for (buffer, promise) in writes { encrypt(buffer, context: context, promise: promise) }
            if flushPending || !writes.isEmpty {
                flushPending = false
                context.flush()
            }
            return
        }
        let error = SSL_get_error(ssl, rc)
        if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE {
            if io.pointee.output_len > 0 {
                writeCiphertext(context: context, promise: nil)
                context.flush()
            }
            return
        }
        let reason = OpenSSLErrors.drain()
        fail(context: context, TLSError.handshakeFailed(reason))
    }

    /// Decrypts every complete record received; plaintext goes on in
    /// buffers sized after the ciphertext fed (plaintext is never larger).
    /// Once OpenSSL holds nothing and no ciphertext is left to read,
    /// another SSL_read could only ask for more: no buffer is made for it.
    private func readPlaintext(context: ChannelHandlerContext, hint: Int) {
        while state == .established {
            let buffered = io.pointee.input_len
            guard buffered > 0 || SSL_has_pending(ssl) == 1 else { return }
            let capacity = max(1024, min(16384, max(hint, buffered) + Int(SSL_pending(ssl))))
            var out = reusable(&plaintextSpare, capacity: capacity)
            let n = out.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { p in
                Int(max(0, SSL_read(ssl, p.baseAddress, Int32(p.count))))
            }
            if n > 0 {
                if out.capacity <= Self.spareCapacity { plaintextSpare = out }
                if let reader {
                    reader.tlsRead(out)
                } else {
                    context.fireChannelRead(wrapInboundOut(out))
                }
                continue
            }
            if out.capacity <= Self.spareCapacity { plaintextSpare = out }
            let error = SSL_get_error(ssl, 0)
            switch error {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return
            case SSL_ERROR_ZERO_RETURN:
                // close_notify: the peer finished sending.
                OpenSSLErrors.drain()
                context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
                return
            default:
                let reason = OpenSSLErrors.drain()
                fail(context: context, TLSError.protocolError(reason))
                return
            }
        }
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        send(unwrapOutboundIn(data), context: context, promise: promise)
    }

    /// Encrypts and queues `plaintext` as a write of the handler after this
    /// one would, without the pipeline's hop between them (the stream's
    /// relay writes through here). Dropped once the pipeline is torn down.
    public func write(plaintext: ByteBuffer) {
        guard let context else { return }
        send(plaintext, context: context, promise: nil)
    }

    /// Flushes as a flush of the handler after this one would.
    public func flushPlaintext() {
        guard let context else { return }
        flush(context: context)
    }

    private func send(_ buffer: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        switch state {
        case .handshaking:
            pendingWrites.append((buffer, promise))
        case .established:
            encrypt(buffer, context: context, promise: promise)
        case .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        if state == .handshaking {
            flushPending = true
            return
        }
        context.flush()
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode != .input, state == .established, !closeNotifySent {
            closeNotifySent = true
            _ = SSL_shutdown(ssl)
            OpenSSLErrors.drain()
            if io.pointee.output_len > 0 {
                writeCiphertext(context: context, promise: nil)
                context.flush()
            }
        }
        if mode == .all {
            state = .closed
            failPendingWrites(ChannelError.ioOnClosedChannel)
        }
        context.close(mode: mode, promise: promise)
    }

    /// Encrypts `buffer` one record at a time and queues the records as
    /// one write. Each record goes straight into the buffer queued, the
    /// transport writing into its free space (`window`); what does not fit
    /// (a record larger than `recordOverhead` allows for, something OpenSSL
    /// sends on its own) goes to the transport's memory and is appended
    /// after it, so that memory holds one record at most.
    private func encrypt(_ buffer: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let count = buffer.readableBytes
        guard count > 0 else {
            // An empty write (a caller waiting for what is queued) stays one.
            context.write(wrapOutboundOut(buffer), promise: promise)
            return
        }
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
            if out.readableBytes > 0 { context.write(wrapOutboundOut(out), promise: nil) }
            promise?.fail(TLSError.protocolError(reason))
            fail(context: context, TLSError.protocolError(reason))
            return
        }
        queue(ciphertext: out, context: context, promise: promise)
    }

    /// The largest TLS record's plaintext, and room for what a record adds
    /// to it (header, tag or MAC and padding).
    private static let recordSize = 16384
    private static let recordOverhead = 64

    /// Moves what OpenSSL wrote to the transport (a handshake flight, an
    /// alert, a close_notify) to the socket.
    private func writeCiphertext(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let pending = io.pointee.output_len
        guard pending > 0 else {
            promise?.succeed(())
            return
        }
        var out = reusable(&ciphertextSpare, capacity: pending)
        takeOutput(into: &out)
        queue(ciphertext: out, context: context, promise: promise)
    }

    /// Appends what OpenSSL wrote to the transport to `out`.
    @inline(__always)
    private func takeOutput(into out: inout ByteBuffer) {
        let pending = io.pointee.output_len
        guard pending > 0 else { return }
        out.writeBytes(UnsafeRawBufferPointer(start: io.pointee.output, count: pending))
        io.pointee.output_len = 0
    }

    private func queue(ciphertext: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        // The transport's memory for a full record or a large flight is not
        // kept between writes, nor a large buffer.
        if io.pointee.output_cap > Self.spareCapacity { hap_tls_io_release_output(io) }
        if ciphertext.capacity <= Self.spareCapacity { ciphertextSpare = ciphertext }
        context.write(wrapOutboundOut(ciphertext), promise: promise)
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

    /// Succeeds once the handshake completed, fails if it did not: a
    /// server connection counts as established only then, so that a failed
    /// handshake is a connection error (retried, then 503), as in 2.6.
    /// Those waiting are told before the connection closes.
    public func handshakeDone(on loop: EventLoop) -> EventLoopFuture<Void> {
        switch state {
        case .established: return loop.makeSucceededVoidFuture()
        case .closed: return loop.makeFailedFuture(failure ?? TLSError.closedDuringHandshake)
        case .handshaking:
            let promise = handshakePromise ?? loop.makePromise()
            handshakePromise = promise
            return promise.futureResult
        }
    }

    private func failHandshake(_ error: Error) {
        failure = error
        let promise = handshakePromise
        handshakePromise = nil
        promise?.fail(error)
    }

    private func fail(context: ChannelHandlerContext, _ error: Error) {
        guard state != .closed else { return }
        if state == .handshaking { failHandshake(error) }
        // What OpenSSL queued (an alert) goes out before the close.
        if io.pointee.output_len > 0 {
            writeCiphertext(context: context, promise: nil)
            context.flush()
        }
        state = .closed
        failPendingWrites(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func failPendingWrites(_ error: Error) {
        let writes = pendingWrites
        pendingWrites = []
        for (_, promise) in writes { promise?.fail(error) }
    }

    // MARK: TLSSessionView

    public var isEstablished: Bool { state == .established || (state == .closed && SSL_is_init_finished(ssl) == 1) }

    public var protocolVersion: String? {
        guard isEstablished, let v = SSL_get_version(ssl) else { return nil }
        return String(cString: v)
    }

    public var cipherName: String? {
        guard isEstablished, let c = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(c) else { return nil }
        return String(cString: name)
    }

    public var cipherUsedBits: Int? {
        guard isEstablished, let c = SSL_get_current_cipher(ssl) else { return nil }
        return Int(SSL_CIPHER_get_bits(c, nil))
    }

    public var cipherAlgorithmBits: Int? {
        guard isEstablished, let c = SSL_get_current_cipher(ssl) else { return nil }
        var bits: Int32 = 0
        _ = SSL_CIPHER_get_bits(c, &bits)
        return Int(bits)
    }

    public var serverName: String? {
        guard let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else { return nil }
        return String(cString: name)
    }

    public var alpnProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    public var npnProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_next_proto_negotiated(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    public var isResumed: Bool { SSL_session_reused(ssl) == 1 }

    public var hasPeerCertificate: Bool { SSL_get0_peer_certificate(ssl) != nil }

    public var peerVerifyResult: Int { Int(SSL_get_verify_result(ssl)) }
    public var peerCertificateError: Int { Int(hap_ssl_crt_err(ssl)) }
    public var peerCAError: Int { Int(hap_ssl_ca_err(ssl)) }
    public var peerCAErrorDepth: Int { Int(hap_ssl_ca_err_depth(ssl)) }

    public func peerSubject(entry: String?) -> String? {
        guard let cert = SSL_get0_peer_certificate(ssl) else { return nil }
        return Self.text(of: X509_get_subject_name(cert), entry: entry)
    }

    public func peerIssuer(entry: String?) -> String? {
        guard let cert = SSL_get0_peer_certificate(ssl) else { return nil }
        return Self.text(of: X509_get_issuer_name(cert), entry: entry)
    }

    public var peerSerial: [UInt8]? {
        guard let cert = SSL_get0_peer_certificate(ssl), let serial = X509_get0_serialNumber(cert) else { return nil }
        return Self.bytes(of: serial)
    }

    public var peerNotBefore: String? {
        guard let cert = SSL_get0_peer_certificate(ssl), let t = X509_get0_notBefore(cert) else { return nil }
        return Self.bytes(of: t).map { String(decoding: $0, as: UTF8.self) }
    }

    public var peerNotAfter: String? {
        guard let cert = SSL_get0_peer_certificate(ssl), let t = X509_get0_notAfter(cert) else { return nil }
        return Self.bytes(of: t).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func bytes(of string: UnsafePointer<asn1_string_st>) -> [UInt8]? {
        guard let data = ASN1_STRING_get0_data(string) else { return nil }
        return Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(string))))
    }

    private static func text(of name: OpaquePointer?, entry: String?) -> String? {
        guard let name else { return nil }
        var buffer = [CChar](repeating: 0, count: 1024)
        let n: Int32
        if let entry {
            n = hap_x509_name_entry(name, entry, &buffer, Int32(buffer.count))
        } else {
            n = hap_x509_name_oneline(name, &buffer, Int32(buffer.count))
        }
        guard n >= 0 else { return nil }
        return String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
