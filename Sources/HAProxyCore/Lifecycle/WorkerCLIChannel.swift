#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyConfig

/// The socketpair between the master and one worker, over which the master
/// CLI's `@1 <command>` and `@!<pid> <command>` reach the worker's runtime
/// API. Framing: the master writes `<level> <command>\n` (a payload's line
/// feeds sent as NUL bytes); the worker answers
/// `<byte count>\n<answer>`. The worker also learns of the master's death
/// from this channel (end of file).
public enum WorkerCLIChannel {
    /// Master side: sends one command and waits (bounded) for the answer.
    public static func request(fd: CInt, command: String, level: StatsSocketConfig.Level, timeoutMs: Int32 = 5000) -> String? {
        // Drop any late answer to a request that timed out earlier.
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 0) == 1, p.revents & Int16(POLLIN) != 0 else { break }
            if recv(fd, &scratch, scratch.count, CInt(MSG_DONTWAIT)) <= 0 { break }
        }
        let line = Array("\(level.rawValue) \(command)".utf8).map { $0 == UInt8(ascii: "\n") ? 0 : $0 } + [UInt8(ascii: "\n")]
        guard writeAll(fd, line) else { return nil }
        let deadline = monotonicMs() + Int(timeoutMs)
        var received: [UInt8] = []
        var expected: Int?
        var headerLength = 0
        while true {
            if expected == nil, let nl = received.firstIndex(of: UInt8(ascii: "\n")) {
                expected = Int(String(decoding: received[..<nl], as: UTF8.self)) ?? 0
                headerLength = nl + 1
            }
            if let expected, received.count - headerLength >= expected {
                return String(decoding: received[headerLength..<(headerLength + expected)], as: UTF8.self)
            }
            let left = deadline - monotonicMs()
            guard left > 0 else { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let rc = poll(&p, 1, Int32(left))
            if rc < 0 && errno == EINTR { continue }
            guard rc == 1 else { return nil }
            let n = recv(fd, &scratch, scratch.count, CInt(MSG_DONTWAIT))
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard n > 0 else { return nil }
            received += scratch[0..<n]
        }
    }

    /// Internal command: stop accepting on the shared listening sockets and
    /// answer once no event loop will accept any more.
    public static let pauseCommand = "_pause_listeners"

    /// Worker side, before serving: waits for the master's `start` line,
    /// sent once older workers no longer accept on the shared sockets (two
    /// processes accepting on one socket is harmless for the kernel, but
    /// NIO asserts that a readable listener always yields a connection).
    public static func awaitStart(fd: CInt) -> Bool {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { return false }
            if byte == UInt8(ascii: "\n") { return line == Array("start".utf8) }
            line.append(byte)
        }
    }

    /// Worker side: answers commands with `execute` on a thread of its own
    /// until the master's end closes, then calls `masterGone`.
    public static func serve(fd: CInt, execute: @escaping (String, StatsSocketConfig.Level) -> String,
                             pauseListeners: @escaping () -> Void, masterGone: @escaping () -> Void) {
        DetachedThread.start("master channel") {
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending += buffer[0..<n]
                while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<nl].map { $0 == 0 ? UInt8(ascii: "\n") : $0 }, as: UTF8.self)
                    pending.removeSubrange(...nl)
                    var level = StatsSocketConfig.Level.admin
                    var command = line
                    if let space = line.firstIndex(of: " "), let l = StatsSocketConfig.Level(rawValue: String(line[..<space])) {
                        level = l
                        command = String(line[line.index(after: space)...])
                    }
                    let answer: [UInt8]
                    if command == pauseCommand {
                        pauseListeners()
                        answer = Array("ok\n".utf8)
                    } else {
                        answer = Array(execute(command, level).utf8)
                    }
                    _ = writeAll(fd, Array("\(answer.count)\n".utf8) + answer)
                }
            }
            close(fd)
            masterGone()
        }
    }

    static func writeAll(_ fd: CInt, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, CInt(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&p, 1, 2000) != 1 { return false }
                continue
            }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    static func monotonicMs() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000
    }
}
