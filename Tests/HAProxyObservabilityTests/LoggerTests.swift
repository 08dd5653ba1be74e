import XCTest
import NIOCore
import HAProxyConfig
@testable import HAProxyObservability

final class LoggerTests: XCTestCase {
    let here = SourceLocation(file: "test.cfg", line: 1)

    func target(_ t: String, facility: String = "local0", format: String? = nil, max: String? = nil,
                min: String? = nil, sample: String? = nil) -> LogTargetConfig {
        var c = LogTargetConfig(location: here)
        c.target = t
        c.facility = facility
        c.format = format
        c.maxLevel = max
        c.minLevel = min
        c.sample = sample
        return c
    }

    func globalRef() -> LogTargetConfig {
        var c = LogTargetConfig(location: here)
        c.isGlobal = true
        return c
    }

    func config(receiverPort: Int, proxyLogs: [LogTargetConfig], noLog: Bool = false,
                configure: (inout ProxyConfig) -> Void = { _ in }) -> Configuration {
        var cfg = Configuration()
        cfg.global.logs = [target("127.0.0.1:\(receiverPort)", format: "raw")]
        var fe = ProxyConfig(name: "fe", capabilities: .frontend, location: here)
        fe.mode = .http
        fe.options.httpLog = .http
        fe.logs = proxyLogs
        fe.noLog = noLog
        configure(&fe)
        cfg.proxies = [fe]
        return cfg
    }

    func record(status: Int = 200, uploaded: Int64 = 10) -> LogRecord {
        var r = LogRecord()
        r.clientAddress = LogAddress("10.0.0.1")
        r.clientPort = 1234
        r.frontendName = "fe"
        r.backendName = "be"
        r.serverName = "s1"
        r.status = status
        r.bytesUploaded = uploaded
        r.requestLine = ByteBuffer(string: "GET / HTTP/1.1")
        return r
    }

    func testLogGlobalSendsToTheGlobalTargets() throws {
        let rx = DatagramReceiver(udp: ())
        defer { rx.close() }
        let logger = try Logger(configuration: config(receiverPort: rx.port, proxyLogs: [globalRef()]), pid: 42)
        defer { logger.close() }
        logger.log(record(), for: "fe")
        let line = try XCTUnwrap(rx.receive())
        XCTAssertTrue(line.hasPrefix("10.0.0.1:1234 ["), line)
        XCTAssertTrue(line.hasSuffix(" fe be/s1 -1/-1/-1/-1/0 200 0 - - ---- 0/0/0/0/0 0/0 \"GET / HTTP/1.1\"\n"), line)
        XCTAssertEqual(logger.sentLines, 1)
    }

    /// A frontend and a backend may share a name: the frontend's streams
    /// keep the frontend's format, whichever section came last.
    func testAFrontendAndABackendOfTheSameName() throws {
        let rx = DatagramReceiver(udp: ())
        defer { rx.close() }
        var cfg = config(receiverPort: rx.port, proxyLogs: [globalRef()]) { $0.logFormat = "custom %ci" }
        var be = ProxyConfig(name: "fe", capabilities: .backend, location: here)
        be.mode = .http
        cfg.proxies.append(be)
        let logger = try Logger(configuration: cfg, pid: 42)
        defer { logger.close() }
        XCTAssertEqual(logger.frontendLog(named: "fe")?.logsAtAccept, false)
        logger.log(record(), for: "fe")
        XCTAssertEqual(try XCTUnwrap(rx.receive()), "custom 10.0.0.1\n")
    }

    func testNoLogWithoutTargetsLogsNothing() throws {
        let logger = try Logger(configuration: config(receiverPort: 9, proxyLogs: [], noLog: true))
        XCTAssertEqual(logger.frontendLog(named: "fe")?.isEnabled, false)
    }

    func testDontLogNullAndDontLogNormal() throws {
        let logger = try Logger(configuration: config(receiverPort: 9, proxyLogs: [globalRef()]) {
            $0.options.dontLogNull = true
            $0.options.dontLogNormal = true
            $0.options.logSeparateErrors = true
        })
        let p = try XCTUnwrap(logger.frontendLog(named: "fe"))
        XCTAssertFalse(p.shouldLog(record(uploaded: 0)))
        XCTAssertFalse(p.shouldLog(record()))
        XCTAssertTrue(p.shouldLog(record(status: 503)))
        var aborted = record()
        aborted.termination = TerminationState(cause: .clientAbort, state: .data)
        XCTAssertTrue(p.shouldLog(aborted))
        XCTAssertEqual(p.level(for: aborted), .err)
        XCTAssertEqual(p.level(for: record()), .info)
    }

