/// A `stick-table` line, as the configuration gives it (manual 4.2).
public struct StickTableDefinition: Sendable, Equatable {
    /// The proxy's name: the table is known by it.
    public var name: String
    public var keyType: StickKeyType
    /// Most entries kept (`size`).
    public var size: Int
    /// Milliseconds an entry lives after its last use (`expire`); nil: forever.
    public var expire: Int?
    /// `nopurge`: a full table refuses new entries instead of dropping
    /// its least recently used ones.
    public var noPurge: Bool
    /// The stored data types, and the period in milliseconds of each rate.
    public var stored: [(type: StickDataType, period: UInt64)]
    /// The number of elements of each stored array (`gpc(3)`: 3).
    public var arrayLengths: [StickDataType: Int]

    public init(
        name: String, keyType: StickKeyType, size: Int, expire: Int? = nil, noPurge: Bool = false,
        stored: [(type: StickDataType, period: UInt64)] = [], arrayLengths: [StickDataType: Int] = [:]
    ) {
        self.name = name
        self.keyType = keyType
        self.size = size
        self.expire = expire
        self.noPurge = noPurge
        self.stored = stored
        self.arrayLengths = arrayLengths
    }

    public func stores(_ type: StickDataType) -> Bool { stored.contains { $0.type == type } }

    /// How many values of `type` an entry holds: an array's length, 1 for
    /// the other stored types, 0 when not stored.
    public func length(of type: StickDataType) -> Int {
        guard stores(type) else { return 0 }
        return type.isArray ? arrayLengths[type] ?? 1 : 1
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.keyType == b.keyType && a.size == b.size && a.expire == b.expire && a.noPurge == b.noPurge
            && a.stored.map(\.type) == b.stored.map(\.type) && a.stored.map(\.period) == b.stored.map(\.period)
            && a.arrayLengths == b.arrayLengths
    }
}
