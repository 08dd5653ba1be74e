import HAProxyRules

/// Reads configuration text line by line: tokenizes, follows conditional
/// blocks, opens sections and hands each keyword line to its handler from
/// `KeywordRegistry`. The keywords themselves live in `Keywords/`.
struct ConfigParser {
    let registry = KeywordRegistry.shared
    let features: Set<String>
    let version: String
    var sslLibrary: ConditionEvaluator.SSLLibrary?

    /// One level of `.if` nesting.
    private struct Conditional {
        /// Lines of the current branch are used.
        var taking: Bool
        /// A branch of this block was already taken (or the parent is inactive).
        var done: Bool
        var seenElse = false
    }

    /// Parses the text of one file into `context`. Returns false when parsing
    /// must stop (an error HAProxy treats as ERR_ABORT).
    func parse(text: String, file: String, into context: inout ParseContext) -> Bool {
        var conditions: [Conditional] = []
        var lineNumber = 0
        let lines = Self.lines(of: text)
        for rawLine in lines.lines {
            lineNumber += 1
            let line = String(decoding: rawLine, as: UTF8.self)
            context.location = SourceLocation(file: file, line: lineNumber)
            PatternReferences.location = .init(file: file, line: lineNumber)
            let active = conditions.allSatisfy(\.taking)
            // Capture only what expansion needs, not the whole configuration.
            let environment = context.environment
            let location = context.location
            let section = Self.sectionLabel(context)
            let tokenizer = LineTokenizer(lookup: { name in
                Self.lookup(name, environment: environment, location: location, section: section)
            })
            let words: [String]
            switch tokenizer.tokenize(line) {
            case .success(let w): words = w
            case .failure(let failure):
                if !active { continue }
                let text = failure.wordsAreUsable ? failure.reason : failure.message(line: line)
                context.diagnostics.alert("parsing [\(context.location)]: \(text)", at: context.location)
                continue
            }
            guard let first = words.first else { continue }

            // Conditional blocks are followed even in inactive branches.
            switch first {
            case ".if":
                if !active {
                    conditions.append(Conditional(taking: false, done: true))
                    continue
                }
                guard let value = evaluate(words, line: line, context: &context) else { return false }
                conditions.append(Conditional(taking: value, done: value))
                continue
            case ".elif", ".else":
                guard var top = conditions.popLast() else {
                    return abort("lone '\(first)' with no matching '.if'.", &context)
                }
                if top.seenElse { return abort("'\(first)' after '.else' is not permitted.", &context) }
                if first == ".else" { top.seenElse = true }
                let parentActive = conditions.allSatisfy(\.taking)
                if top.done || !parentActive {
                    top.taking = false
                } else if first == ".else" {
                    top.taking = true
                    top.done = true
                } else {
                    guard let value = evaluate(words, line: line, context: &context) else { return false }
                    top.taking = value
                    top.done = value
                }
                conditions.append(top)
                continue
            case ".endif":
                if conditions.popLast() == nil {
                    return abort("lone '.endif' with no matching '.if'.", &context)
                }
                continue
            default:
                break
            }
            if !active { continue }

            if [".diag", ".notice", ".warning", ".alert"].contains(first) {
                if words.count > 2 {
                    context.diagnostics.alert(
                        "parsing [\(context.location)]: Unexpected argument '\(words[2])' for '\(first)'. Use quotes if the message should contain spaces.",
                        at: context.location)
                    continue
                }
                let message = "parsing [\(context.location)]: '\(words.count > 1 ? words[1] : "")'."
                switch first {
                case ".diag": context.diagnostics.diag(message, at: context.location)
                case ".notice": context.diagnostics.notice(message, at: context.location)
                case ".warning": context.diagnostics.warning(message, at: context.location)
                default:
                    context.diagnostics.alert(message, at: context.location)
                    context.diagnostics.markAborted()
                    return false
                }
                continue
            }

            if let sectionResult = openSectionIfHeader(words, context: &context) {
                if !sectionResult { return false }
                continue
            }
            dispatch(words, context: &context)
            if context.diagnostics.aborted { return false }
        }
        if let unterminated = lines.unterminatedLength {
            // HAProxy refuses a file whose last line has no LF: it may have
            // been cut short while being written.
            context.diagnostics.alert(
                "parsing [\(context.location)]: Missing LF on last line, file might have been truncated at position \(unterminated + 1).",
                at: context.location)
        }
        if !conditions.isEmpty {
            return abort("non-terminated '.if' block.", &context)
        }
        closeSection(&context)
        return true
    }

