#if canImport(Glibc)
import Glibc
#endif
import HAProxyIO
import NIOConcurrencyHelpers
import NIOCore
import XCTest

/// Connections and listeners of the I/O driver over real loopback sockets,
/// the peer being a plain blocking socket of the test.
final class IOConnectionTests: IOLoopTestCase {
    func testEchoesAndForwardsAHalfCloseAfterTheLastByte() throws {
        let server = try EchoServer(loop: loop)
        let client = try BlockingSocket(connectingTo: server.port)
        try client.send(Array("hello".utf8))
        XCTAssertEqual(try client.receive(count: 5), Array("hello".utf8))
        try client.send(Array(" world".utf8))
        client.shutdownOutput()
        // The echo of the last bytes, then the FIN the half-close caused.
        XCTAssertEqual(try client.receiveUntilEnd(), Array(" world".utf8))
        // Both directions shut: the connection closes.
        try server.waitFor("closed")
    }

    func testLargeTransfersCrossTheWaterMarksAndArriveWhole() throws {
        var generator = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &generator)
        print("seed \(seed)")
        var random = SplitMix(seed: seed)
        let size = 3 * 1024 * 1024 + Int(random.next() % 65536)
        let payload = (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let server = try EchoServer(loop: loop)
        let client = try BlockingSocket(connectingTo: server.port, receiveBuffer: 16384)
        // The client does not read until the echo's queue passed the high
        // water mark (the echo then stops reading); it goes on once drained.
        let sender = Thread { try? client.send(payload); client.shutdownOutput() }
        sender.start()
        try server.waitFor("unwritable")
        let echoed = try client.receiveUntilEnd()
        XCTAssertEqual(echoed.count, payload.count)
        XCTAssertTrue(echoed == payload, "echo differs (seed \(seed))")
        let events = server.events.withLockedValue { $0 }
        XCTAssertTrue(events.contains("writable"), "the queue never went under the low water mark: \(events.suffix(5))")
    }

    func testConnectsAndReportsARefusedConnection() throws {
        let listening = try BlockingSocket(listening: ())
        let outcome = loop.makePromise(of: String.self)
        let refusedOutcome = loop.makePromise(of: String.self)
        let closedPort = try BlockingSocket(listening: ())
        let refusedPort = closedPort.port
        closedPort.close()
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: listening.port)
        let refused = try SocketAddress(ipAddress: "127.0.0.1", port: refusedPort)
        loop.execute {
            do {
                let up = ConnectWatcher { connection, error in
                    outcome.succeed(error == nil ? "up \(connection.remoteAddress?.port ?? 0)" : "failed")
                    connection.close()
                }
                let down = ConnectWatcher { _, error in
                    refusedOutcome.succeed(error.map { "\($0.errno == ECONNREFUSED)" } ?? "up")
                }
                _ = try IOConnection.connect(to: address, on: self.loop, owner: up)
                _ = try IOConnection.connect(to: refused, on: self.loop, owner: down)
            } catch {
                outcome.fail(error)
            }
        }
        XCTAssertEqual(try outcome.futureResult.wait(), "up \(listening.port)")
        XCTAssertEqual(try refusedOutcome.futureResult.wait(), "true")
    }

    func testStoppedReadsLeaveBytesInTheSocketUntilResumed() throws {
        let server = try EchoServer(loop: loop, startReading: false)
        let client = try BlockingSocket(connectingTo: server.port)
        try client.send(Array("abc".utf8))
        // Nothing is read while reads are stopped: the accept is seen, no data.
        try server.waitFor("accepted")
        try loop.submit {}.wait()
        XCTAssertFalse(server.events.withLockedValue { $0 }.contains { $0.hasPrefix("read") })
        try loop.submit { server.connections.first?.isReading = true }.wait()
        XCTAssertEqual(try client.receive(count: 3), Array("abc".utf8))
    }
}

