enum AddressConverters {
    static let keywords: [SampleConverterKeyword] = []
}
