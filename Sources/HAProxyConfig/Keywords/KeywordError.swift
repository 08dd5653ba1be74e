/// A failure of one keyword line, reported as an ALERT.
struct KeywordError: Error {
    enum Form {
        /// Printed as `parsing [FILE:LINE] : MESSAGE`.
        case parsing
        /// Printed as `parsing [FILE:LINE]: MESSAGE` (no space before the colon).
        case parsingTight
        /// Printed as `[FILE:LINE] : MESSAGE` (server lines).
        case bracketed
        /// Printed as is.
        case raw
    }
    var message: String
    var form: Form = .parsing
    /// Stops parsing the file (HAProxy's ERR_ABORT).
    var abort = false

    init(_ message: String, form: Form = .parsing, abort: Bool = false) {
        self.message = message
        self.form = form
        self.abort = abort
    }
}
