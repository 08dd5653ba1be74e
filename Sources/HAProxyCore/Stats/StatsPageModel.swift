/// What the statistics page shows, taken from the runtime in one pass so
/// that `StatsPageHTML` renders it without touching live objects.
struct StatsPageModel {
    /// The process section (manual 9: the page's header).
    struct Process {
        var version: String?
        var releaseDate: String?
        var pid = 0
        var nbthread = 1
        var uptime = ""
        var ulimitN = 0
        var maxsock = 0
        var maxconn = 0
        var currentConnections = 0
        var connectionRate = 0
        /// Bits per second sent to clients.
        var bitRate: Double = 0
        var runningTasks = 0
        var tasks = 0
        var idlePercent = 100
        /// The node shown (`stats show-node`), nil when not shown.
        var node: String?
        /// The description shown (`stats show-desc`), nil when not shown.
        var description: String?
    }

    /// One line of a proxy's table: the `show stat` row, and for a server
    /// what the CSV has no column for in this build.
    struct Line {
        var row: ShowStat.Row
        var isBackup = false
        var checked = false
        /// `L4OK in 0ms` and its description, for a checked server.
        var lastCheck: (text: String, description: String)?
        /// The health counter against `rise + fall - 1`, for going up/down.
        var health: (current: Int, rise: Int, fall: Int)?
    }

    struct Proxy {
        var name: String
        var id: Int
        /// `frontend`, `backend` or `proxy` (listen).
        var capability: String
        var mode: String
        var lines: [Line]
        var hasServers: Bool { lines.contains { $0.row.type == 2 } }
    }

    var process = Process()
    var proxies: [Proxy] = []
    /// The `stats uri` prefix, for the page's links.
    var uri = "/"
    var refreshSeconds = 0
    var upOnly = false
    var noRefresh = false
    var scope = ""
    var admin = false
    var showLegends = false
    /// `;st=` of the redirect after an admin action.
    var actionStatus: String?
}
