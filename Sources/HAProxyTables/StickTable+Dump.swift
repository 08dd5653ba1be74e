/// `show table` (management.txt 9.3): the summary line and the dump of
/// the entries, worded as 2.6 prints them.
extension StickTable {
    /// `# table: fe, type: ip, size:102400, used:1`
    public func summaryLine(now: UInt64 = StickTable.now) -> String {
        "# table: \(name), type: \(definition.keyType.name), size:\(definition.size), used:\(count(now: now))\n"
    }
}

extension StickEntryAccess {
    /// `0x55...: key=127.0.0.1 use=0 exp=29859 conn_cnt=4 http_req_rate(10000)=4`
    public func dumpLine() -> String {
        let address = UInt(bitPattern: Unmanaged.passUnretained(entry).toOpaque())
        var line = "0x\(String(address, radix: 16)): key=\(key.text(for: table.definition.keyType))"
        line += " use=\(entry.useCount) exp=\(expiresIn)"
        for type in StickDataType.allCases where table.stores(type) {
            if type == .serverKey {
                line += " server_key=\(serverKey ?? "-")"
                continue
            }
            if type.isArray {
                // Each element under its legacy name: `gpc0=1 gpc1=0`, `gpc0_rate(10000)=1`.
                let base = type == .gpcRate ? "gpc" : type.name
                var i = 0
                while let v = value(type, at: i) {
                    line += type.isRate ? " \(base)\(i)_rate(\(table.period(of: type)))=\(v)" : " \(base)\(i)=\(v)"
                    i += 1
                }
                continue
            }
            guard let v = value(type) else { continue }
            let text = type.isSigned ? String(Int32(bitPattern: UInt32(truncatingIfNeeded: v))) : String(v)
            if type.isRate {
                line += " \(type.name)(\(table.period(of: type)))=\(text)"
            } else {
                line += " \(type.name)=\(text)"
            }
        }
        return line + "\n"
    }
}
