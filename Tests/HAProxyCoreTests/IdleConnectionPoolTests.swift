#if canImport(Glibc)
import Glibc
#endif
import HAProxyIO
import NIOCore
import XCTest
@testable import HAProxyCore

/// The per-loop pool of idle server connections: most recent first out,
/// the oldest evicted when full, closed connections skipped and removed.
/// The connections are the I/O driver's, as streams park them: one end of
/// a socket pair on a running `IOLoop`, the test holding the other end as
/// the server.
final class IdleConnectionPoolTests: XCTestCase {
    private var loop: IOLoop!
    /// The server's ends of the socket pairs, closed after each test.
    private var peers: [CInt] = []

    override func setUpWithError() throws {
        loop = try IOLoop()
        loop.start(name: "pool-test")
    }

    override func tearDownWithError() throws {
        for fd in peers { close(fd) }
        peers = []
        try loop.syncShutdownGracefully()
    }

    /// A server connection of the driver on `loop`, open or already closed
    /// (a closed one holds no descriptor).
    private func connection(active: Bool = true) throws -> DriverConnection {
        var fds: [CInt] = [-1, -1]
        guard socketpair(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue), 0, &fds) == 0 else {
            throw SystemCallError(errno: errno, call: "socketpair")
        }
        peers.append(fds[1])
        return try loop.submit { [loop] in
            let connection = DriverConnection(try IOConnection(fd: fds[0], on: loop!), side: .server, owner: nil)
            if !active { connection.close() }
            return connection
        }.wait()
    }

    private func entry(active: Bool = true) throws -> IdleConnectionPool.Entry {
        IdleConnectionPool.Entry(connection: try connection(active: active))
    }

    func testTakesTheMostRecentlyParkedAndSkipsClosedOnes() throws {
        let pool = IdleConnectionPool()
        let old = try entry(), recent = try entry(), closed = try entry(active: false)
        for e in [old, recent, closed] { XCTAssertEqual(pool.put(e, on: loop).count, 0) }
        XCTAssertTrue(pool.take(on: loop)?.connection === recent.connection)
        XCTAssertTrue(pool.take(on: loop)?.connection === old.connection)
        XCTAssertNil(pool.take(on: loop))
        XCTAssertEqual(pool.count, 0)
        // Another loop's streams never get this loop's connections.
        XCTAssertEqual(pool.put(try entry(), on: loop).count, 0)
        XCTAssertNil(pool.take(on: try IOLoop()))
        XCTAssertEqual(pool.count, 1)
    }

    func testFullPoolEvictsItsOldestConnection() throws {
        let pool = IdleConnectionPool()
        // Only the newest is taken again: the others need no descriptor.
        let entries = try (0..<IdleConnectionPool.maxIdlePerLoop).map { _ in try entry(active: false) }
        for e in entries { XCTAssertEqual(pool.put(e, on: loop).count, 0) }
        let newest = try entry()
        let evicted = pool.put(newest, on: loop)
        XCTAssertEqual(evicted.count, 1)
        XCTAssertTrue(evicted.first?.connection === entries[0].connection)
        XCTAssertEqual(pool.count, IdleConnectionPool.maxIdlePerLoop)
        XCTAssertTrue(pool.take(on: loop)?.connection === newest.connection)
    }

    /// The server's pools hold at most `limit` connections: the oldest of
    /// the loop leave for the one that comes in; a connection is safe once
    /// it served a stream after the one that opened it.
    func testLimitEvictsTheOldestAndCountsByKind() throws {
        let pool = IdleConnectionPool()
        var a = try entry(), b = try entry(), c = try entry()
        b.reused = true
        XCTAssertEqual(pool.put(a, on: loop, need: 2).count, 0)
        XCTAssertEqual(pool.put(b, on: loop, need: 2).count, 0)
        let evicted = pool.put(c, on: loop, need: 2)
        XCTAssertEqual(evicted.count, 1)
        XCTAssertTrue(evicted.first?.connection === a.connection)
        XCTAssertEqual(pool.count, 2)
        XCTAssertTrue(pool.counts == (unsafe: 1, safe: 1))
        a.reused = true
        XCTAssertEqual(pool.put(a, on: loop, need: 1).count, 2)
        XCTAssertTrue(pool.counts == (unsafe: 0, safe: 1))
        c = a
        XCTAssertTrue(pool.take(on: loop)?.connection === c.connection)
    }

    func testRemoveForgetsAConnectionThatClosed() throws {
        let pool = IdleConnectionPool()
        let a = try entry(), b = try entry(), c = try entry()
        for e in [a, b, c] { XCTAssertEqual(pool.put(e, on: loop).count, 0) }
        pool.remove(b.connection, on: loop)
        pool.remove(try entry().connection, on: loop)
        XCTAssertEqual(pool.count, 2)
        XCTAssertTrue(pool.take(on: loop)?.connection === c.connection)
        XCTAssertTrue(pool.take(on: loop)?.connection === a.connection)
    }

    // MARK: Parked connections

    /// Holds the server's backend.
    private var runtime: ProxyRuntime?

    private func server() throws -> Server {
        let runtime = try RuntimeFixture.runtime(from: "backend b\n    mode http\n    server s 127.0.0.1:1\n")
        self.runtime = runtime
        return try XCTUnwrap(runtime.backends.first?.servers.first)
    }

    /// Parks `connection` in `server`'s pool as a stream that finished with
    /// it does.
    private func park(_ connection: DriverConnection, on server: Server) throws {
        try loop.submit { [loop] in
            connection.park(on: server, inPool: true)
            XCTAssertEqual(server.idlePool.put(IdleConnectionPool.Entry(connection: connection), on: loop!).count, 0)
        }.wait()
    }

    /// Waits (a few seconds at most) until the loop has taken `condition`'s
    /// events in.
    private func waitUntil(_ condition: @escaping () -> Bool) throws -> Bool {
        for _ in 0..<500 {
            if try loop.submit(condition).wait() { return true }
            usleep(10_000)
        }
        return false
    }

    /// A server that closes an idle connection, or talks on it (which
    /// breaks the framing of the next request), retires it: it closes and
    /// leaves the pool; the connection left idle stays.
    func testAParkedConnectionTheServerClosesOrTalksOnLeavesThePool() throws {
        let server = try server()
        let closedByServer = try connection(), talkedOn = try connection(), quiet = try connection()
        for c in [closedByServer, talkedOn, quiet] { try park(c, on: server) }
        XCTAssertEqual(server.idlePool.count, 3)
        shutdown(peers[0], CInt(SHUT_WR))
        XCTAssertEqual(write(peers[1], "HTTP/1.1 408\r\n", 14), 14)
        XCTAssertTrue(try waitUntil { server.idlePool.count == 1 }, "pool: \(server.idlePool.count)")
        try loop.submit {
            XCTAssertFalse(closedByServer.isActive)
            XCTAssertFalse(talkedOn.isActive)
            XCTAssertTrue(quiet.isActive)
        }.wait()
        XCTAssertTrue(server.idlePool.take(on: loop)?.connection === quiet)
    }

    /// Emptying the pool from another thread (server down, `shutdown
    /// sessions server`) closes each connection on its loop.
    func testCloseAllClosesTheConnectionsFromAnotherThread() throws {
        let server = try server()
        let a = try connection(), b = try connection()
        for c in [a, b] { try park(c, on: server) }
        server.idlePool.closeAll()
        XCTAssertEqual(server.idlePool.count, 0)
        XCTAssertTrue(try waitUntil { !a.isActive && !b.isActive })
        // The server sees each connection end.
        for fd in peers {
            var byte: UInt8 = 0
            var result = -1
            for _ in 0..<500 {
                result = read(fd, &byte, 1)
                if result >= 0 || errno != EAGAIN { break }
                usleep(10_000)
            }
            XCTAssertEqual(result, 0)
        }
    }
}
