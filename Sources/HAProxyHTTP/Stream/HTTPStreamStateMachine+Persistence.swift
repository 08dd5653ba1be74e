import HAProxyConfig
import HAProxyRules

/// Server persistence (manual 4.2 `cookie`, `use-server`, `option persist`,
/// `force-persist`, `ignore-persist`): which server a request asks for,
/// and the cookie the response carries back.
extension HTTPStreamStateMachine {
    /// `stick match` / `stick on`: the server the backend's table names
    /// for this request, if `usable`.
    public mutating func stuckServer(
        _ rules: [StickingRule], usable: (Sticking.Target) -> Bool
    ) -> Sticking.Target? {
        Sticking.matchedServer(rules, on: ruleContext ?? makeContext(), usable: usable)
    }

    /// `stick store-request` / `stick on`: the server used goes into the table.
    public mutating func storeSticking(_ rules: [StickingRule], serverID: Int, serverName: String) {
        Sticking.store(rules, serverID: serverID, serverName: serverName, on: ruleContext ?? makeContext())
    }

    /// The request's persistence: a `use-server` rule, else the cookie;
    /// removes (insert indirect) or unprefixes (prefix) the cookie on the
    /// way to the server. Notes the cookie's state for `%tsc` (recorded
    /// with 2.6.12): `N` none, `V` it names a server, `I` it names none,
    /// `E`/`O` its idle/first date is past `maxidle`/`maxlife` (or more
    /// than a day ahead; the life is looked at first), `U` a `use-server`
    /// rule or `ignore-persist` left it unused; `D` (the server is down)
    /// comes from `noteCookieServer(usable:)`.
    mutating func analysePersistence(_ backend: HTTPBackendPolicy, _ context: inout HTTPStreamContext) {
        persistence = Persistence()
        guard backend.cookie != nil || !backend.useServerRules.isEmpty else { return }
        let forced = backend.persist || backend.forcePersist.contains { $0.evaluate(context) }
        for rule in backend.useServerRules {
            if let condition = rule.condition, !condition.evaluate(context) { continue }
            let name: String
            switch rule.target {
            case .name(let n): name = n
            case .format(let f): name = String(decoding: HTTPRuleRunner.render(f, context), as: UTF8.self)
            }
            guard backend.serverNames.contains(name) else { continue }
            persistence.server = name
            persistence.forced = forced
            persistence.byRule = true
            break
        }
        guard let cookie = backend.cookie, var message = context.requestMessage else { return }
        let ignored = backend.ignorePersist.contains { $0.evaluate(context) }
        persistence.ignored = ignored
        let name = Array(cookie.name.utf8)
        var found: String?
        var seen = false
        let dated = cookie.maxIdle != nil || cookie.maxLife != nil
        var idle: Int64?, first: Int64?
        try? message.editCookies(named: name) { value in
            var serverValue = value
            var rest: ArraySlice<UInt8>?
            var dates: (idle: Int64?, first: Int64?) = (nil, nil)
            if cookie.mode == .prefix {
                // A value without `~` is taken whole and left as it is.
                if let tilde = value.firstIndex(of: UInt8(ascii: "~")) {
                    serverValue = value[..<tilde]
                    rest = value[(tilde + 1)...]
                }
            } else if dated, let bar = value.firstIndex(of: UInt8(ascii: "|")) {
                // `server|idle-date[|first-date]` (maxidle, maxlife); a
                // date of zero or not five digits counts as none.
                serverValue = value[..<bar]
                let parts = value[(bar + 1)...].split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
                dates.idle = parts.first.flatMap { CookieValues.decodeDate($0) }.flatMap { $0 == 0 ? nil : $0 }
                dates.first = parts.count > 1 ? CookieValues.decodeDate(parts[1]).flatMap { $0 == 0 ? nil : $0 } : nil
            }
            // The first of several cookies that names a server wins (its
            // dates with it); without one, the first cookie's dates count.
            if found == nil {
                let candidate = String(decoding: serverValue, as: UTF8.self)
                let names = backend.serverByCookie[candidate] != nil
                if names || !seen { (idle, first) = dates }
                if names { found = candidate }
                seen = true
            }
            if cookie.mode == .insert && cookie.indirect { return .remove }
            if let rest { return .value(Array(rest)) }
            return .keep
        }
        if message.isEdited { context.requestMessage = message }
        if cookie.mode != .passive {
            log.clientCookie = UInt8(ascii: seen ? "I" : "N")
        }
        let expiry = dated && seen ? Self.expiry(cookie, idle: idle, first: first) : nil
        if expiry != nil { found = nil }
        if cookie.mode != .passive, seen {
            if persistence.byRule || ignored {
                log.clientCookie = UInt8(ascii: "U")
            } else if let expiry {
                log.clientCookie = expiry
            } else if found != nil {
                log.clientCookie = UInt8(ascii: "V")
            }
        }
        persistence.idleStep = idle
        persistence.firstStep = first
        if let found, let server = backend.serverByCookie[found] {
            persistence.cookieServer = server
            if !ignored && persistence.server == nil {
                persistence.server = server
                persistence.forced = forced
            }
        }
    }