/// The listener accepts every connection of a burst, a TCP listener
/// without an accept(2) that finds the queue empty.
final class IOListenerTests: IOLoopTestCase {
    func testATCPListenerAcceptsAQueuedBurstWithoutMeetingTheEmptyQueue() throws {
        let server = try EchoServer(loop: loop)
        let clients = try connectWhileTheLoopWaits(count: 10) { try BlockingSocket(connectingTo: server.port) }
        try server.waitForAccepted(10)
        // The loop still answers each one.
        for (index, client) in clients.enumerated() {
            try client.send(Array("c\(index)".utf8))
            XCTAssertEqual(try client.receive(count: 2), Array("c\(index)".utf8))
        }
        XCTAssertEqual(try loop.submit { server.listener!.emptyAccepts }.wait(), 0)
    }

    func testABurstLargerThanMaxAcceptIsTakenOverSeveralTurns() throws {
        let server = try EchoServer(loop: loop)
        try loop.submit { server.listener!.maxAccept = 3 }.wait()
        _ = try connectWhileTheLoopWaits(count: 11) { try BlockingSocket(connectingTo: server.port) }
        try server.waitForAccepted(11)
        XCTAssertEqual(try loop.submit { server.listener!.emptyAccepts }.wait(), 0)
    }

    func testAUNIXListenerAcceptsUntilTheQueueIsEmpty() throws {
        let path = "/tmp/haproxy-io-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path) }
        let server = try EchoServer(loop: loop, unixPath: path)
        let clients = try connectWhileTheLoopWaits(count: 3) { try BlockingSocket(connectingToPath: path) }
        try server.waitForAccepted(3)
        try clients[2].send(Array("u2".utf8))
        XCTAssertEqual(try clients[2].receive(count: 2), Array("u2".utf8))
        // No queue length here: the accepts go on until one finds the queue empty.
        XCTAssertGreaterThan(try loop.submit { server.listener!.emptyAccepts }.wait(), 0)
    }

    /// Connects `count` clients while the loop is held in a task, so that
    /// they all wait in the listener's queue when it looks.
    private func connectWhileTheLoopWaits(
        count: Int, _ connect: () throws -> BlockingSocket
    ) throws -> [BlockingSocket] {
        let held = NIOLockedValueBox(false)
        let release = ConditionLock(value: false)
        loop.execute {
            held.withLockedValue { $0 = true }
            release.lock(whenValue: true)
            release.unlock()
        }
        while !held.withLockedValue({ $0 }) { sched_yield() }
        defer {
            release.lock()
            release.unlock(withValue: true)
        }
        return try (0..<count).map { _ in try connect() }
    }
}

/// Reports the end of a connect, and nothing else.
final class ConnectWatcher: IOConnectionOwner {
    let done: (IOConnection, SystemCallError?) -> Void
    init(_ done: @escaping (IOConnection, SystemCallError?) -> Void) { self.done = done }
    func ioConnected(_ connection: IOConnection, error: SystemCallError?) { done(connection, error) }
    func ioRead(_ connection: IOConnection, _ bytes: ByteBuffer) {}
    func ioReadComplete(_ connection: IOConnection) {}
    func ioInputClosed(_ connection: IOConnection) {}
    func ioWritabilityChanged(_ connection: IOConnection, writable: Bool) {}
    func ioClosed(_ connection: IOConnection, error: SystemCallError?) {}
}

/// An echo server on the loop: every byte read is written back; a
/// half-close is answered by one once the echo is sent.
final class EchoServer: IOListenerOwner, IOConnectionOwner, @unchecked Sendable {
    let loop: IOLoop
    let listening: BlockingSocket
    var port: Int { listening.port }
    let events = NIOLockedValueBox<[String]>([])
    private let startReading: Bool
    var connections: [IOConnection] = []
    private(set) var listener: IOListener?

    init(loop: IOLoop, startReading: Bool = true, unixPath: String? = nil) throws {
        self.loop = loop
        self.startReading = startReading
        listening = try unixPath.map { try BlockingSocket(listeningOnPath: $0) } ?? BlockingSocket(listening: ())
        try loop.submit { self.listener = try IOListener(fd: self.listening.fd, on: loop, owner: self) }.wait()
    }

