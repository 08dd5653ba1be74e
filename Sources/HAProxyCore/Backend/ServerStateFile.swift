#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase
import HAProxyConfig

/// A server state file (`server-state-file`, `load-server-state-from-file`;
/// the format of `show servers state`, management guide 9.3): a version
/// line `1`, comments starting with `#`, then one line per server.
///
/// Parsed as HAProxy 2.6 reads it: blank and `#` lines are skipped, a line
/// with fewer than 20 fields makes the whole file corrupted (nothing of it
/// is applied) and fields past the 25th are ignored. Of several lines for
/// one backend and server, the first counts (`firstEntries`).
public struct ServerStateFile: Equatable {
    /// One server's line, split in fields (`be_id be_name srv_id srv_name ...`).
    public struct Entry: Equatable {
        public var fields: [String]
        public var backendID: String { fields[0] }
        public var backendName: String { fields[1] }
        public var serverID: String { fields[2] }
        public var serverName: String { fields[3] }
        /// Fields from `srv_addr` on (HAProxy's `params + 4`).
        var parameters: ArraySlice<String> { fields[4...] }

        public init(fields: [String]) { self.fields = fields }
    }

    public enum ParseError: Error, Equatable {
        /// No version line, or a version this build does not read.
        case noVersion
        /// Line number as HAProxy counts it: from the line after the version.
        case corrupted(line: Int)
    }

    static let minimumFields = 20
    static let maximumFields = 25

    public var version: Int
    /// Server lines in file order.
    public var entries: [Entry]

    /// The lines that count: the first one for each backend and server.
    public var firstEntries: [Entry] {
        var seen = Set<String>()
        return entries.filter { seen.insert($0.backendName + " " + $0.serverName).inserted }
    }

    public init(version: Int = 1, entries: [Entry]) {
        self.version = version
        self.entries = entries
    }

    /// Parses a whole file.
    public static func parse(_ text: String) -> Result<ServerStateFile, ParseError> {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let first = lines.popFirst(),
              let version = Int(first.trimmingWhitespace()), version == 1 else {
            return .failure(.noVersion)
        }
        var entries: [Entry] = []
        var number = 0
        for raw in lines {
            number += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if fields.isEmpty || fields[0].hasPrefix("#") { continue }
            if fields.count < minimumFields { return .failure(.corrupted(line: number)) }
            entries.append(Entry(fields: Array(fields.prefix(maximumFields))))
        }
        return .success(ServerStateFile(version: version, entries: entries))
    }

    /// Reads and parses a file; the error text is HAProxy's warning.
    static func load(path: String, describe: (LoadFailure) -> String) -> Result<ServerStateFile, LoadFailureMessage> {
        guard let fp = fopen(path, "r") else {
            return .failure(LoadFailureMessage(describe(.cannotOpen(String(cString: strerror(errno))))))
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, fp)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        fclose(fp)
        switch parse(String(decoding: bytes, as: UTF8.self)) {
        case .success(let file): return .success(file)
        case .failure(.noVersion): return .failure(LoadFailureMessage(describe(.noVersion)))
        case .failure(.corrupted(let line)): return .failure(LoadFailureMessage(describe(.corrupted(line))))
        }
    }

    enum LoadFailure {
        case cannotOpen(String)
        case noVersion
        case corrupted(Int)
    }

    struct LoadFailureMessage: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    /// A state file name resolved as HAProxy does: absolute as is, else
    /// under `server-state-base` when set, else relative to the current
    /// directory.
    public static func resolve(_ name: String, base: String?) -> String {
        guard !name.hasPrefix("/"), let base, !base.isEmpty else { return name }
        return base.hasSuffix("/") ? base + name : base + "/" + name
    }

    /// The path of the global state file, if one is configured.
    public static func globalPath(_ global: GlobalConfig) -> String? {
        global.serverStateFile.map { resolve($0, base: global.serverStateBase) }
    }

    /// The path of a backend's own state file (`load-server-state-from-file
    /// local`): `server-state-file-name`, or the backend's name.
    public static func localPath(_ proxy: ProxyConfig, global: GlobalConfig) -> String {
        resolve(proxy.serverStateFileName ?? proxy.name, base: global.serverStateBase)
    }
}

// MARK: - Applying one line to a server

/// The values of one state line that this build applies, validated as
/// HAProxy validates them (`srv_state_srv_update`).
struct ServerStateValues: Equatable {
    /// SRV_ST_*: 0 stopped, 1 starting, 2 running, 3 stopping.
    var operationalState: Int
    /// SRV_ADMF_* bits.
    var adminBits: Int
    var userWeight: Int
    var initialWeight: Int
    var secondsSinceLastChange: Int

    static let forcedMaintenance = 0x01
    static let configMaintenance = 0x04
    static let forcedDrain = 0x08

    /// Validates the fields after `srv_addr`; on failure, the text HAProxy
    /// appends to "server-state application failed for server 'be/s'".
    static func parse(_ parameters: ArraySlice<String>) -> Result<ServerStateValues, ServerStateValueError> {
        let p = Array(parameters)
        var problems = ""
        func number(_ index: Int, _ name: String, _ valid: (Int) -> Bool) -> Int {
            guard index < p.count, let value = Int(p[index]), valid(value) else {
                problems += ", invalid \(name) value '\(index < p.count ? p[index] : "")'"
                return 0
            }
            return value
        }
        let op = number(1, "srv_op_state") { (0...3).contains($0) }
        let admin = number(2, "srv_admin_state") { (0...0xff).contains($0) }
        let uweight = number(3, "srv_uweight") { (0...256).contains($0) }
        let iweight = number(4, "srv_iweight") { (0...256).contains($0) }
        let since = number(5, "srv_last_time_change") { $0 >= 0 }
        _ = number(6, "srv_check_status") { $0 >= 0 }
        _ = number(7, "srv_check_result") { $0 >= 0 }
        _ = number(8, "srv_check_health") { $0 >= 0 }
        _ = number(9, "srv_check_state") { $0 >= 0 }
        _ = number(10, "srv_agent_state") { $0 >= 0 }
        _ = number(11, "bk_f_forced_id") { $0 == 0 || $0 == 1 }
        _ = number(12, "srv_f_forced_id") { $0 == 0 || $0 == 1 }
        if !problems.isEmpty { return .failure(ServerStateValueError(text: problems)) }
        return .success(ServerStateValues(
            operationalState: op, adminBits: admin, userWeight: uweight, initialWeight: iweight,
            secondsSinceLastChange: since))
    }

    /// The administrative state to give a server, as HAProxy decides it: a
    /// change of `disabled` in the configuration wins; otherwise the forced
    /// maintenance of the previous process is kept; drain is kept unless it
    /// only came from a zero weight that the configuration has since raised.
    static func adminState(
        fileBits bits: Int, fileInitialWeight: Int, configDisabled: Bool, configWeight: Int
    ) -> (state: Server.AdminState, forcedDrain: Bool) {
        var state: Server.AdminState = configDisabled ? .maintenance : .ready
        let fileConfigMaint = bits & configMaintenance != 0
        let fileForcedMaint = bits & forcedMaintenance != 0
        if fileConfigMaint != configDisabled {
            state = configDisabled ? .maintenance : .ready
        } else if fileForcedMaint && !configDisabled {
            state = .maintenance
        } else if !fileForcedMaint && configDisabled {
            state = .ready
        }
        if state != .maintenance && bits & forcedDrain != 0 && (fileInitialWeight > 0 || configWeight == 0) {
            return (.drain, true)
        }
        return (state, false)
    }
}

struct ServerStateValueError: Error, Equatable {
    var text: String
}
