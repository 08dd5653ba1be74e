/// Stick-table commands (manual 9.3). The runtime has no stick tables
/// yet, so these answer as HAProxy does for a configuration without any.
enum TableCommands {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["show", "table"], usage: "show table <table> [<filter>]*",
                   help: "report table usage stats or dump this table's contents (filter: data/key)") { request in
            request[2].isEmpty ? "" : "No such table\n"
        },
        CLIKeyword(["clear", "table"], usage: "clear table <table> [<filter>]*",
                   help: "remove an entry from a table (filter: data/key)") { request in
            guard !request[2].isEmpty else {
                return "Required arguments: <table> \"data.<store_data_type>\" <operator> <value> or <table> key <key>\n"
            }
            return "No such table\n"
        },
    ]
}
