import HAProxyConfig

/// The hidden `_getsocks` command (management guide, `-x`): on a stats
/// socket with `expose-fd listeners`, sends the process's listening
/// sockets to the client over SCM_RIGHTS (`SocketTransfer`), then closes.
/// Elsewhere it closes without an answer, as the real one.
enum SocketTransferCommands {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["_getsocks"], usage: nil, help: "", level: .admin) { request in
            request.session.wantsClose = true
            guard let fd = request.session.transferFD else { return "" }
            let runtime = request.runtime
            guard !runtime.isStopping else { return "" }
            if SocketTransfer.send(runtime.listenerDescriptors, over: fd) {
                // The next process serves on these sockets now: closing
                // ours at soft stop must not unlink their UNIX paths.
                ProxyRuntime.keepsUnixSocketPathsOnClose = true
            }
            return ""
        },
    ]
}