    /// The response's persistence cookie: inserted when the client lacks a
    /// valid one (insert), the server's value rewritten (rewrite) or
    /// prefixed (prefix). Notes for `%tsc` what became of the server's
    /// cookie (recorded with 2.6.12): `N` nothing, `I` one inserted, `U` a
    /// valid dated one set again with today's date, `D` the server's
    /// removed, `P` kept (`preserve`), `R` rewritten or prefixed.
    mutating func persistenceResponse(_ context: inout HTTPStreamContext) {
        guard let backend, let cookie = backend.cookie, var message = context.responseMessage,
              let server = serverName, let value = backend.cookieByServer[server] else { return }
        let name = Array(cookie.name.utf8)
        var serverSets = false
        switch cookie.mode {
        case .insert:
            try? message.editCookies(named: name) { _ in
                serverSets = true
                return cookie.preserve ? .keep : .remove
            }
            if serverSets { log.serverCookie = UInt8(ascii: cookie.preserve ? "P" : "D") }
            // Recorded: ignore-persist also keeps the cookie from being set;
            // with maxidle or maxlife, a valid cookie whose idle date is past
            // is set again with today's.
            let seconds = Self.currentSeconds()
            let now = CookieValues.step(seconds: seconds)
            let dated = cookie.maxIdle != nil || cookie.maxLife != nil
            let refresh = dated && persistence.cookieServer == server && (persistence.idleStep ?? 0) < now
            let wanted = (persistence.cookieServer != server || refresh) && !persistence.byRule && !persistence.ignored
                && (!cookie.postonly || request.method == .post) && !(cookie.preserve && serverSets)
            if wanted {
                log.serverCookie = UInt8(ascii: refresh && persistence.cookieServer == server ? "U" : "I")
                var cookieValue = Array(value.utf8)
                if dated {
                    let today = CookieValues.encodeDate(seconds: seconds)
                    cookieValue += [UInt8(ascii: "|")] + today
                    if cookie.maxLife != nil {
                        let kept = persistence.cookieServer == server ? persistence.firstStep : nil
                        cookieValue += [UInt8(ascii: "|")] + (kept.map { CookieValues.encodeStep($0) } ?? today)
                    }
                }
                var line = name + [UInt8(ascii: "=")] + cookieValue + Array("; path=/".utf8)
                for domain in cookie.domains { line += Array("; domain=\(domain)".utf8) }
                if cookie.httponly { line += Array("; HttpOnly".utf8) }
                if cookie.secure { line += Array("; Secure".utf8) }
                for attribute in cookie.attributes { line += Array("; \(attribute)".utf8) }
                try? message.addHeader(Array("set-cookie".utf8), line)
                if cookie.nocache && Self.isCacheable(message, requestMethod: request.method) {
                    try? message.addHeader(Array("cache-control".utf8), Array("private".utf8))
                }
            }
        case .rewrite:
            try? message.editCookies(named: name) { _ in
                serverSets = true
                return .value(Array(value.utf8))
            }
            if serverSets { log.serverCookie = UInt8(ascii: "R") }
        case .prefix:
            try? message.editCookies(named: name) { old in
                serverSets = true
                return .value(Array(value.utf8) + [UInt8(ascii: "~")] + old)
            }
            if serverSets { log.serverCookie = UInt8(ascii: "R") }
        case .passive:
            break
        }
        if message.isEdited { context.responseMessage = message }
    }

