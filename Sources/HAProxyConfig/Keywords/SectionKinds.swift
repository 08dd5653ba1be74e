/// The sections a keyword may appear in.
public struct SectionKinds: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let global = SectionKinds(rawValue: 1)
    public static let defaults = SectionKinds(rawValue: 2)
    public static let frontend = SectionKinds(rawValue: 4)
    public static let backend = SectionKinds(rawValue: 8)
    public static let listen = SectionKinds(rawValue: 16)
    /// A `userlist` section (manual 3.4).
    public static let userlist = SectionKinds(rawValue: 32)
    /// A `resolvers` section (manual 5.3.2).
    public static let resolvers = SectionKinds(rawValue: 64)
    /// A `peers` section (manual 3.5).
    public static let peers = SectionKinds(rawValue: 128)
    public static let proxies: SectionKinds = [.defaults, .frontend, .backend, .listen]
    /// Where a keyword about accepting connections makes sense.
    public static let frontendSide: SectionKinds = [.defaults, .frontend, .listen]
    /// Where a keyword about servers makes sense.
    public static let backendSide: SectionKinds = [.defaults, .backend, .listen]
}
