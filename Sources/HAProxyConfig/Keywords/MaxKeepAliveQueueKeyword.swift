/// `max-keep-alive-queue <value>` (manual 4.2): with `option
/// prefer-last-server`, the queue length of the last server at which a
/// keep-alive request goes to another one; -1 (the default) for none, 0 to
/// never queue for it. 2.6 checks the side and words the integer errors as
/// for `srvtcpka-cnt`.
extension KeywordRegistry {
    static let maxKeepAliveQueueKeyword =
        ConfigKeyword("max-keep-alive-queue", .proxies) { args, ctx in
            guard onSide("max-keep-alive-queue", .backend, &ctx) else { return }
            guard args.count > 1, !args[1].isEmpty else {
                throw KeywordError("'max-keep-alive-queue' expects expects an integer value (or -1 to disable)")
            }
            let digits = args[1].hasPrefix("-") ? args[1].dropFirst() : Substring(args[1])
            if let bad = digits.first(where: { !("0"..."9").contains($0) }) ?? (digits.isEmpty ? "-" : nil) {
                throw KeywordError("'max-keep-alive-queue' : unexpected character '\(bad)' in integer value '\(args[1])'")
            }
            let value = Int(args[1]) ?? Int(Int32.max)
            ctx.withProxy { $0.maxKeepAliveQueue = value }
        }
}
