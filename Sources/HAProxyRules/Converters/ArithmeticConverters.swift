enum ArithmeticConverters {
    static let keywords: [SampleConverterKeyword] = []
}
