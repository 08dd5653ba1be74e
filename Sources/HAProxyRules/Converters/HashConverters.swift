enum HashConverters {
    static let keywords: [SampleConverterKeyword] = []
}