    /// The lines of a file, cut at each LF byte (a CR before it stays and
    /// ends the line's words, see `LineTokenizer`), and the byte length of
    /// a last line that has no LF.
    static func lines(of text: String) -> (lines: [ArraySlice<UInt8>], unterminatedLength: Int?) {
        let bytes = Array(text.utf8)
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            lines.append(bytes[start..<index])
            start = index + 1
        }
        guard start < bytes.count else { return (lines, nil) }
        lines.append(bytes[start...])
        return (lines, bytes.count - start)
    }

    /// Environment variables and the pseudo-variables `.FILE`, `.LINE`, `.SECTION`.
    static func lookup(
        _ name: String, environment: [String: String], location: SourceLocation, section: String
    ) -> String? {
        switch name {
        case ".FILE": return location.file
        case ".LINE": return String(location.line)
        case ".SECTION": return section
        default: return environment[name]
        }
    }

    /// `.SECTION`: the proxy's name, or the section keyword.
    static func sectionLabel(_ context: ParseContext) -> String {
        if case .proxy = context.section, let p = context.proxy, !p.name.isEmpty { return p.name }
        return context.sectionName
    }

    private func abort(_ message: String, _ context: inout ParseContext) -> Bool {
        context.diagnostics.alert("parsing [\(context.location)]: \(message)", at: context.location)
        context.diagnostics.markAborted()
        return false
    }

    /// Evaluates a `.if`/`.elif` line; nil after reporting a parse error.
    private func evaluate(_ words: [String], line: String, context: inout ParseContext) -> Bool? {
        let evaluator = ConditionEvaluator(
            environment: context.environment, features: features, version: version, sslLibrary: sslLibrary)
        var text = words.dropFirst().joined(separator: " ")
        // HAProxy keeps the blank that ends an uncommented line in the text it reports.
        if !line.contains("#"), let last = line.last, last == " " || last == "\t", words.count > 1 { text += " " }
        switch evaluator.evaluate(text) {
        case .success(let value): return value
        case .failure(let error):
            let caret = String(repeating: " ", count: 2 + words[0].count + 1 + error.position) + "^"
            _ = abort(
                "\(error.message) in '\(words[0])' at position \(error.position + 1):\n  \(words[0]) \(text)\n\(caret)",
                &context)
            return nil
        }
    }

    /// Hands a keyword line to its handler according to the current section.
    private func dispatch(_ rawWords: [String], context: inout ParseContext) {
        var words = rawWords
        context.negated = false
        switch context.section {
        case .none:
            context.diagnostics.alert(
                "parsing [\(context.location)]: unknown keyword '\(words[0])' out of section.", at: context.location)
            return
        case .unsupported:
            return  // already refused at the section header
        case .broken:
            context.alert("'listen' or 'defaults' expected.")
            return
        case .httpErrors(let index):
            do {
                try KeywordRegistry.parseHTTPErrorsLine(words, section: index, &context)
            } catch let error as KeywordError {
                report(error, context: &context)
            } catch {
                context.alert("\(error)")
            }
            return
        case .userlist:
            runUserlistKeyword(words, context: &context)
            return
        case .resolvers:
            guard let keyword = registry.resolvers[words[0]] else {
                context.alert("unknown keyword '\(words[0])' in 'resolvers' section")
                return
            }
            runHandler(keyword, words, context: &context)
            return
        case .peers:
            guard let keyword = registry.peers[words[0]] else {
                context.alert("unknown keyword '\(words[0])' in 'peers' section")
                return
            }
            runHandler(keyword, words, context: &context)
            return
        case .global, .proxy:
            break
        }
        if words[0] == "no" || words[0] == "default" {
            let isGlobal = context.section == .global
            let allowed =
                isGlobal
                ? ["busy-polling", "set-dumpable", "strict-limits", "insecure-fork-wanted", "numa-cpu-mapping"]
                : ["option", "log"]
            guard words.count > 1, allowed.contains(words[1]) else {
                context.diagnostics.alert(
                    "parsing [\(context.location)]: negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.",
                    at: context.location)
                if words.count > 1 {
                    words.removeFirst()
                    run(words, context: &context)
                }
                return
            }
            if words[0] == "default" {
                context.alert("'default \(words[1])' is not supported by this build; use 'no \(words[1])' or set it again.")
                return
            }
            context.negated = true
            words.removeFirst()
        }
        run(words, context: &context)
    }

    private func run(_ words: [String], context: inout ParseContext) {
        let name = words[0]
        let isGlobal = context.section == .global
        let table = isGlobal ? registry.global : registry.proxy
        guard let keyword = table[name] else {
            let unsupported =
                isGlobal
                ? KeywordRegistry.unsupportedGlobalKeywords.contains(name) || HAProxy26Keywords.global.contains(name)
                : KeywordRegistry.unsupportedProxyKeywords.contains(name) || HAProxy26Keywords.proxy.contains(name)
            if unsupported {
                context.alert("'\(Self.refusedForm(words))' is not supported by this build.")
                return
            }
            var message = "unknown keyword '\(name)' in '\(context.sectionName)' section"
            // As HAProxy, suggest among every keyword of 2.6, implemented or not.
            let candidates = Set(table.keys).union(isGlobal ? HAProxy26Keywords.global : HAProxy26Keywords.proxy)
            if let best = KeywordSuggestion.bestMatch(for: name, among: Array(candidates)) {
                message += "; did you mean '\(best)' maybe ?"
            }
            context.alert(message)
            return
        }
        if !isGlobal, let proxy = context.proxy {
            if proxy.isDefaults && !keyword.sections.contains(.defaults) {
                context.alert("'\(name)' not allowed in 'defaults' section.")
                return
            }
            if !proxy.isDefaults, let capability = keyword.capability, !proxy.capabilities.contains(capability) {
                let missing = capability == .frontend ? "frontend" : "backend"
                context.warning(
                    "'\(name)' ignored because \(proxy.sectionName) '\(proxy.name)' has no \(missing) capability.")
                // HAProxy still parses the line (and reports its errors);
                // whatever it would set is dropped.
                let saved = context.proxy
                runHandler(keyword, words, context: &context)
                context.proxy = saved
                return
            }
        }
        runHandler(keyword, words, context: &context)
    }

    /// A line of a `userlist` section (no `no` prefix, no suggestions:
    /// 2.6 prints neither there).
    private func runUserlistKeyword(_ words: [String], context: inout ParseContext) {
        guard let keyword = registry.userlist[words[0]] else {
            context.diagnostics.alert(
                "parsing [\(context.location)]: unknown keyword '\(words[0])' in 'users' section", at: context.location)
            return
        }
        runHandler(keyword, words, context: &context)
    }

    /// The words a refusal names: the keyword, and for rule sets the
    /// action (`http-response set-header`, `tcp-request content accept`).
    static func refusedForm(_ words: [String]) -> String {
        let width: Int
        switch words[0] {
        case "http-response", "http-after-response", "monitor", "stick", "email-alert": width = 2
        case "tcp-request", "tcp-response": width = 3
        default: width = 1
        }
        return words.prefix(width).joined(separator: " ")
    }

    private func runHandler(_ keyword: ConfigKeyword, _ words: [String], context: inout ParseContext) {
        do {
            try keyword.handler(words, &context)
        } catch let error as KeywordError {
            report(error, context: &context)
        } catch {
            context.alert("\(error)")
        }
    }

    func report(_ error: KeywordError, context: inout ParseContext) {
        let loc = context.location
        switch error.form {
        case .parsing: context.diagnostics.alert("parsing [\(loc)] : \(error.message)", at: loc)
        case .parsingTight: context.diagnostics.alert("parsing [\(loc)]: \(error.message)", at: loc)
        case .bracketed: context.diagnostics.alert("[\(loc)] : \(error.message)", at: loc)
        case .raw: context.diagnostics.alert(error.message, at: loc)
        }
        if error.abort { context.diagnostics.markAborted() }
    }
}
