enum StringConverters {
    static let keywords: [SampleConverterKeyword] = []
}
