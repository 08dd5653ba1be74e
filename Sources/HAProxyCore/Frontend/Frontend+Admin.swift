/// What the runtime API needs from a frontend beyond its own file.
extension Frontend {
    /// Number of bound listening sockets (`show info` Listeners).
    var listenerCount: Int { listeners.count }

    /// `shutdown frontend`: stops listening for good.
    func closeListeners() {
        for listener in listeners { listener.close() }
    }
}
