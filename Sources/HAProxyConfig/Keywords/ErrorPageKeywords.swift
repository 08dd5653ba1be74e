import HAProxyBase
import HAProxyRules

/// The error page keywords (manual 4.2): `errorfile`, `errorfiles`,
/// `errorloc`, `errorloc302`, `errorloc303`, `http-error`, and the
/// `errorfile` lines of `http-errors` sections (manual 3.8). Each proxy
/// line appends to the proxy's ordered list (`ErrorPageDirective`).
extension KeywordRegistry {
    static let errorPageKeywords: [ConfigKeyword] = [
        ConfigKeyword("errorfile", .proxies, parseErrorFile),
        ConfigKeyword("errorfiles", .proxies, parseErrorFiles),
        ConfigKeyword("errorloc", .proxies) { try parseErrorLocation($0, &$1, code: 302) },
        ConfigKeyword("errorloc302", .proxies) { try parseErrorLocation($0, &$1, code: 302) },
        ConfigKeyword("errorloc303", .proxies) { try parseErrorLocation($0, &$1, code: 303) },
        ConfigKeyword("http-error", .proxies, parseHTTPError),
    ]

    /// Status codes HAProxy has error pages for (`errorfile`, `errorloc`,
    /// `errorfiles`, `http-error`).
    static let errorFileCodes: Set<Int> = [
        200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504,
    ]

    /// Reads an `errorfile CODE FILE` line; `keyword` is how the messages
    /// name it ("errorfile :" in proxies, "errorfile:" when arguments are
    /// missing in an `http-errors` section).
    static func readErrorFile(_ args: [String], _ ctx: ParseContext, missing: String) throws -> (Int, ErrorFile) {
        guard args.count >= 3, !args[1].isEmpty, !args[2].isEmpty else { throw KeywordError(missing) }
        let code = ParseContext.looseInteger(args[1])
        guard errorFileCodes.contains(code) else { throw KeywordError("errorfile : status code '\(code)' not handled.") }
        guard let data = SystemFile.contents(atPath: args[2]) else {
            throw KeywordError("errorfile : error opening file '\(args[2])'.")
        }
        return (code, ErrorFile(path: args[2], bytes: data, location: ctx.location))
    }

    static func parseErrorFile(_ args: [String], _ ctx: inout ParseContext) throws {
        let (code, file) = try readErrorFile(
            args, ctx, missing: "errorfile : expects <status_code> and <file> as arguments.\n")
        ctx.withProxy { $0.errorPageDirectives.append(.page(status: code, .file(file))) }
    }

    /// `errorfiles NAME [CODE ...]`: the section is looked up once the
    /// whole configuration is read (`PostParseChecker`).
    static func parseErrorFiles(_ args: [String], _ ctx: inout ParseContext) throws {
        guard args.count > 1, !args[1].isEmpty else { throw KeywordError("errorfiles : expects <name> as argument.") }
        var codes: [Int] = []
        for word in args.dropFirst(2) {
            let code = ParseContext.looseInteger(word)
            guard errorFileCodes.contains(code) else { throw KeywordError("errorfiles : status code '\(code)' not handled.") }
            codes.append(code)
        }
        let directive = ErrorPageDirective.section(name: args[1], codes: codes, location: ctx.location)
        ctx.withProxy { $0.errorPageDirectives.append(directive) }
    }

    /// `errorloc CODE URL` (302), `errorloc302`, `errorloc303`.
    static func parseErrorLocation(_ args: [String], _ ctx: inout ParseContext, code: Int) throws {
        guard args.count >= 3, !args[1].isEmpty, !args[2].isEmpty else {
            throw KeywordError("\(args[0]) : expects <status_code> and <url> as arguments.\n")
        }
        let status = ParseContext.looseInteger(args[1])
        guard errorFileCodes.contains(status) else { throw KeywordError("\(args[0]) : status code '\(status)' not handled.") }
        let page = ErrorPage.redirect(code: code, location: args[2])
        ctx.withProxy { $0.errorPageDirectives.append(.page(status: status, page)) }
    }

    /// `http-error status CODE [content-type T] [payload] [hdr N V]*`: the
    /// response options of `http-request return`, without a condition.
    static func parseHTTPError(_ args: [String], _ ctx: inout ParseContext) throws {
        guard let proxy = ctx.proxy else { return }
        guard args.count > 1, args[1] == "status" else {
            throw KeywordError("http-error : expects at least a <status> as arguments.\n")
        }
        func error(_ message: String) -> KeywordError { KeywordError("http-error : \(message)") }
        // Checked with 2.6: every fetch is accepted in an http-error format.
        let stage = SampleStage.logging
        func format(_ text: String) throws -> SampleFormat {
            do {
                let parsed = try SampleFormat.parse(text)
                if let message = parsed.unavailableSampleMessage(in: text, at: stage) { throw error(message) }
                return parsed
            } catch let e as SampleParseError {
                throw error(e.message)
            }
        }
        var words = ArraySlice(args.dropFirst())
        let parsed = try HTTPReturnParser.parse(&words, proxy: proxy, defaultStatus: 200, format: format, error)
        if let word = words.first { throw error("unknown keyword '\(word)'.") }
        guard var reply = parsed else { return }
        let warnings = HTTPReturnParser.dropIgnoredOptions(&reply)
        guard errorFileCodes.contains(reply.status) else {
            throw KeywordError("http-error: status code '\(reply.status)' not handled.")
        }
        for warning in warnings { ctx.warning(warning) }
        let directive: ErrorPageDirective
        switch reply.payload {
        case .httpErrorsSection(let name):
            directive = .section(name: name, codes: [reply.status], location: ctx.location)
        case .proxyErrorPage:
            directive = .page(status: reply.status, .builtin)
        case .rawResponse(let bytes):
            let file = ErrorFile(path: args.firstIndex(of: "errorfile").map { args[$0 + 1] } ?? "", bytes: bytes, location: ctx.location)
            directive = .page(status: reply.status, .file(file))
        default:
            directive = .page(status: reply.status, .reply(reply))
        }
        ctx.withProxy { $0.errorPageDirectives.append(directive) }
    }

    /// `http-errors NAME`: opens the section (manual 3.8).
    static func openHTTPErrorsSection(_ words: [String], _ ctx: inout ParseContext) -> Bool {
        guard words.count > 1, !words[1].isEmpty else {
            ctx.alert("missing name for http-errors section.")
            ctx.diagnostics.markAborted()
            return false
        }
        let name = words[1]
        if let existing = ctx.config.httpErrors.first(where: { $0.name == name }) {
            ctx.diagnostics.alert(
                "parsing [\(ctx.location)]: http-errors section '\(name)' already exists (declared at \(existing.location)).",
                at: ctx.location)
            ctx.section = .httpErrors(nil)
            return true
        }
        ctx.config.httpErrors.append(HTTPErrorsSection(name: name, location: ctx.location))
        ctx.section = .httpErrors(ctx.config.httpErrors.count - 1)
        return true
    }

    /// A line of an `http-errors` section: only `errorfile CODE FILE`.
    static func parseHTTPErrorsLine(_ words: [String], section: Int?, _ ctx: inout ParseContext) throws {
        guard words[0] == "errorfile" else {
            throw KeywordError("unknown keyword '\(words[0])' in 'http-errors' section")
        }
        let (code, file) = try readErrorFile(
            words, ctx, missing: "errorfile: expects <status_code> and <file> as arguments.")
        if let section { ctx.config.httpErrors[section].files[code] = file }
    }
}
