#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase
import HAProxyConfig

/// The master CLI (management.txt 9.4): `show proc`, `reload`, `@<n>` and
/// `@!<pid>` routing to workers, `prompt`, `help`, `quit`.
extension MasterProcess {
    static let helpText = """
        The following commands are valid at this level:
          @!<pid>                                 : send a command to the <pid> process
          @<relative pid>                         : send a command to the <relative pid> process
          @master                                 : send a command to the master process
          operator                                : lower the level of the current CLI session to operator
          reload                                  : reload haproxy
          show cli level                          : display the level of the current CLI session
          show proc                               : show processes status
          show version                            : show version of the current process
          user                                    : lower the level of the current CLI session to user
          help [<command>]                        : list matching or all commands
          prompt                                  : toggle interactive mode with prompt
          quit                                    : disconnect

        """

    func acceptSession(on listener: MasterCLIListener) {
        let fd = accept(listener.fd, nil, nil)
        guard fd >= 0 else { return }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        sessions.append(MasterCLISession(fd: fd, level: listener.level))
    }

    func closeSession(_ session: MasterCLISession) {
        close(session.fd)
        sessions.removeAll { $0 === session }
    }

    /// Reads what the client sent and answers each complete line. Without
    /// `prompt` the connection closes after the first line, as the real one.
    func serve(_ session: MasterCLISession) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(session.fd, &buffer, buffer.count, CInt(MSG_DONTWAIT))
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
        if n <= 0 {
            // The last line may lack its newline.
            // A payload cut short by the end of input never runs.
            if !session.input.isEmpty && session.payload == nil {
                session.input.append(UInt8(ascii: "\n"))
                if let line = session.nextLine() { _ = execute(line: line, session: session) }
            }
            closeSession(session)
            return
        }
        session.input += buffer[0..<n]
        if session.input.count > 65536 {
            closeSession(session)
            return
        }
        while let line = session.nextLine() {
            // A payload (`<<`, up to an empty line) travels with its command.
            if var text = session.payload {
                if !line.isEmpty {
                    text += line + "\n"
                    session.payload = text
                    if text.utf8.count > 1 << 20 {
                        closeSession(session)
                        return
                    }
                    continue
                }
                session.payload = nil
                if !handle(text, session) { return }
                continue
            }
            if CLICommandProcessor.startsPayload(line) {
                session.payload = line + "\n"
                continue
            }
            if !handle(line, session) { return }
        }
    }

    /// Runs one input; false once the session is closed.
    private func handle(_ line: String, _ session: MasterCLISession) -> Bool {
        let keepOpen = execute(line: line, session: session)
        if reloadRequested || !keepOpen || !session.interactive {
            closeSession(session)
            return false
        }
        return true
    }

    /// Runs one line (commands separated by ';'); false ends the session.
    func execute(line: String, session: MasterCLISession) -> Bool {
        let wasInteractive = session.interactive
        var output = ""
        var keepOpen = true
        // The payload after the first line goes with the line's last command.
        var commandLine = Substring(line)
        var payload: Substring?
        if let newline = line.firstIndex(of: "\n") {
            commandLine = line[..<newline]
            payload = line[line.index(after: newline)...]
        }
        let commands = commandLine.split(separator: ";", omittingEmptySubsequences: true)
        for (index, command) in commands.enumerated() {
            var text = command.trimmingWhitespace()
            if text.isEmpty { continue }
            if let payload, index == commands.count - 1 { text += "\n" + payload }
            if text == "quit" {
                keepOpen = false
                break
            }
            output += answer(text, session: session)
        }
        if line.trimmingWhitespace().isEmpty && wasInteractive {
            output = ""
        }
        if session.interactive && keepOpen {
            output += "master> "
        }
        if !output.isEmpty { session.send(output) }
        return keepOpen
    }

    /// The answer to one command, with the empty line that ends it.
    func answer(_ text: String, session: MasterCLISession) -> String {
        var head = Substring(text)
        var payload = ""
        if let newline = text.firstIndex(of: "\n") {
            head = text[..<newline]
            payload = String(text[newline...])
        }
        let words = head.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let first = words.first else { return "" }
        if first.hasPrefix("@") {
            let rest = words.dropFirst().joined(separator: " ") + payload
            let target = String(first.dropFirst())
            if target == "master" || target == "0" {
                return rest.isEmpty ? "" : answer(rest, session: session)
            }
            if rest.isEmpty { return "" }
            let worker: WorkerRecord?
            if target.hasPrefix("!") {
                let pid = Int32(target.dropFirst())
                worker = workers.first { $0.pid == pid }
            } else if target == "1" {
                worker = workers.first { !$0.leaving }
            } else {
                worker = nil
            }
            guard let worker, worker.cliFD >= 0 else {
                return "Can't find the target PID matching the prefix '\(first)'\n\n"
            }
            guard let reply = WorkerCLIChannel.request(fd: worker.cliFD, command: rest, level: session.level) else {
                return "Can't connect to the target CLI!\n\n"
            }
            return reply
        }
        switch words {
        case _ where first == "help":
            return Self.helpText + "\n"
        case ["prompt"]:
            session.interactive.toggle()
            return ""
        case ["show", "proc"]:
            return showProc() + "\n"
        case ["show", "version"]:
            return BuildInfo.version + "\n\n"
        case ["show", "cli", "level"]:
            return session.level.rawValue + "\n\n"
        case ["operator"]:
            if session.level == .admin { session.level = .operator }
            return ""
        case ["user"]:
            session.level = .user
            return ""
        case ["reload"]:
            guard session.level == .admin else { return "Permission denied\n\n" }
            reloadRequested = true
            return ""
        default:
            return "Unknown command: '\(first)'\n\n" + Self.helpText + "\n"
        }
    }

    /// `show proc`, laid out as HAProxy 2.6 (columns of 15).
    func showProc() -> String {
        func pad(_ s: String) -> String { s.count >= 15 ? s : s + String(repeating: " ", count: 15 - s.count) }
        func uptime(_ since: Int) -> String {
            let up = max(0, Int(time(nil)) - since)
            return "\(up / 86400)d\(((up % 86400) / 3600).zeroPadded(2))h\(((up % 3600) / 60).zeroPadded(2))m\((up % 60).zeroPadded(2))s"
        }
        var out = "#" + pad("<PID>").dropLast() + " " + pad("<type>") + " " + pad("<reloads>") + " " + pad("<uptime>") + " " + pad("<version>") + "\n"
        out += [pad("\(getpid())"), pad("master"), pad("\(master.reloads) [failed: \(master.failedReloads)]"),
                pad(uptime(master.timestamp)), pad(BuildInfo.version)].joined(separator: " ") + "\n"
        out += "# workers\n"
        for w in workers where !w.leaving {
            out += [pad("\(w.pid)"), pad("worker"), pad("\(w.reloads)"), pad(uptime(w.timestamp)), pad(w.version)].joined(separator: " ") + "\n"
        }
        let old = workers.filter(\.leaving)
        if !old.isEmpty {
            out += "# old workers\n"
            for w in old {
                out += [pad("\(w.pid)"), pad("worker"), pad("\(w.reloads)"), pad(uptime(w.timestamp)), pad(w.version)].joined(separator: " ") + "\n"
            }
        }
        out += "# programs\n"
        return out
    }
}
