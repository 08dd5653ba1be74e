/// Master-worker hand-over: in a worker, the listening sockets belong to the
/// master, which passes them to the next worker on reload; closing them in
/// a stopping worker must not remove a UNIX socket's path.
extension ProxyRuntime {
    public static var keepsUnixSocketPathsOnClose: Bool {
        get { Listener.keepsUnixSocketPaths }
        set { Listener.keepsUnixSocketPaths = newValue }
    }
}

extension Listener {
    static var keepsUnixSocketPaths = false
}
