/// Reads the certificate files a configuration names while it is parsed,
/// so that a missing file, a key that does not match its certificate or
/// an encrypted key is refused at its line, as 2.6 does. The TLS module
/// implements it (and keeps what it loaded for the runtime); without one,
/// as in the parser's own tests, files are only read when the runtime is
/// built.
public protocol TLSFileLoading: AnyObject {
    /// Loads a PEM file, or every PEM file of a directory; returns the
    /// error as 2.6 words it (`unable to stat SSL certificate from file
    /// '/x.pem' : No such file or directory.`), nil when all is well.
    func loadCertificates(at path: String) -> String?
    /// Loads a CA file; returns the error lines as 2.6 words them.
    func loadCAFile(at path: String) -> String?
    /// Loads a CRL file (`crl-file`); returns the error lines as 2.6 words them.
    func loadCRLFile(at path: String) -> String?
    /// Loads DH parameters (`ssl-dh-param-file`); false when it cannot.
    func loadDHParameters(at path: String) -> Bool
    /// The warnings the files loaded since the last call gave (an `.ocsp`
    /// file that is ignored), worded as 2.6's.
    func drainWarnings() -> [String]
}

extension TLSFileLoading {
    public func loadCRLFile(at path: String) -> String? { loadCAFile(at: path) }
    public func drainWarnings() -> [String] { [] }
}
