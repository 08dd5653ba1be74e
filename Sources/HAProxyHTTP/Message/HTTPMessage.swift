import HAProxyRules
import NIOCore

/// A parsed head with the bytes it was parsed from, as rules read and edit
/// it (`http-request set-header`, `set-path`, `http-response set-status`...).
///
/// Rules that add, set or delete ordinary headers (the common case:
/// `set-header X-Forwarded-Proto`, `del-header Server`) only note the
/// change: later fetches see it at once, and the head is written once
/// with every noted change when it is taken (`materialized()`). Any
/// other edit (start line, framing headers, values rewritten in place)
/// writes the head anew with the change applied, parsing it again when
/// the parser's facts may change, so that fetches, rules and the
/// forwarding all see one consistent head. A message no rule edits is
/// never copied.
public struct HTTPMessage {
    /// The head as parsed or last written: without the noted header
    /// edits, which `materialized()` applies.
    public private(set) var head: HTTPHead
    /// The head's bytes (offsets of `head` are relative to the reader index).
    public private(set) var bytes: ByteBuffer
    /// Whether a rule changed the message.
    public private(set) var isEdited = false
    /// Headers of `head` removed by noted edits.
    private var removed = HeaderIndexSet()
    /// Lines added by noted edits, after the headers of `head`.
    private var added: [(name: [UInt8], value: [UInt8])] = []
    /// New values of ordinary headers of `head` (`replace-header`), by index.
    private var replaced: [(index: Int, value: [UInt8])] = []
    private var hasNotedEdits: Bool { !removed.isEmpty || !added.isEmpty || !replaced.isEmpty }

    /// The value a noted edit gave header `index` of `head`, if any.
    @inline(__always)
    private func replacement(_ index: Int) -> [UInt8]? {
        for entry in replaced where entry.index == index { return entry.value }
        return nil
    }

    /// The ordinary header edits noted on `head` and not written into it:
    /// the forwarding writes them with the head (`headEdits`), and a
    /// message built again on the same head takes them back (`adopt`).
    public struct NotedEdits {
        fileprivate var removed = HeaderIndexSet()
        fileprivate var added: [(name: [UInt8], value: [UInt8])] = []
        fileprivate var replaced: [(index: Int, value: [UInt8])] = []

        public init() {}

        public var isEmpty: Bool { removed.isEmpty && added.isEmpty && replaced.isEmpty }

        /// The edits for `HTTPHeadRewriter`: the removals, the replaced
        /// values, and the added lines (the array itself, not a copy of
        /// its bytes), which it writes with lowercase names, as every
        /// forwarded header.
        public var headEdits: HTTPHeadEdits {
            var edits = HTTPHeadEdits()
            (edits.removedLow, edits.removedHigh) = removed.words
            edits.replaced = replaced
            if !added.isEmpty { edits.addedLines = added }
            return edits
        }
    }

    /// The noted edits, relative to `head` and `bytes`.
    public var notedEdits: NotedEdits {
        var edits = NotedEdits()
        edits.removed = removed
        edits.added = added
        edits.replaced = replaced
        return edits
    }

    /// Takes back edits noted on this same head (see `notedEdits`).
    public mutating func adopt(_ edits: NotedEdits) {
        guard !edits.isEmpty else { return }
        removed = edits.removed
        added = edits.added
        replaced = edits.replaced
        isEdited = true
    }
    /// The request body that arrived, for the `req.body*` fetches (nil
    /// for a response, or once the body went to the server).
    public var requestBody: HTTPRequestBody?
    private let mode: HTTPHeadParser.Mode

    public init(head: HTTPHead, bytes: ByteBuffer) {
        self.head = head
        self.bytes = bytes
        mode = head.isRequest ? .request : .response(requestMethod: .get)
    }

    /// A response to a request with `method` (HEAD changes its framing).
    public init(response head: HTTPHead, bytes: ByteBuffer, requestMethod: HTTPMethod) {
        self.head = head
        self.bytes = bytes
        mode = .response(requestMethod: requestMethod)
    }

