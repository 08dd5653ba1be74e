/// What the peers protocol reads from and writes to a table: its
/// definition, an entry as an update, a peer's update applied.
extension StickTable {
    /// The data types updates carry, in type order. `server_key` goes out
    /// of `peerUpdate` as `.dictionary` holding the server's name (empty:
    /// none); each session turns it into its dictionary cache's entry
    /// (`PeerDictionary`).
    public var peerDataTypes: [StickDataType] {
        definition.stored.map(\.type).sorted { $0.rawValue < $1.rawValue }
    }

    /// The table definition message for this table, known by `id` here.
    public func peerDefinition(id: UInt64, wireName: [UInt8]) -> PeerTableDefinition {
        let key = PeerKeyType.of(definition.keyType)
        var bits: UInt64 = 0
        var periods: [(type: UInt64, period: UInt64)] = []
        var lengths: [(type: UInt64, count: UInt64)] = []
        for type in peerDataTypes {
            bits |= 1 << UInt64(type.rawValue)
            if type.isRate { periods.append((UInt64(type.rawValue), period(of: type))) }
            if type.isArray { lengths.append((UInt64(type.rawValue), UInt64(length[type.rawValue]))) }
        }
        return PeerTableDefinition(
            senderID: id, name: wireName, keyType: key.code, keyLength: key.length, dataTypes: bits,
            expire: UInt64(definition.expire ?? 0), periods: periods, lengths: lengths)
    }

    /// The entries, most recently used last (to teach a peer the table).
    public func entriesForPeers(now: UInt64 = StickTable.now) -> [StickEntry] {
        var list: [StickEntry] = []
        forEachEntry(now: now) { list.append($0.entry) }
        return list
    }

    /// `entry` as an update (nil when it left the table meanwhile);
    /// `timed` adds its remaining lifetime.
    public func peerUpdate(for entry: StickEntry, id: UInt32?, timed: Bool, now: UInt64 = StickTable.now) -> PeerUpdate? {
        locked {
            guard entry.linked else { return nil }
            var values: [PeerValue] = []
            func value(_ type: StickDataType, _ index: Int) -> PeerValue {
                if type.isRate {
                    let counter = rate(entry, index)
                    return .rate(
                        age: now >= counter.periodStart ? now - counter.periodStart : 0,
                        current: UInt64(counter.current), previous: UInt64(counter.previous))
                } else if type.isSigned {
                    return .integer(UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: entry.data[index]))))
                }
                return .integer(entry.data[index])
            }
            for type in peerDataTypes {
                let index = slot[type.rawValue]
                if type == .serverKey {
                    values.append(.dictionary(Array((serverKey(of: entry) ?? "").utf8)))
                } else if type.isArray {
                    values.append(.array((0..<length[type.rawValue]).map { value(type, index + $0) }))
                } else {
                    values.append(value(type, index))
                }
            }
            var expire: UInt32?
            if timed {
                let left = definition.expire != nil && entry.expiresAt > now ? entry.expiresAt - now : 0
                expire = UInt32(clamping: left)
            }
            return PeerUpdate(id: id, expire: expire, key: entry.key, values: values)
        }
    }

    /// Whether updates announced as `remote` can be applied here (same
    /// key type and length).
    public func accepts(_ remote: PeerTableDefinition) -> Bool {
        let key = PeerKeyType.of(definition.keyType)
        return remote.keyType == key.code && remote.keyLength == key.length
            && remote.types.allSatisfy { PeerValue.Kind(type: $0) != nil && remote.count(of: $0) != nil }
    }

    /// Applies a peer's update: the entry takes the values this table
    /// stores, and the lifetime sent (or a fresh one); `onChange` is not
    /// called (a peer's update is not pushed on). A `server_key` value is
    /// the server's name (the session read it from its dictionary cache).
    public func applyPeerUpdate(_ update: PeerUpdate, definition remote: PeerTableDefinition, now: UInt64 = StickTable.now) {
        var key = update.key
        switch definition.keyType {
        case .string(let length): key = .string(key.bytes ?? [], length: length)
        case .binary(let length): key = .binary(key.bytes ?? [], length: length)
        default: break
        }
        locked {
            applyingPeerUpdate = true
            defer { applyingPeerUpdate = false }
            guard let entry = findOrCreate(key, now: now) else { return }
            for (type, value) in zip(remote.types, update.values) {
                // `conn_cur` is pushed but never learned (manual 3.5).
                guard let local = StickDataType(rawValue: type), stores(local), local != .connCurrent else { continue }
                if local == .serverKey {
                    if case .dictionary(let name) = value, !name.isEmpty {
                        setServerKey(String(decoding: name, as: UTF8.self), of: entry)
                    }
                    continue
                }
                func apply(_ value: PeerValue, at index: Int) {
                    switch value {
                    case .integer(let v):
                        entry.data[index] = local.isSigned ? UInt64(UInt32(truncatingIfNeeded: v)) : v
                    case .rate(let age, let current, let previous):
                        let counter = PeriodCounter(
                            packed: now >= age ? now - age : 0,
                            UInt64(UInt32(clamping: current)) << 32 | UInt64(UInt32(clamping: previous)))
                        setRate(entry, index, counter)
                    case .dictionary, .array:
                        break
                    }
                }
                if case .array(let elements) = value {
                    // The elements both sides have (the lengths may differ).
                    for (n, element) in elements.prefix(length[type]).enumerated() { apply(element, at: slot[type] + n) }
                } else {
                    apply(value, at: slot[type])
                }
            }
            if let expire = update.expire, self.definition.expire != nil {
                entry.expiresAt = now + UInt64(expire)
            }
        }
    }
}
