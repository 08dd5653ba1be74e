import Foundation

/// Test certificates made with the `openssl` command in a test's
/// temporary directory: a CA, a leaf for localhost (with its chain and key
/// in one PEM), a wildcard for *.wild.test, and broken files.
struct TLSCertificates {
    let dir: URL
    var ca: String { dir.appendingPathComponent("ca.pem").path }
    var leaf: String { dir.appendingPathComponent("certs/leaf.pem").path }
    var wildcard: String { dir.appendingPathComponent("certs/wild.pem").path }
    var certDirectory: String { dir.appendingPathComponent("certs").path }
    var leafCertOnly: String { dir.appendingPathComponent("leaf.crt").path }
    var leafKey: String { dir.appendingPathComponent("leaf.key").path }
    var mismatched: String { dir.appendingPathComponent("mismatch.pem").path }
    var encrypted: String { dir.appendingPathComponent("encrypted.pem").path }
    var garbage: String { dir.appendingPathComponent("garbage.pem").path }
    /// A client certificate the CA signed, and one it did not.
    var clientCert: String { dir.appendingPathComponent("client.crt").path }
    var clientKey: String { dir.appendingPathComponent("client.key").path }
    var strangerCert: String { dir.appendingPathComponent("stranger.crt").path }
    var strangerKey: String { dir.appendingPathComponent("stranger.key").path }

    init(in base: URL) throws {
        dir = base.appendingPathComponent("tls")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("certs"), withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(dir.path)'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj '/CN=Test CA' 2>/dev/null
            leaf() {
                openssl req -newkey rsa:2048 -nodes -keyout $1.key -out $1.csr -subj "/CN=$2" 2>/dev/null
                printf 'subjectAltName=%s' "$3" > $1.ext
                openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $1.crt -days 30 -extfile $1.ext 2>/dev/null
            }
            leaf leaf localhost 'DNS:localhost,DNS:www.example.test,IP:127.0.0.1'
            leaf wild '*.wild.test' 'DNS:*.wild.test'
            cat leaf.crt ca.pem leaf.key > certs/leaf.pem
            cat wild.crt ca.pem wild.key > certs/wild.pem
            cat leaf.crt wild.key > mismatch.pem
            openssl rsa -in leaf.key -aes128 -passout pass:secret -out leaf.enc.key 2>/dev/null
            cat leaf.crt leaf.enc.key > encrypted.pem
            echo garbage > garbage.pem
            leaf client client1 'DNS:client1'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout stranger.key -out stranger.crt -days 2 -subj '/CN=stranger' 2>/dev/null
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw HarnessError("openssl could not make the test certificates") }
    }
}