    /// Why a dated cookie is too old (or dated more than a day ahead) to
    /// be used: `O` past `maxlife`, looked at first, `E` past `maxidle`;
    /// nil when it may be used.
    static func expiry(_ cookie: CookiePersistence, idle: Int64?, first: Int64?) -> UInt8? {
        let now = CookieValues.step(seconds: currentSeconds())
        let day: Int64 = 86_400 / 4
        if let maxLife = cookie.maxLife, let first {
            if first > now + day || (now - first) * 4 > Int64(maxLife) { return UInt8(ascii: "O") }
        }
        if let maxIdle = cookie.maxIdle, let idle {
            if idle > now + day || (now - idle) * 4 > Int64(maxIdle) { return UInt8(ascii: "E") }
        }
        return nil
    }

    /// The runtime tells whether the server the request's cookie names
    /// may take it: a cookie naming a server down or in maintenance is
    /// logged `D`, whether the request then goes there anyway (`option
    /// persist`, `force-persist`) or elsewhere (recorded with 2.6.12).
    public mutating func noteCookieServer(usable: Bool) {
        if !usable, log.clientCookie == UInt8(ascii: "V") { log.clientCookie = UInt8(ascii: "D") }
    }

    /// `%tsc` of a transaction whose backend has cookie persistence but
    /// that never went through it (refused, no server): `NN` as 2.6.
    mutating func settleCookieLogState() {
        guard let cookie = backend?.cookie, cookie.mode != .passive else { return }
        if log.clientCookie == UInt8(ascii: "-") { log.clientCookie = UInt8(ascii: "N") }
        if log.serverCookie == UInt8(ascii: "-") { log.serverCookie = UInt8(ascii: "N") }
    }

    /// Wall-clock seconds.
    static func currentSeconds() -> Int64 { SampleTime.now.seconds }

    /// Whether a cache could keep the response (what `nocache` guards):
    /// a GET or HEAD, a cacheable status, and a `Cache-Control` that allows
    /// it or an `Expires` or `Last-Modified` date, no `private`, `no-cache`
    /// or `no-store`.
    static func isCacheable(_ message: HTTPMessage, requestMethod: HTTPMethod) -> Bool {
        guard requestMethod == .get || requestMethod == .head,
              [200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501].contains(message.head.status) else { return false }
        var allowed = false, forbidden = false
        message.forEachHeader { name, value in
            let n = String(decoding: name, as: UTF8.self).lowercased()
            let v = String(decoding: value, as: UTF8.self).lowercased()
            if n == "cache-control" {
                for directive in v.split(separator: ",").map({ String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }) {
                    if ["private", "no-cache", "no-store", "max-age=0", "s-maxage=0"].contains(directive) || directive.hasPrefix("private=") || directive.hasPrefix("no-cache=") {
                        forbidden = true
                    } else if directive == "public" || directive.hasPrefix("max-age=") || directive.hasPrefix("s-maxage=") {
                        allowed = true
                    }
                }
            } else if n == "expires" || n == "last-modified" {
                allowed = true
            }
            return true
        }
        return allowed && !forbidden
    }
}

/// What persistence decided for the current request.
public struct Persistence: Sendable {
    /// The server the request asks for (a `use-server` rule or a valid cookie).
    public var server: String?
    /// It may be used even when down (`option persist`, `force-persist`).
    public var forced = false
    /// A `use-server` rule chose it: no cookie is inserted.
    public var byRule = false
    /// The server the request's cookie names, valid or not usable.
    public var cookieServer: String?
    /// `ignore-persist` matched: no cookie is used nor set.
    public var ignored = false
    /// The dates of a dated cookie (4-second steps), when it had them.
    public var idleStep: Int64?
    public var firstStep: Int64?

    public init() {}
}
