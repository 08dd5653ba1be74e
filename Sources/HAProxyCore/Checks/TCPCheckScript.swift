#if canImport(Glibc)
import Glibc
#endif
import HAProxyConfig

/// Runs an `option tcp-check` ruleset without any channel: the probe asks
/// what to do next and reports connections and received bytes.
///
/// Steps are numbered from 1 in declaration order, `comment` rules
/// included, as HAProxy numbers them in its messages. When the first rule
/// is not a `connect`, an implicit connection is opened before the first
/// rule ("initial connection step"). A `comment` rule names the rules that
/// follow it in failure messages. The received bytes are kept across
/// `expect` rules and dropped on each `send` and `connect`. A ruleset
/// without rules is a plain Layer 4 check; any other one ends with
/// `Layer7 check passed, code: 0, info: "(tcp-check)"` (recorded).
///
/// The protocol checks play their own steps (`ProtocolCheckScript`) with
/// `reply` steps judging the answers; their connection failures and
/// timeouts are reported without the step (as 2.6 does).
struct TCPCheckScript {
    enum Action: Equatable {
        /// Open a (new) connection, to `port` or to the check target's port.
        case connect(port: Int?)
        case send([UInt8])
        /// Wait for bytes (or the close) before calling `next` again.
        case waitForData
        case done(HealthCheckResult)
    }

    enum Step {
        case connect(port: Int?)
        case send([UInt8])
        case expect(HealthCheckPattern)
        case comment(String)
        /// A protocol check's reply.
        case reply(ProtocolReply)
        /// `ssl-hello-chk`'s client hello, which carries the current time.
        case sendSSLHello
    }

    static let maxBufferedBytes = 16384

    let steps: [Step]
    /// Index of the next step to run.
    private(set) var index = 0
    /// The implicit connection before the first rule.
    let needsInitialConnect: Bool
    private(set) var received: [UInt8] = []
    private(set) var closed = false
    enum Connecting: Equatable { case no, initial, step(Int) }
    /// The connection the probe is opening (step index for a `connect` rule).
    private(set) var connecting = Connecting.no
    /// Set for a protocol check.
    let reporting: ProtocolCheckScript.Reporting?
    /// What a reply keeps for a later one.
    private var carried: String?

    init(protocolCheck: HealthCheckConfig.ProtocolCheck) {
        steps = ProtocolCheckScript.steps(for: protocolCheck)
        reporting = ProtocolCheckScript.reporting(for: protocolCheck)
        if case .connect = steps.first { needsInitialConnect = false } else { needsInitialConnect = true }
    }

    init(rules: [HealthCheckConfig.TCPCheckRule]) throws {
        steps = try rules.map {
            switch $0 {
            case .connect(let port, _): return .connect(port: port)
            case .send(let bytes): return .send(bytes)
            case .expect(let e): return .expect(try HealthCheckPattern(e))
            case .comment(let c): return .comment(c)
            }
        }
        reporting = nil
        let firstReal = steps.first { if case .comment = $0 { return false }; return true }
        if case .connect = firstReal { needsInitialConnect = false } else { needsInitialConnect = true }
    }

    /// Whether the ruleset does more than connect (its success is then Layer 7).
    var isLayer7: Bool { !steps.isEmpty }

    /// The connection was established.
    mutating func connected() {
        received.removeAll(keepingCapacity: true)
        closed = false
        connecting = .no
    }

