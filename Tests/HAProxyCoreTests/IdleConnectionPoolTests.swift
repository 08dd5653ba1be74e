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
        if active { try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 80)).wait() }
        return IdleConnectionPool.Entry(channel: channel, handler: RelayHandler(side: .server, owner: nil))
    }

    func testTakesTheMostRecentlyParkedAndSkipsClosedOnes() throws {
        let pool = IdleConnectionPool()
        let old = try entry(), recent = try entry(), closed = try entry(active: false)
        for e in [old, recent, closed] { XCTAssertEqual(pool.put(e, on: loop).count, 0) }
        XCTAssertTrue(pool.take(on: loop)?.channel === recent.channel)
        XCTAssertTrue(pool.take(on: loop)?.channel === old.channel)
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
        XCTAssertTrue(evicted.first?.channel === entries[0].channel)
        XCTAssertEqual(pool.count, IdleConnectionPool.maxIdlePerLoop)
        XCTAssertTrue(pool.take(on: loop)?.channel === newest.channel)
    }

    /// The server's pools hold at most `limit` connections: the oldest of
    /// the loop leave for the one that comes in; the rest are unsafe until
    /// a stream took them again.
    func testLimitEvictsTheOldestAndCountsByKind() throws {
        let pool = IdleConnectionPool()
        let a = try entry(), b = try entry(), c = try entry()
        XCTAssertEqual(pool.put(a, on: loop, limit: 2).count, 0)
        XCTAssertEqual(pool.put(b, on: loop, limit: 2).count, 0)
        let evicted = pool.put(c, on: loop, limit: 2)
        XCTAssertEqual(evicted.map { ObjectIdentifier($0.channel) }, [ObjectIdentifier(a.channel)])
        XCTAssertEqual(pool.count, 2)
        XCTAssertTrue(pool.counts == (unsafe: 2, safe: 0))
        XCTAssertEqual(pool.put(a, on: loop, limit: 1).count, 2)
        XCTAssertEqual(pool.count, 1)
    }

    func testRemoveForgetsAConnectionThatClosed() throws {
        let pool = IdleConnectionPool()
        let a = try entry(), b = try entry(), c = try entry()
        for e in [a, b, c] { XCTAssertEqual(pool.put(e, on: loop).count, 0) }
        pool.remove(b.channel)
        pool.remove(try entry().channel)
        XCTAssertEqual(pool.count, 2)
        XCTAssertTrue(pool.take(on: loop)?.channel === c.channel)
        XCTAssertTrue(pool.take(on: loop)?.channel === a.channel)
    }
}
