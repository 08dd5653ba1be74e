import HAProxyConfig

/// `show|add|del ssl crt-list` (management guide 9.3): the lines of each
/// `crt-list` file (and `crt` directory), which lines added or deleted at
/// run time change in every bind context built from it.
extension CertificateStore {
    /// Records a `crt-list` line a bind context serves.
    func registerListLine(_ line: TLSCertificateLine, server: TLSServerContext) {
        guard let list = line.list else { return }
        lock.withLock {
            if !(lists[list] ?? []).contains(where: { $0.lineNumber == line.lineNumber && $0.path == line.path }) {
                lists[list, default: []].append(line)
            }
            if !(listServers[list] ?? []).contains(where: { $0.context === server }) {
                listServers[list, default: []].append(WeakServer(context: server))
            }
        }
    }

    /// `show ssl crt-list [-n] [<list>]` (management guide 9.3).
    public func showList(_ words: [String]) -> String {
        var words = words
        let numbered = words.first == "-n"
        if numbered { words.removeFirst() }
        return lock.withLock {
            guard let list = words.first, !list.isEmpty else {
                if numbered { return "'show ssl crt-list -n' expects a filename or a directory\n" }
                return lists.keys.sorted(by: Self.byteOrder).map { $0 + "\n" }.joined()
            }
            guard let lines = lists[list] else { return "didn't find the specified filename\n" }
            var out = "# \(list)\n"
            for line in lines {
                out += line.path + (numbered ? ":\(line.lineNumber)" : "")
                if !line.options.isEmpty { out += " [\(line.options.listText)]" }
                if !line.writtenFilters.isEmpty { out += " " + line.writtenFilters.joined(separator: " ") }
                out += "\n"
            }
            return out
        }
    }

    /// `add ssl crt-list <list> <certfile>`, or with a payload line: the
    /// certificate (in memory already) is served by every bind using the
    /// list, after its other lines.
    public func addListLine(_ list: String, line given: TLSCertificateLine) -> String {
        lock.withLock {
            guard let lines = lists[list] else {
                return "Can't edit the crt-list: crt-list '\(list)' does not exist!\n"
            }
            guard let entry = files[given.path] else {
                return "Can't edit the crt-list: certificate '\(given.path)' does not exist!\n"
            }
            guard entry.isComplete else { return "Can't edit the crt-list: certificate '\(given.path)' is empty!\n" }
            var line = given
            line.list = list
            // Numbers are never reused: one past the last line ever numbered.
            line.lineNumber = max(lastLineNumber[list] ?? 0, lines.map(\.lineNumber).max() ?? 0) + 1
            var added: [(TLSServerContext, Int)] = []
            for server in (listServers[list] ?? []).compactMap(\.context) {
                switch server.addSlot(line: line, entry: entry) {
                case .success(let slot):
                    added.append((server, slot))
                case .failure(let error):
                    for (server, slot) in added { server.removeSlot(slot) }
                    return "Can't edit the crt-list: \(error.message)\n"
                }
            }
            for (server, slot) in added { instances[line.path, default: []].append(Instance(context: server, slot: slot)) }
            lists[list, default: []].append(line)
            lastLineNumber[list] = line.lineNumber
            return "Inserting certificate '\(line.path)' in crt-list '\(list)'" + String(repeating: ".", count: added.count)
                + "\nSuccess!\n"
        }
    }

    /// `del ssl crt-list <list> <certfile[:line]>`: a line no bind uses as
    /// its default certificate.
    public func deleteListLine(_ list: String, _ spec: String) -> String {
        var path = spec
        var number: Int?
        if let colon = spec.lastIndex(of: ":"), let n = Int(spec[spec.index(after: colon)...]) {
            path = String(spec[..<colon])
            number = n
        }
        return lock.withLock {
            guard let lines = lists[list] else { return "Can't delete the entry: crt-list '\(list)' does not exist!\n" }
            let candidates = lines.filter { $0.path == path }
            guard !candidates.isEmpty else {
                return "Can't delete the entry: certificate '\(path)' can't be found in crt-list '\(list)'!\n"
            }
            let numbers = candidates.map { String($0.lineNumber) }.joined(separator: ", ")
            let target: TLSCertificateLine
            if let number {
                guard let line = candidates.first(where: { $0.lineNumber == number }) else {
                    return "Can't delete the entry: found a certificate '\(path)' but the line number is incorrect, please specify a correct line number preceded by colons (\(numbers))!\n"
                }
                target = line
            } else {
                guard candidates.count == 1 else {
                    return "Can't delete the entry: found the certificate '\(path)' in several entries, please specify a line number preceded by colons (\(numbers))!\n"
                }
                target = candidates[0]
            }
            let servers = (listServers[list] ?? []).compactMap(\.context)
            let defaults = servers.filter { $0.slots(ofList: list, line: target).contains(0) }
            if !defaults.isEmpty {
                return "Can't delete the entry: certificate '\(path)' cannot be deleted, it is used as default certificate by the following frontends:\n"
                    + defaults.map { "\t- \($0.location)\n" }.joined() + "\n"
            }
            for server in servers {
                for slot in server.slots(ofList: list, line: target) { server.removeSlot(slot) }
            }
            lists[list]?.removeAll { $0.lineNumber == target.lineNumber && $0.path == target.path }
            return "Entry '\(path)' deleted in crtlist '\(list)'!\n"
        }
    }
}