    func testLevelFiltersAndSample() throws {
        let rx = DatagramReceiver(udp: ())
        defer { rx.close() }
        var cfg = Configuration()
        cfg.global.logs = [target("127.0.0.1:\(rx.port)", format: "short", max: "notice", min: "crit")]
        let logger = try Logger(configuration: cfg, pid: 1)
        logger.logOperational(.info, "filtered")
        logger.logOperational(.emerg, "capped")
        logger.logOperational(.warning, "kept")
        XCTAssertEqual(rx.receive(), "<2>capped\n")
        XCTAssertEqual(rx.receive(), "<4>kept\n")

        let s = try LogSample(parsing: "1,3-4:5")
        XCTAssertEqual((0..<10).map { s.accepts($0) }, [true, false, true, true, false, true, false, true, true, false])
        XCTAssertThrowsError(try LogSample(parsing: "1-6:5"))
    }

    func testOperationalMessagesGoToTheProxyTargetsWhenItHasItsOwn() throws {
        let global = DatagramReceiver(udp: ())
        let own = DatagramReceiver(udp: ())
        defer { global.close(); own.close() }
        let cfg = config(receiverPort: global.port, proxyLogs: [target("127.0.0.1:\(own.port)", format: "raw")], noLog: true)
        let logger = try Logger(configuration: cfg, pid: 7)
        logger.logOperational(.warning, "Proxy fe stopped (cumulated conns: FE: 1, BE: 0).", proxy: "fe")
        XCTAssertEqual(own.receive(), "Proxy fe stopped (cumulated conns: FE: 1, BE: 0).\n")
        XCTAssertEqual(logger.stderrLine(.warning, "Proxy fe stopped."), "[WARNING]  (7) : Proxy fe stopped.\n")
        XCTAssertEqual(logger.stderrLine(.alert, "x"), "[ALERT]    (7) : x\n")
    }

    func testDefaultFormatIsTheConnectLineAtAccept() throws {
        let rx = DatagramReceiver(udp: ())
        defer { rx.close() }
        let cfg = config(receiverPort: rx.port, proxyLogs: [globalRef()]) {
            $0.mode = .tcp
            $0.options.httpLog = .none
        }
        let logger = try Logger(configuration: cfg)
        let p = try XCTUnwrap(logger.frontendLog(named: "fe"))
        XCTAssertTrue(p.logsAtAccept)
        var r = record()
        r.clientAddress = LogAddress("127.0.0.1"); r.clientPort = 46192
        r.frontendAddress = LogAddress("127.0.0.1"); r.frontendPort = 18083
        r.frontendName = "fe_default"
        p.logConnection(r)
        // Recorded from HAProxy 2.6 (Golden/udp-raw.txt, line 4).
        XCTAssertEqual(rx.receive(), try GoldenLines.load("udp-raw.txt")[3])
    }

    func testUnknownFacilityAndBadFormatAreRefused() {
        var cfg = Configuration()
        cfg.global.logs = [target("127.0.0.1", facility: "local9")]
        XCTAssertThrowsError(try Logger(configuration: cfg))
        cfg.global.logs = [target("127.0.0.1", format: "json")]
        XCTAssertThrowsError(try Logger(configuration: cfg))
        var bad = config(receiverPort: 9, proxyLogs: [globalRef()])
        bad.proxies[0].logFormat = "%zz"
        XCTAssertThrowsError(try Logger(configuration: bad)) { e in
            XCTAssertTrue("\(e)".contains("no such format variable 'zz'"), "\(e)")
        }
    }

    func testFileTargetWithRotateOptions() throws {
        let dir = NSTemporaryDirectory() + "haproxy-logger-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var t = target("file@\(dir)/a.log")
        t.extra = ["rotate", "size", "10m", "keep", "5", "compress", "lz4"]
        var cfg = Configuration()
        cfg.global.logs = [t]
        let logger = try Logger(configuration: cfg, pid: 3, hostname: "box")
        logger.logOperational(.notice, "hello")
        logger.flush()
        logger.close()
        let text = try String(contentsOfFile: dir + "/a.log", encoding: .utf8)
        XCTAssertTrue(text.hasSuffix(" box haproxy[3]: hello\n"), text)
        let parsed = try LogTarget(t)
        XCTAssertEqual(parsed.file?.rotateSize, 10 * 1024 * 1024)
        XCTAssertEqual(parsed.file?.keep, 5)
        XCTAssertEqual(parsed.file?.compressLZ4, true)
    }
}
