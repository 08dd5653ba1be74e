/// `show peers [dict|-] [<section>]` (management.txt 9.3): each `peers`
/// section's peers, sessions and shared tables, in 2.6's layout.
enum PeersCommands {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["show", "peers"], usage: "show peers [dict|-] [section]",
                   help: "dump some information about all the peers or this peers section") { request in
            var wanted = request[2]
            if wanted == "dict" || wanted == "-" { wanted = request[3] }
            let sections = request.runtime.peers
            if !wanted.isEmpty, !sections.contains(where: { $0.config.name == wanted }) {
                return "No such peers\n"
            }
            var out = ""
            for section in sections.reversed() where wanted.isEmpty || section.config.name == wanted {
                section.render(into: &out)
            }
            return out
        },
    ]
}
