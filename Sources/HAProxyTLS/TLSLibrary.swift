import COpenSSL

/// The OpenSSL this binary was built with and the one it runs on (`-vv`).
public enum TLSLibrary {
    public static var builtVersion: String { String(cString: hap_openssl_version_text()) }
    public static var runningVersion: String { String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))) }
    /// `OpenSSL_version_num()`: 0x30000160 for 3.0.22.
    public static var versionNumber: UInt64 { UInt64(OpenSSL_version_num()) }
}
