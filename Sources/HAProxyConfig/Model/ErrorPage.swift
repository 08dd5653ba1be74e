import HAProxyRules

/// What a proxy answers for one status instead of the built-in page
/// (manual 4.2 `errorfile`, `errorloc`, `http-error`).
public enum ErrorPage: Sendable {
    /// `errorfile CODE FILE`, or a page imported from an `http-errors` section.
    case file(ErrorFile)
    /// `errorloc`/`errorloc302` (302) or `errorloc303` (303) to `location`.
    case redirect(code: Int, location: String)
    /// `http-error status CODE ...`: a response built like `http-request return`.
    case reply(HTTPReturn)
    /// `http-error status CODE default-errorfiles`: back to the built-in page.
    case builtin
}

/// One error-page line of a proxy, in declaration order: the proxy's pages
/// are these applied one after the other, the last one for a status
/// winning; a proxy starts with its defaults section's lines (checked with
/// 2.6: `errorfile`, `http-error`, `errorfiles` and `errorloc` override
/// each other in that order, whatever the keyword).
public enum ErrorPageDirective: Sendable {
    case page(status: Int, ErrorPage)
    /// `errorfiles NAME [CODE ...]` (every code of the section when none
    /// is given), or `http-error status CODE errorfiles NAME`.
    case section(name: String, codes: [Int], location: SourceLocation)
}

/// An `http-errors NAME` section: `errorfile CODE FILE` lines that proxies
/// import with `errorfiles NAME` or rules with `errorfiles NAME`.
public struct HTTPErrorsSection: Sendable {
    public var name: String
    public var location: SourceLocation
    public var files: [Int: ErrorFile] = [:]

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

extension ProxyConfig {
    /// The last `errorfile` of each status (defaults' first, then the proxy's).
    public var errorFiles: [Int: ErrorFile] {
        var files: [Int: ErrorFile] = [:]
        for case .page(let status, .file(let file)) in errorPageDirectives { files[status] = file }
        return files
    }

    /// The proxy's pages by status once its lines are applied in order;
    /// `sections` resolves `errorfiles NAME` (an unknown name imports nothing).
    public func errorPages(sections: [HTTPErrorsSection]) -> [Int: ErrorPage] {
        var pages: [Int: ErrorPage] = [:]
        for directive in errorPageDirectives {
            switch directive {
            case .page(let status, .builtin):
                pages[status] = nil
            case .page(let status, let page):
                pages[status] = page
            case .section(let name, let codes, _):
                guard let section = sections.first(where: { $0.name == name }) else { continue }
                for (status, file) in section.files where codes.isEmpty || codes.contains(status) {
                    pages[status] = .file(file)
                }
            }
        }
        return pages
    }
}