    mutating func receivedBytes<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        received.append(contentsOf: bytes)
    }

    mutating func connectionClosed() { closed = true }

    /// The next thing to do. Call again after performing `.connect` (once
    /// `connected()`), `.send`, and after `.waitForData` once data or the
    /// close arrived.
    mutating func next() -> Action {
        if index == 0 && needsInitialConnect && !startedInitial {
            startedInitial = true
            connecting = .initial
            return .connect(port: nil)
        }
        while index < steps.count {
            let stepNumber = index + 1
            switch steps[index] {
            case .comment:
                index += 1
            case .connect(let port):
                index += 1
                connecting = .step(stepNumber - 1)
                return .connect(port: port)
            case .send(let bytes):
                index += 1
                received.removeAll(keepingCapacity: true)
                return .send(bytes)
            case .sendSSLHello:
                index += 1
                received.removeAll(keepingCapacity: true)
                let now = UInt32(truncatingIfNeeded: time(nil))
                return .send(ProtocolCheckScript.sslClientHello(unixTime: now))
            case .reply(let reply):
                let ended = closed || received.count >= TCPCheckScript.maxBufferedBytes
                if received.isEmpty {
                    guard ended else { return .waitForData }
                    let code = reporting?.emptyCode ?? .L7RSP
                    return .done(HealthCheckResult(code: code, info: "TCPCHK got an empty response at step \(stepNumber)"))
                }
                switch reply.evaluate(received, ended: ended, carried: &carried) {
                case .waitForData:
                    return .waitForData
                case .done(let result):
                    return .done(result)
                case .next(let consumed):
                    received.removeFirst(min(consumed, received.count))
                    index += 1
                }
            case .expect(let rule):
                let matched = rule.matches(content: received)
                let more = !closed && received.count < TCPCheckScript.maxBufferedBytes
                if rule.negated {
                    if matched {
                        return .done(fail("TCPCHK matched unwanted content \(contentName(rule)) at step \(stepNumber)"))
                    }
                    if more { return .waitForData }
                } else if !matched {
                    if more { return .waitForData }
                    if received.isEmpty {
                        return .done(fail("TCPCHK got an empty response at step \(stepNumber)"))
                    }
                    return .done(fail("TCPCHK did not match content \(contentName(rule)) at step \(stepNumber)"))
                }
                index += 1
            }
        }
        if !isLayer7 { return .done(HealthCheckResult(code: .L4OK)) }
        return .done(HealthCheckResult(code: .L7OK, statusCode: 0, info: "(tcp-check)"))
    }

    private var startedInitial = false

    private func fail(_ text: String) -> HealthCheckResult {
        var info = text
        if let c = comment(before: index) { info += " comment: \(c)" }
        return HealthCheckResult(code: .L7RSP, info: info)
    }

    /// `'+PONG'` for strings, `(regex)`, `(binary)`.
    private func contentName(_ rule: HealthCheckPattern) -> String {
        switch rule.source.matcher {
        case .string(let s): return "'\(s)'"
        case .stringRegex, .statusRegex: return "(regex)"
        case .binary: return "(binary)"
        case .status: return "(status)"
        }
    }

    /// The nearest `comment` rule before step `index`.
    private func comment(before index: Int) -> String? {
        var i = min(index, steps.count) - 1
        while i >= 0 {
            if case .comment(let c) = steps[i] { return c }
            i -= 1
        }
        return nil
    }

    /// The info of a failed connection: `Connection refused at step 4 of
    /// tcp-check (connect port 18777)` or `... at initial connection step of
    /// tcp-check`; `errorText` is empty for a timeout (the info then starts
    /// with a space, as HAProxy prints it).
    func connectFailureInfo(errorText: String) -> String? {
        if reporting != nil { return errorText.isEmpty ? nil : errorText }
        guard case .step(let i) = connecting else {
            return "\(errorText) at initial connection step of tcp-check"
        }
        var s = "\(errorText) at step \(i + 1) of tcp-check (connect"
        if case .connect(let port?) = steps[i] { s += " port \(port)" }
        s += ")"
        if let c = comment(before: i) { s += " comment: '\(c)'" }
        return s
    }

    /// The info of a timeout while waiting: ` at step 2 of tcp-check (expect string '+PONG')`.
    func timeoutInfo() -> String? {
        if reporting != nil { return nil }
        if connecting != .no { return connectFailureInfo(errorText: "") }
        guard index < steps.count else { return "" }
        var s = " at step \(index + 1) of tcp-check"
        switch steps[index] {
        case .expect(let rule):
            switch rule.source.matcher {
            case .string(let str): s += " (expect string '\(str)')"
            case .stringRegex, .statusRegex: s += " (expect regex)"
            case .binary(let b): s += " (expect binary '\(TCPCheckScript.hex(b))')"
            case .status: s += " (expect status)"
            }
        case .send, .sendSSLHello: s += " (send)"
        case .connect, .comment, .reply: break
        }
        if let c = comment(before: index) { s += " comment: '\(c)'" }
        return s
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var s = ""
        for b in bytes {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 15)])
        }
        return s
    }
}
