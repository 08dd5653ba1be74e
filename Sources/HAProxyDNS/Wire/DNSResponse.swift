/// An answer read from the wire: its header, the question it answers, its
/// answer records and its additional records (RFC 1035 4.1; the addresses
/// of SRV targets come there). The authority section is read and skipped;
/// only A, AAAA, CNAME and SRV data is kept.
public struct DNSResponse: Sendable, Equatable {
    public struct Record: Sendable, Equatable {
        public var name: String
        public var type: UInt16
        public var ttl: UInt32
        public var data: RecordData
    }

    public enum RecordData: Sendable, Equatable {
        case ipv4([UInt8])
        case ipv6([UInt8])
        case cname(String)
        case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String)
        case other
    }

    public var id: UInt16
    public var isResponse: Bool
    public var isTruncated: Bool
    public var responseCode: DNSResponseCode
    public var questionName: String?
    public var questionType: UInt16?
    public var answers: [Record]
    public var additionals: [Record]

    /// Reads `message`; every count and length is checked against its size.
    public init(parsing message: [UInt8]) throws {
        guard message.count >= 12 else { throw DNSParseError.truncated }
        func u16(_ at: Int) -> UInt16 { UInt16(message[at]) << 8 | UInt16(message[at + 1]) }
        id = u16(0)
        let flags = u16(2)
        isResponse = flags & 0x8000 != 0
        isTruncated = flags & 0x0200 != 0
        responseCode = DNSResponseCode(UInt8(flags & 0x000f))
        let questions = Int(u16(4))
        let answerCount = Int(u16(6))
        let authorityCount = Int(u16(8))
        let additionalCount = Int(u16(10))
        var offset = 12
        questionName = nil
        questionType = nil
        for index in 0..<questions {
            let (name, next) = try DNSName.read(message, at: offset)
            guard next + 4 <= message.count else { throw DNSParseError.truncated }
            if index == 0 {
                questionName = name
                questionType = u16(next)
            }
            offset = next + 4
        }
        // Each record takes at least 11 bytes: no count can ask for more.
        func records(_ count: Int) throws -> [Record] {
            var list: [Record] = []
            list.reserveCapacity(min(count, max(0, message.count - offset) / 11))
            for _ in 0..<count {
                let (record, next) = try Self.record(message, at: offset)
                list.append(record)
                offset = next
            }
            return list
        }
        answers = try records(answerCount)
        _ = try records(authorityCount)
        additionals = try records(additionalCount)
    }

    /// One resource record at `offset`, and the offset after it.
    static func record(_ message: [UInt8], at offset: Int) throws -> (Record, Int) {
        func u16(_ at: Int) -> UInt16 { UInt16(message[at]) << 8 | UInt16(message[at + 1]) }
        let (name, next) = try DNSName.read(message, at: offset)
        guard next + 10 <= message.count else { throw DNSParseError.truncated }
        let type = u16(next)
        let ttl = UInt32(u16(next + 4)) << 16 | UInt32(u16(next + 6))
        let length = Int(u16(next + 8))
        let start = next + 10
        guard start + length <= message.count else { throw DNSParseError.truncated }
        let data: RecordData
        switch DNSRecordType(rawValue: type) {
        case .a:
            guard length == 4 else { throw DNSParseError.badRecordLength }
            data = .ipv4(Array(message[start..<start + 4]))
        case .aaaa:
            guard length == 16 else { throw DNSParseError.badRecordLength }
            data = .ipv6(Array(message[start..<start + 16]))
        case .cname:
            let (target, end) = try DNSName.read(message, at: start)
            guard end <= start + length else { throw DNSParseError.badRecordLength }
            data = .cname(target)
        case .srv:
            guard length >= 7 else { throw DNSParseError.badRecordLength }
            let (target, end) = try DNSName.read(message, at: start + 6)
            guard end <= start + length else { throw DNSParseError.badRecordLength }
            data = .srv(priority: u16(start), weight: u16(start + 2), port: u16(start + 4), target: target)
        default:
            data = .other
        }
        // TTLs with the top bit set count as 0 (RFC 2181 8).
        let record = Record(name: name, type: type, ttl: ttl & 0x8000_0000 != 0 ? 0 : ttl, data: data)
        return (record, start + length)
    }

    /// The SRV records the answer gives for `name`, each with the address
    /// of its target from the additional records (`family` first, the
    /// other family otherwise; nil when there is none).
    public func services(for name: String, preferIPv6: Bool) -> [ServiceRecord] {
        let owner = DNSName.normalized(name)
        var result: [ServiceRecord] = []
        for record in answers where record.name == owner {
            guard case .srv(let priority, let weight, let port, let target) = record.data else { continue }
            var v4: [UInt8]?
            var v6: [UInt8]?
            for extra in additionals where extra.name == target {
                switch extra.data {
                case .ipv4(let bytes): if v4 == nil { v4 = bytes }
                case .ipv6(let bytes): if v6 == nil { v6 = bytes }
                default: break
                }
            }
            let entry = ServiceRecord(
                target: target, port: Int(port), weight: Int(weight), priority: Int(priority),
                address: preferIPv6 ? v6 ?? v4 : v4 ?? v6)
            if !result.contains(where: { $0.target == entry.target && $0.port == entry.port }) { result.append(entry) }
        }
        return result
    }

    /// The addresses of `type` the answer gives for `name`, following the
    /// CNAME chain inside the answer (at most 16 links), with their TTLs.
    public func addresses(for name: String, type: DNSRecordType) -> [(address: [UInt8], ttl: UInt32)] {
        var owners: Set<String> = [DNSName.normalized(name)]
        for _ in 0..<16 {
            var grew = false
            for record in answers {
                if case .cname(let target) = record.data, owners.contains(record.name), !owners.contains(target) {
                    owners.insert(target)
                    grew = true
                }
            }
            if !grew { break }
        }
        var result: [(address: [UInt8], ttl: UInt32)] = []
        for record in answers where owners.contains(record.name) {
            switch (record.data, type) {
            case (.ipv4(let bytes), .a), (.ipv6(let bytes), .aaaa):
                if !result.contains(where: { $0.address == bytes }) { result.append((bytes, record.ttl)) }
            default:
                break
            }
        }
        return result
    }
}

/// An SRV record of an answer (RFC 2782) with its target's address.
public struct ServiceRecord: Sendable, Equatable {
    public var target: String
    public var port: Int
    public var weight: Int
    public var priority: Int
    /// From the additional records; nil when the answer gave none.
    public var address: [UInt8]?

    public init(target: String, port: Int, weight: Int, priority: Int, address: [UInt8]?) {
        self.target = target
        self.port = port
        self.weight = weight
        self.priority = priority
        self.address = address
    }
}
