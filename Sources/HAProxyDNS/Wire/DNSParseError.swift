/// Why an answer could not be read: a resolution counts these as
/// `invalid` (manual 9.3, `show resolvers`).
public enum DNSParseError: Error, Sendable, Equatable {
    /// The message ends inside a header, a name or a record.
    case truncated
    /// A compression pointer that does not point backwards.
    case badPointer
    /// A label of a reserved type (0x40, 0x80).
    case badLabel
    /// More than 255 bytes once pointers are followed.
    case nameTooLong
    /// An A or AAAA record whose data has the wrong length.
    case badRecordLength
}
