enum VariableConverters {
    static let keywords: [SampleConverterKeyword] = []
}