    /// Why an edit could not be applied: the rewritten head does not parse
    /// (a value with a line break) or no longer fits the buffer.
    public struct EditError: Error {}

    // MARK: Reading

    /// Calls `body` with the bytes of `range` (relative to the head's start).
    @inlinable
    public func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        bytes.withUnsafeReadableBytes { body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Whether header `index`'s name is `name` (ASCII, without case).
    public func headerName(_ index: Int, is name: [UInt8]) -> Bool {
        let field = head.headers[index]
        guard field.name.count == name.count else { return false }
        return withBytes(field.name) { p in
            for i in 0..<name.count where HTTPBytes.lower(p[i]) != HTTPBytes.lower(name[i]) { return false }
            return true
        }
    }

    // MARK: Editing

    /// Replaces every `name` header by one with `value` (`set-header`).
    public mutating func setHeader(_ name: [UInt8], _ value: [UInt8]) throws {
        if Self.isOrdinary(name), noteRemovals(named: name) {
            if added.isEmpty { added.reserveCapacity(8) }
            added.append((name, value))
            isEdited = true
            return
        }
        materialize()
        let drop = head.headers.indices.filter { headerName($0, is: name) }
        try rebuild(drop: { drop.contains($0) }, append: [(name, value)])
    }

    /// Adds a `name: value` line after the others (`add-header`).
    public mutating func addHeader(_ name: [UInt8], _ value: [UInt8]) throws {
        if Self.isOrdinary(name), head.headers.count < HeaderIndexSet.capacity {
            if added.isEmpty { added.reserveCapacity(8) }
            added.append((name, value))
            isEdited = true
            return
        }
        materialize()
        try rebuild(append: [(name, value)])
    }

    /// Removes the headers for which `matches(name)` holds (`del-header`).
    public mutating func deleteHeaders(where matches: (UnsafeRawBufferPointer) -> Bool) throws {
        if noteRemovals(where: matches) { return }
        materialize()
        let head = self.head
        let drop = withBytes(0..<bytes.readableBytes) { p in
            head.headers.indices.filter { matches(UnsafeRawBufferPointer(rebasing: p[head.headers[$0].name])) }
        }
        guard !drop.isEmpty else { return }
        try rebuild(drop: { drop.contains($0) })
    }

    /// Notes the removal of the headers whose name `matches`, among those
    /// of `head` and those added; false (nothing noted) when one of them
    /// is a header the parser derives facts from, which needs a rewrite.
    private mutating func noteRemovals(where matches: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        let headers = head.headers
        guard headers.count < HeaderIndexSet.capacity else { return false }
        var found = removed
        let ordinary = Self.withBytes(0..<bytes.readableBytes, bytes) { p -> Bool in
            for index in headers.indices where !found.contains(index) {
                let field = headers[index]
                guard matches(UnsafeRawBufferPointer(rebasing: p[field.name])) else { continue }
                if field.kind != .other { return false }
                found.insert(index)
            }
            return true
        }
        guard ordinary else { return false }
        noteRemoved(found)
        if !added.isEmpty {
            let before = added.count
            added.removeAll { line in line.name.withUnsafeBytes(matches) }
            if added.count != before { isEdited = true }
        }
        return true
    }

    /// Records `found` as the removed headers, marking the message edited
    /// when that changes them.
    private mutating func noteRemoved(_ found: HeaderIndexSet) {
        guard found != removed else { return }
        removed = found
        isEdited = true
    }

    /// `noteRemovals(where:)` for the headers named `name` (without case):
    /// lengths are compared first, no closure runs per header.
    private mutating func noteRemovals(named name: [UInt8]) -> Bool {
        let headers = head.headers
        guard headers.count < HeaderIndexSet.capacity else { return false }
        var found = removed
        let ordinary = Self.withBytes(0..<bytes.readableBytes, bytes) { p -> Bool in
            for index in headers.indices where headers[index].name.count == name.count && !found.contains(index) {
                let field = headers[index]
                guard HTTPBytes.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: p[field.name]), name) else { continue }
                if field.kind != .other { return false }
                found.insert(index)
            }
            return true
        }
        guard ordinary else { return false }
        noteRemoved(found)
        if added.contains(where: { $0.name.count == name.count && HTTPBytes.equalsIgnoringCase($0.name, name) }) {
            added.removeAll { $0.name.count == name.count && HTTPBytes.equalsIgnoringCase($0.name, name) }
            isEdited = true
        }
        return true
    }

    /// Whether `name` is none of the headers the parser derives facts
    /// from (framing, connection, host...).
    private static func isOrdinary(_ name: [UInt8]) -> Bool {
        name.withUnsafeBytes { HTTPHeadParser.classifyName($0, 0, $0.count) } == .other
    }

    /// Writes the noted header edits into the head.
    public mutating func materialize() {
        guard hasNotedEdits else { return }
        let removed = self.removed
        let added = self.added
        let replaced = self.replaced
        self.removed = HeaderIndexSet()
        self.added = []
        self.replaced = []
        // Only ordinary headers are concerned: the rewrite keeps the
        // parser's facts and cannot fail.
        try? rebuild(
            drop: { removed.contains($0) }, replace: { index in replaced.first { $0.index == index }?.value },
            append: added)
    }

    /// The message with its noted header edits written into the head.
    public func materialized() -> HTTPMessage {
        guard hasNotedEdits else { return self }
        var copy = self
        copy.materialize()
        return copy
    }

    /// Gives each `name` header's value to `transform`, which returns its
    /// new value or nil to keep it (`replace-header`, `replace-value`).
    ///
    /// An ordinary header's new values are noted like the other edits of
    /// ordinary headers (the head is written once, when taken); lines
    /// added by noted edits are rewritten where they are. Another header
    /// is written into the head with the noted edits at once.
    public mutating func replaceHeaderValues(
        _ name: [UInt8], _ transform: (UnsafeRawBufferPointer) -> [UInt8]?
    ) throws {
        var values: [(index: Int, value: [UInt8])] = []
        // Static readers on the stored parts: a method of `self` called
        // here would copy the whole message first.
        let headers = head.headers
        let wasRemoved = removed
        let noted = replaced
        Self.withBytes(0..<bytes.readableBytes, bytes) { p in
            for index in headers.indices where !wasRemoved.contains(index) {
                let field = headers[index]
                guard HTTPBytes.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: p[field.name]), name) else { continue }
                let new = Self.replacement(index, in: noted).map { $0.withUnsafeBytes(transform) }
                    ?? transform(UnsafeRawBufferPointer(rebasing: p[field.value]))
                if let new { values.append((index, new)) }
            }
        }
        for i in added.indices where HTTPBytes.equalsIgnoringCase(name, added[i].name) {
            if let new = added[i].value.withUnsafeBytes(transform) {
                added[i].value = new
                isEdited = true
            }
        }
        guard !values.isEmpty else { return }
        if Self.isOrdinary(name), head.headers.count < HeaderIndexSet.capacity {
            for entry in values {
                if let at = replaced.firstIndex(where: { $0.index == entry.index }) {
                    replaced[at].value = entry.value
                } else {
                    replaced.append(entry)
                }
            }
            isEdited = true
            return
        }
        let added = self.added
        try rebuild(
            drop: { wasRemoved.contains($0) },
            replace: { index in (values.first { $0.index == index } ?? noted.first { $0.index == index })?.value },
            append: added)
        self.removed = HeaderIndexSet()
        self.added = []
        self.replaced = []
    }

    /// Gives the cookie `name` of each `Cookie` (request) or `Set-Cookie`
    /// (response) header to `transform` as its value's bytes; it returns
    /// the new value, `[]`-less nil to keep it, or `.remove` to drop the
    /// cookie. A `Cookie` header left empty is removed.
    public enum CookieEdit {
        case keep
        case remove
        case value([UInt8])
    }

    public mutating func editCookies(named name: [UInt8], _ transform: (ArraySlice<UInt8>) -> CookieEdit) throws {
        materialize()
        let header = Array((head.isRequest ? "cookie" : "set-cookie").utf8)
        var replaced: [Int: [UInt8]] = [:]
        var dropped: Set<Int> = []
        for index in head.headers.indices where headerName(index, is: header) {
            let value = withBytes(head.headers[index].value) { Array($0) }
            if head.isRequest {
                // `a=1; NAME=x; b=2`: each cookie separated by ';'.
                var kept: [[UInt8]] = []
                var changed = false
                for part in value.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false) {
                    var cookie = part[...]
                    while cookie.first == 0x20 || cookie.first == 0x09 { cookie = cookie.dropFirst() }
                    let eq = cookie.firstIndex(of: UInt8(ascii: "=")) ?? cookie.endIndex
                    if cookie[cookie.startIndex..<eq].elementsEqual(name) {
                        let raw = eq < cookie.endIndex ? cookie[(eq + 1)...] : []
                        switch transform(raw) {
                        case .keep: kept.append(Array(cookie))
                        case .remove: changed = true
                        case .value(let new):
                            kept.append(name + [UInt8(ascii: "=")] + new)
                            changed = true
                        }
                    } else {
                        kept.append(Array(cookie))
                    }
                }
                guard changed else { continue }
                if kept.isEmpty { dropped.insert(index) } else { replaced[index] = Array(kept.joined(separator: Array("; ".utf8))) }
            } else {
                // `NAME=x; Path=/`: the cookie is the first pair.
                let eq = value.firstIndex(of: UInt8(ascii: "=")) ?? value.endIndex
                guard value[..<eq].elementsEqual(name) else { continue }
                let end = value[eq...].firstIndex(of: UInt8(ascii: ";")) ?? value.endIndex
                let raw = eq < value.endIndex ? value[(eq + 1)..<end] : []
                switch transform(raw) {
                case .keep: break
                case .remove: dropped.insert(index)
                case .value(let new): replaced[index] = Array(value[...eq]) + new + Array(value[end...])
                }
            }
        }
        guard !replaced.isEmpty || !dropped.isEmpty else { return }
        try rebuild(drop: { dropped.contains($0) }, replace: { replaced[$0] })
    }

    /// Replaces the request method (`set-method`).
    public mutating func setMethod(_ method: [UInt8]) throws {
        try setStartLine(first: method, second: nil, third: nil)
    }

    /// Replaces the request target (`set-uri`, `set-path`, `set-query`...).
    /// An absolute target's authority becomes the `Host` header, as 2.6
    /// keeps them in agreement.
    public mutating func setURI(_ uri: [UInt8]) throws {
        materialize()
        guard let authority = Self.authority(of: uri) else {
            try setStartLine(first: nil, second: uri, third: nil)
            return
        }
        let host = Array("host".utf8)
        let hostIndices = head.headers.indices.filter { headerName($0, is: host) }
        let start = Array(withBytes(head.methodRange) { Array($0) }) + [0x20] + uri + [0x20]
            + withBytes(head.versionRange) { Array($0) }
        if let first = hostIndices.first {
            try rebuild(startLine: start, drop: { hostIndices.dropFirst().contains($0) },
                        replace: { $0 == first ? authority : nil })
        } else {
            try rebuild(startLine: start, append: [(host, authority)])
        }
    }

    /// The `host[:port]` of an absolute URI (`scheme://authority/...`).
    static func authority(of uri: [UInt8]) -> [UInt8]? {
        guard uri.first != UInt8(ascii: "/"), uri.count > 3 else { return nil }
        for i in 0..<(uri.count - 2) where uri[i] == UInt8(ascii: ":") && uri[i + 1] == UInt8(ascii: "/") && uri[i + 2] == UInt8(ascii: "/") {
            let rest = uri[(i + 3)...]
            let end = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? uri.count
            return Array(uri[(i + 3)..<end])
        }
        return nil
    }

    /// Replaces a response's status and reason (`set-status`).
    public mutating func setStatus(_ status: Int, reason: [UInt8]) throws {
        try setStartLine(first: nil, second: Array(String(status).utf8), third: reason)
    }

    private mutating func setStartLine(first: [UInt8]?, second: [UInt8]?, third: [UInt8]?) throws {
        materialize()
        let head = self.head
        // A request line is method, URI, version; a status line is
        // version, status, reason (the parser records the status as the
        // URI and the reason as the version range).
        let ranges = [head.methodRange, head.uriRange, head.versionRange]
        var line: [UInt8] = []
        withBytes(0..<bytes.readableBytes) { p in
            let parts = [first, second, third]
            for (i, range) in ranges.enumerated() {
                if i > 0 { line.append(0x20) }
                if let part = parts[i] { line += part } else { line += p[range] }
            }
        }
        try rebuild(startLine: line)
    }

    /// Writes the head anew: `startLine` instead of the current one,
    /// headers `drop` selects left out, values `replace` gives changed,
    /// `append` added last; then parses the result.
    private mutating func rebuild(
        startLine: [UInt8]? = nil, drop: (Int) -> Bool = { _ in false }, replace: (Int) -> [UInt8]? = { _ in nil },
        append: [([UInt8], [UInt8])] = []
    ) throws {
        let current = self.head
        // Edits of ordinary headers keep every fact the parser derived
        // (framing, connection tokens, host): the new head is built while
        // writing. A new start line or a framing header is parsed again.
        var reparse = startLine != nil
        var replacements: [(index: Int, value: [UInt8])] = []
        var bound = bytes.readableBytes + (startLine?.count ?? 0) + 4 * (current.headers.count + append.count) + 8
        for index in current.headers.indices {
            if let value = replace(index) {
                replacements.append((index, value))
                bound += value.count
            }
        }
        for (name, value) in append { bound += name.count + value.count }
        var fields: [HTTPHeaderField] = []
        fields.reserveCapacity(current.headers.count + append.count)
        var out = ByteBuffer()
        out.reserveCapacity(bound)
        let shift = current.methodRange.lowerBound
        var headersEnd = 0
        let written = bytes.withUnsafeReadableBytes { p in
            out.withUnsafeMutableWritableBytes { w -> Int in
                var o = HTTPHeadRewriter.Writer(base: w.baseAddress!)
                if let startLine {
                    startLine.withUnsafeBytes { o.copy($0, 0..<$0.count) }
                } else {
                    o.copy(p, current.methodRange.lowerBound..<current.versionRange.upperBound)
                }
                o.crlf()
                for index in current.headers.indices {
                    let field = current.headers[index]
                    if drop(index) {
                        if field.kind != .other { reparse = true }
                        continue
                    }
                    let lineStart = o.count
                    o.copy(p, field.name)
                    let nameEnd = o.count
                    o.colonSpace()
                    let valueStart = o.count
                    if !replacements.isEmpty, let value = replacements.first(where: { $0.index == index })?.value {
                        if field.kind != .other { reparse = true }
                        value.withUnsafeBytes { o.copy($0, 0..<$0.count) }
                    } else {
                        o.copy(p, field.value)
                    }
                    let valueEnd = o.count
                    o.crlf()
                    fields.append(HTTPHeaderField(
                        name: lineStart..<nameEnd, value: valueStart..<valueEnd, line: lineStart..<o.count, kind: field.kind))
                }
                for (name, value) in append {
                    let lineStart = o.count
                    let kind = name.withUnsafeBytes { n -> HTTPKnownHeader in
                        o.copy(n, 0..<n.count)
                        return HTTPHeadParser.classifyName(n, 0, n.count)
                    }
                    if kind != .other { reparse = true }
                    let nameEnd = o.count
                    o.colonSpace()
                    let valueStart = o.count
                    value.withUnsafeBytes { o.copy($0, 0..<$0.count) }
                    let valueEnd = o.count
                    o.crlf()
                    fields.append(HTTPHeaderField(
                        name: lineStart..<nameEnd, value: valueStart..<valueEnd, line: lineStart..<o.count, kind: kind))
                }
                headersEnd = o.count
                o.crlf()
                return o.count
            }
        }
        out.moveWriterIndex(forwardBy: written)
        if !reparse {
            var edited = current
            edited.methodRange = (current.methodRange.lowerBound - shift)..<(current.methodRange.upperBound - shift)
            edited.uriRange = (current.uriRange.lowerBound - shift)..<(current.uriRange.upperBound - shift)
            edited.versionRange = (current.versionRange.lowerBound - shift)..<(current.versionRange.upperBound - shift)
            edited.startLineStart = 0
            edited.headersStart = edited.versionRange.upperBound + 2
            edited.headers = fields
            edited.headersEnd = headersEnd
            edited.length = written
            head = edited
            bytes = out
            isEdited = true
            return
        }
        var parser = HTTPHeadParser(mode: mode, limits: HTTPHeadLimits(bufferSize: 1 << 20, maxRewrite: 0, maxHeaders: 1000))
        guard case .complete(let parsed) = parser.parse(out) else { throw EditError() }
        head = parsed
        bytes = out
        isEdited = true
    }
}