    func waitForAccepted(_ count: Int) throws {
        let deadline = NIODeadline.now() + .seconds(10)
        while events.withLockedValue({ $0.filter { $0 == "accepted" }.count }) < count {
            guard NIODeadline.now() < deadline else {
                throw SystemCallError(errno: ETIMEDOUT, call: "wait for \(count) accepted connections")
            }
            try loop.submit {}.wait()
        }
    }

    func waitFor(_ event: String) throws {
        let deadline = NIODeadline.now() + .seconds(10)
        while !events.withLockedValue({ $0.contains(event) }) {
            guard NIODeadline.now() < deadline else { throw SystemCallError(errno: ETIMEDOUT, call: "wait for \(event)") }
            try loop.submit {}.wait()
        }
    }

    func ioAccepted(_ listener: IOListener, fd: CInt, peer: SocketAddress?) {
        // A small send buffer: the queue grows as soon as the peer stops reading.
        var size: CInt = 32768
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<CInt>.size))
        guard let connection = try? IOConnection(fd: fd, on: loop) else { return }
        connection.owner = self
        connection.isReading = startReading
        connections.append(connection)
        events.withLockedValue { $0.append("accepted") }
    }

    func ioAcceptFailed(_ listener: IOListener, error: SystemCallError) {
        events.withLockedValue { $0.append("accept failed \(error)") }
    }

    func ioAcceptBudget(_ listener: IOListener) -> IOAcceptBudget { .unlimited }

    func ioRead(_ connection: IOConnection, _ bytes: ByteBuffer) {
        events.withLockedValue { $0.append("read \(bytes.readableBytes)") }
        connection.write(bytes)
    }

    func ioReadComplete(_ connection: IOConnection) {
        connection.flush()
    }

    func ioInputClosed(_ connection: IOConnection) {
        connection.shutdownOutputWhenFlushed()
    }

    func ioWritabilityChanged(_ connection: IOConnection, writable: Bool) {
        events.withLockedValue { $0.append(writable ? "writable" : "unwritable") }
        connection.isReading = writable
    }

    func ioClosed(_ connection: IOConnection, error: SystemCallError?) {
        events.withLockedValue { $0.append("closed") }
        connections.removeAll { $0 === connection }
    }
}

/// A plain blocking TCP socket on 127.0.0.1, the peer of the tests.
final class BlockingSocket: @unchecked Sendable {
    let fd: CInt
    private(set) var port = 0

    init(listening: Void) throws {
        fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw SystemCallError(errno: errno, call: "bind/listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    init(listeningOnPath path: String) throws {
        fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue), 0)
        var address = Self.unixAddress(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw SystemCallError(errno: errno, call: "bind/listen") }
    }

    init(connectingToPath path: String) throws {
        fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue), 0)
        var address = Self.unixAddress(path)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw SystemCallError(errno: errno, call: "connect") }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func unixAddress(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        return address
    }

    /// - Parameter receiveBuffer: a small SO_RCVBUF makes the peer's
    ///   writes block soon when this side does not read.
    init(connectingTo port: Int, receiveBuffer: CInt? = nil) throws {
        fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<CInt>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw SystemCallError(errno: errno, call: "connect") }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.port = port
    }

    deinit { close() }

    private var closed = false

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw SystemCallError(errno: errno, call: "send") }
            sent += n
        }
    }

    func shutdownOutput() {
        Glibc.shutdown(fd, CInt(SHUT_WR))
    }

    func receive(count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while out.count < count {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, count - out.count), 0) }
            guard n > 0 else { throw SystemCallError(errno: n == 0 ? ECONNRESET : errno, call: "recv") }
            out += chunk[..<n]
        }
        return out
    }

    func receiveUntilEnd() throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return out }
            guard n > 0 else { throw SystemCallError(errno: errno, call: "recv") }
            out += chunk[..<n]
        }
    }
}

/// A small seeded generator, so that a failing run can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
