enum EncodingConverters {
    static let keywords: [SampleConverterKeyword] = []
}
extension EncodingConverters {
    static func decodeHex(_ bytes: [UInt8]) -> [UInt8]? { nil }
}
