import HAProxyConfig

/// Commands about the CLI session itself: `help`, `prompt`, `quit`, the
/// level changes `operator`/`user`, `show cli level`, `set timeout cli`.
enum SessionCommands {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["operator"], usage: "operator", help: "lower the level of the current CLI session to operator",
                   level: .operator) { request in
            request.session.level = .operator
            return ""
        },
        CLIKeyword(["user"], usage: "user", help: "lower the level of the current CLI session to user") { request in
            request.session.level = .user
            return ""
        },
        CLIKeyword(["show", "cli", "level"], usage: "show cli level",
                   help: "display the level of the current CLI session") { request in
            "\(request.session.level.rawValue)\n"
        },
        CLIKeyword(["set", "timeout"], usage: "set timeout [cli] <delay>", help: "change a timeout setting") { request in
            guard request[2] == "cli" else {
                return "'set timeout' only supports 'cli'.\n"
            }
            guard !request[3].isEmpty, case .success(let value) = DurationParser.parse(request[3], defaultUnitMs: 1000),
                value.milliseconds > 0
            else {
                return "Expects an integer value.\n"
            }
            request.session.timeoutMs = value.milliseconds
            return ""
        },
    ]

    /// Listed last by `help`, in this order, as the real one does.
    static let trailing: [CLIKeyword] = [
        CLIKeyword(["help"], usage: "help [<command>]", help: "list matching or all commands") { request in
            let words = Array(request.args.dropFirst())
            if words.isEmpty { return request.processor.registry.fullHelp() }
            return request.processor.registry.unknownCommand(words, forHelp: true)
        },
        CLIKeyword(["prompt"], usage: "prompt", help: "toggle interactive mode with prompt") { request in
            request.session.interactive.toggle()
            return ""
        },
        CLIKeyword(["quit"], usage: "quit", help: "disconnect") { request in
            request.session.wantsClose = true
            return ""
        },
    ]
}
