#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase

/// What the master knows of one worker, carried across re-executions in
/// `HAPROXY_PROCESSES` (the real one's variable and layout:
/// `|type=w;fd=4;pid=4762;reloads=0;timestamp=...;version=...`).
public struct WorkerRecord: Equatable {
    public var pid: Int32
    /// The master's end of the worker's CLI socketpair, or -1.
    public var cliFD: CInt
    /// Reloads this worker has lived through.
    public var reloads: Int
    /// Start time, seconds since the epoch.
    public var timestamp: Int
    public var version: String
    /// Replaced by a newer worker: listed under `# old workers`.
    public var leaving = false
    /// Already asked to finish (SIGUSR1).
    public var stopSent = false

    public init(pid: Int32, cliFD: CInt, reloads: Int = 0, timestamp: Int, version: String) {
        self.pid = pid
        self.cliFD = cliFD
        self.reloads = reloads
        self.timestamp = timestamp
        self.version = version
    }
}

/// The master's own record in `HAPROXY_PROCESSES`.
public struct MasterRecord: Equatable {
    public var reloads = 0
    public var failedReloads = 0
    public var timestamp = Int(time(nil))

    public init() {}
}

/// Encoding of the state a master hands to its re-executed self: the
/// processes (`HAPROXY_PROCESSES`) and the listening sockets
/// (`HAPROXY_MWORKER_LISTENERS`, `fd:key` pairs, keys percent-escaped).
public enum MasterHandover {
    public static let reexecVariable = "HAPROXY_MWORKER_REEXEC"
    public static let processesVariable = "HAPROXY_PROCESSES"
    public static let listenersVariable = "HAPROXY_MWORKER_LISTENERS"

    public static func encodeProcesses(master: MasterRecord, workers: [WorkerRecord]) -> String {
        var text = ""
        for w in workers {
            text += "|type=w;fd=\(w.cliFD);pid=\(w.pid);reloads=\(w.reloads);failedreloads=0;timestamp=\(w.timestamp);id=;version=\(w.version)"
            text += ";leaving=\(w.leaving ? 1 : 0);stopsent=\(w.stopSent ? 1 : 0)"
        }
        text += "|type=m;fd=-1;pid=\(getpid());reloads=\(master.reloads);failedreloads=\(master.failedReloads);timestamp=\(master.timestamp);id=;version=(null)"
        return text
    }

    public static func decodeProcesses(_ text: String) -> (master: MasterRecord, workers: [WorkerRecord]) {
        var master = MasterRecord()
        var workers: [WorkerRecord] = []
        for entry in text.split(separator: "|") {
            var fields: [String: String] = [:]
            for field in entry.split(separator: ";") {
                guard let eq = field.firstIndex(of: "=") else { continue }
                fields[String(field[..<eq])] = String(field[field.index(after: eq)...])
            }
            switch fields["type"] {
            case "m":
                master.reloads = Int(fields["reloads"] ?? "") ?? 0
                master.failedReloads = Int(fields["failedreloads"] ?? "") ?? 0
                master.timestamp = Int(fields["timestamp"] ?? "") ?? master.timestamp
            case "w":
                guard let pid = Int32(fields["pid"] ?? "") else { continue }
                var w = WorkerRecord(
                    pid: pid, cliFD: CInt(fields["fd"] ?? "") ?? -1, reloads: Int(fields["reloads"] ?? "") ?? 0,
                    timestamp: Int(fields["timestamp"] ?? "") ?? 0, version: fields["version"] ?? "")
                w.leaving = fields["leaving"] == "1"
                w.stopSent = fields["stopsent"] == "1"
                workers.append(w)
            default:
                continue
            }
        }
        return (master, workers)
    }

    public static func encodeListeners(_ listeners: [(key: String, fd: CInt)]) -> String {
        listeners.map { "\($0.fd):\(escape($0.key))" }.joined(separator: "|")
    }

    public static func decodeListeners(_ text: String) -> [String: CInt] {
        var result: [String: CInt] = [:]
        for entry in text.split(separator: "|") {
            guard let colon = entry.firstIndex(of: ":"), let fd = CInt(entry[..<colon]) else { continue }
            result[unescape(String(entry[entry.index(after: colon)...]))] = fd
        }
        return result
    }

    private static func escape(_ key: String) -> String {
        var out = ""
        for ch in key.unicodeScalars {
            if ch == "%" || ch == "|" || ch.value < 0x20 {
                out += "%" + ch.value.hexPadded(2, uppercase: true)
            } else {
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    private static func unescape(_ key: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(key.utf8)[...]
        while let b = utf8.popFirst() {
            if b == UInt8(ascii: "%"), utf8.count >= 2,
               let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