extension HTTPMessage: HTTPMessageReader {
    public func withMethod<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        head.isRequest ? withBytes(head.methodRange, body) : body(UnsafeRawBufferPointer(start: nil, count: 0))
    }

    public func withURI<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        head.isRequest ? withBytes(head.uriRange, body) : body(UnsafeRawBufferPointer(start: nil, count: 0))
    }

    public var version: (major: Int, minor: Int) { (Int(head.version.major), Int(head.version.minor)) }

    public var status: Int { head.isRequest ? 0 : head.status }

    public func forEachHeader(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) {
        Self.forEachHeader(head.headers, bytes, removed, replaced, added, body)
    }

    /// The values of the headers named `lowercasedName`, names compared
    /// in the head's bytes: `body` runs for those headers only.
    public func forEachHeader(named lowercasedName: [UInt8], _ body: (UnsafeRawBufferPointer) -> Bool) {
        Self.forEachHeader(named: lowercasedName, head.headers, bytes, removed, replaced, added, body)
    }

    public func withBody<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? { requestBody?.withPayload(body) }

    // The same reads for a message stored in a class property (the rules'
    // `MessageBox`): a mutating call reaches the stored value in place,
    // where a plain call first copies the message, retaining its buffers.
    // They pass the stored parts they read to the static readers below
    // (a call of the plain method from here still copied the whole
    // message at -O). They do not change the message.

    public mutating func forEachHeaderInPlace(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) {
        Self.forEachHeader(head.headers, bytes, removed, replaced, added, body)
    }

    public mutating func forEachHeaderInPlace(named lowercasedName: [UInt8], _ body: (UnsafeRawBufferPointer) -> Bool) {
        Self.forEachHeader(named: lowercasedName, head.headers, bytes, removed, replaced, added, body)
    }

    public mutating func withMethodInPlace<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        Self.withBytes(head.isRequest ? head.methodRange : 0..<0, bytes, body)
    }

    public mutating func withURIInPlace<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        Self.withBytes(head.isRequest ? head.uriRange : 0..<0, bytes, body)
    }

    private static func withBytes<R>(
        _ range: Range<Int>, _ bytes: ByteBuffer, _ body: (UnsafeRawBufferPointer) -> R
    ) -> R {
        if range.isEmpty { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return bytes.withUnsafeReadableBytes { body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    private static func replacement(_ index: Int, in replaced: [(index: Int, value: [UInt8])]) -> [UInt8]? {
        for entry in replaced where entry.index == index { return entry.value }
        return nil
    }

    private static func forEachHeader(
        _ headers: [HTTPHeaderField], _ bytes: ByteBuffer, _ removed: HeaderIndexSet,
        _ replaced: [(index: Int, value: [UInt8])], _ added: [(name: [UInt8], value: [UInt8])],
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool
    ) {
        let finished = bytes.withUnsafeReadableBytes { p -> Bool in
            for index in headers.indices where !removed.contains(index) {
                let field = headers[index]
                let name = UnsafeRawBufferPointer(rebasing: p[field.name])
                if !replaced.isEmpty, let value = replacement(index, in: replaced) {
                    if !value.withUnsafeBytes({ body(name, $0) }) { return true }
                    continue
                }
                if !body(name, UnsafeRawBufferPointer(rebasing: p[field.value])) {
                    return true
                }
            }
            return false
        }
        guard !finished else { return }
        for line in added {
            let goOn = line.name.withUnsafeBytes { name in line.value.withUnsafeBytes { value in body(name, value) } }
            if !goOn { return }
        }
    }

    private static func forEachHeader(
        named lowercasedName: [UInt8], _ headers: [HTTPHeaderField], _ bytes: ByteBuffer, _ removed: HeaderIndexSet,
        _ replaced: [(index: Int, value: [UInt8])], _ added: [(name: [UInt8], value: [UInt8])],
        _ body: (UnsafeRawBufferPointer) -> Bool
    ) {
        let finished = bytes.withUnsafeReadableBytes { p -> Bool in
            lowercasedName.withUnsafeBufferPointer { name -> Bool in
                for index in headers.indices {
                    let field = headers[index]
                    guard field.name.count == name.count, !removed.contains(index) else { continue }
                    var same = true
                    var i = 0
                    let start = field.name.lowerBound
                    while i < name.count {
                        if HTTPBytes.lower(p[start + i]) != name[i] {
                            same = false
                            break
                        }
                        i += 1
                    }
                    guard same else { continue }
                    if !replaced.isEmpty, let value = replacement(index, in: replaced) {
                        if !value.withUnsafeBytes(body) { return true }
                        continue
                    }
                    if !body(UnsafeRawBufferPointer(rebasing: p[field.value])) { return true }
                }
                return false
            }
        }
        guard !finished else { return }
        for line in added where line.name.count == lowercasedName.count {
            guard line.name.withUnsafeBytes({ n in
                (0..<n.count).allSatisfy { HTTPBytes.lower(n[$0]) == lowercasedName[$0] }
            }) else { continue }
            if !line.value.withUnsafeBytes(body) { return }
        }
    }
}

/// Indexes of a head's headers, below `capacity`, without allocating.
struct HeaderIndexSet: Equatable {
    static let capacity = 128
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    var isEmpty: Bool { low == 0 && high == 0 }

    func contains(_ index: Int) -> Bool {
        index < 64 ? low & (1 << UInt64(index)) != 0 : high & (1 << UInt64(index - 64)) != 0
    }

    mutating func insert(_ index: Int) {
        if index < 64 { low |= 1 << UInt64(index) } else { high |= 1 << UInt64(index - 64) }
    }

    /// The set as two 64-bit words (the layout `HTTPHeadEdits` keeps its removals in).
    var words: (low: UInt64, high: UInt64) { (low, high) }

    func forEach(_ body: (Int) -> Void) {
        var word = low
        while word != 0 {
            body(word.trailingZeroBitCount)
            word &= word &- 1
        }
        word = high
        while word != 0 {
            body(64 + word.trailingZeroBitCount)
            word &= word &- 1
        }
    }
}
