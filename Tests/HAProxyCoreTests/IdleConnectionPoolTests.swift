import NIOCore
import NIOEmbedded
import XCTest
@testable import HAProxyCore

/// The per-loop pool of idle server connections: most recent first out,
/// the oldest evicted when full, closed connections skipped and removed.
final class IdleConnectionPoolTests: XCTestCase {
    private let loop = EmbeddedEventLoop()

    private func entry(active: Bool = true) throws -> IdleConnectionPool.Entry {
        let channel = EmbeddedChannel(loop: loop)
        let handler = RelayHandler(side: .server, owner: nil)
        try channel.pipeline.syncOperations.addHandler(handler)
        if active { try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 80)).wait() }
        return IdleConnectionPool.Entry(connection: handler)
    }

    func testTakesTheMostRecentlyParkedAndSkipsClosedOnes() throws {
        let pool = IdleConnectionPool()
        let old = try entry(), recent = try entry(), closed = try entry(active: false)
        for e in [old, recent, closed] { XCTAssertEqual(pool.put(e, on: loop).count, 0) }
        XCTAssertTrue(pool.take(on: loop)?.connection === recent.connection)
        XCTAssertTrue(pool.take(on: loop)?.connection === old.connection)
        XCTAssertNil(pool.take(on: loop))
        XCTAssertNil(pool.take(on: EmbeddedEventLoop()))
    }

    func testFullPoolEvictsItsOldestConnection() throws {
        let pool = IdleConnectionPool()
        let entries = try (0..<IdleConnectionPool.maxIdlePerLoop).map { _ in try entry() }
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
}
