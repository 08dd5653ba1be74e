enum TimeConverters {
    static let keywords: [SampleConverterKeyword] = []
}
