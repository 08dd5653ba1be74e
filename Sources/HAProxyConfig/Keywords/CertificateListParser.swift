#if canImport(Glibc)
import Glibc
#endif
import HAProxyBase

/// A `crt-list` file (manual 5.1): one certificate a line, with options in
/// brackets and SNI filters after them; `#` starts a comment.
///
///     /etc/ssl/site.pem [alpn h2,http/1.1 ssl-min-ver TLSv1.2] www.example.com *.example.org !old.example.org
public enum CertificateListParser {
    static func parse(_ file: String, _ ctx: inout ParseContext) throws -> [TLSCertificateLine] {
        guard let text = SystemFile.text(atPath: file) else {
            throw KeywordError("cannot open file '\(file)' : \(String(cString: strerror(errno)))")
        }
        var lines: [TLSCertificateLine] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let line = try parseLine(raw, file: file, lineNumber: index + 1, &ctx) { lines.append(line) }
        }
        return lines
    }

    /// One line of an `add ssl crt-list` payload (management guide 9.3),
    /// as a line of the file `CLI` would be; nil for a blank line.
    /// The error is worded as 2.6's (`parsing [CLI:1]: unknown ssl keyword x`).
    public static func parseRuntimeLine(_ text: String) -> Result<TLSCertificateLine?, RuntimeLineError> {
        var ctx = ParseContext(environment: [:])
        do {
            return .success(try parseLine(Substring(text), file: "CLI", lineNumber: 1, &ctx))
        } catch let error as KeywordError {
            return .failure(RuntimeLineError(message: error.message))
        } catch {
            return .failure(RuntimeLineError(message: "\(error)"))
        }
    }

    public struct RuntimeLineError: Error {
        public let message: String
    }

    private static func parseLine(
        _ raw: Substring, file: String, lineNumber: Int, _ ctx: inout ParseContext
    ) throws -> TLSCertificateLine? {
        let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
        guard let first = words.first else { return nil }
        let path = KeywordRegistry.resolve(first, base: ctx.config.global.crtBase)
        if let loader = ctx.tlsFiles, let error = loader.loadCertificates(at: path) {
            throw KeywordError(error)
        }
        var line = TLSCertificateLine(path: path)
        line.list = file
        line.lineNumber = lineNumber
        var rest = Array(words.dropFirst())
        if let open = rest.first, open.hasPrefix("[") {
            // The options run to the word ending in `]` (or the line's end).
            var options: [String] = []
            var closed = false
            while !rest.isEmpty && !closed {
                var word = rest.removeFirst()
                if options.isEmpty && word.hasPrefix("[") { word.removeFirst() }
                if word.hasSuffix("]") {
                    word.removeLast()
                    closed = true
                }
                if !word.isEmpty { options.append(word) }
            }
            do {
                line.options = try parseOptions(options, &ctx)
            } catch let error as KeywordError {
                throw KeywordError("parsing [\(file):\(lineNumber)]: \(error.message)")
            }
        }
        line.writtenFilters = rest
        line.filters = rest.map { $0.lowercased() }
        return line
    }

    /// The bracketed options, as their bind keywords take them.
    private static func parseOptions(_ words: [String], _ ctx: inout ParseContext) throws -> TLSCertificateOptions {
        var options = TLSCertificateOptions()
        var i = 0
        func value() throws -> String {
            guard i + 1 < words.count else { throw KeywordError("'\(words[i])' : missing value") }
            i += 1
            return words[i]
        }
        while i < words.count {
            let word = words[i]
            switch word {
            case "alpn": options.alpn = try KeywordRegistry.alpnList(try value())
            case "npn": options.npn = KeywordRegistry.npnList(try value())
            case "ciphers": options.ciphers = try value()
            case "ciphersuites": options.ciphersuites = try value()
            case "curves": options.curves = try value()
            case "ecdhe": options.ecdhe = try value()
            case "ssl-min-ver": options.minimumVersion = try KeywordRegistry.tlsVersion(try value())
            case "ssl-max-ver": options.maximumVersion = try KeywordRegistry.tlsVersion(try value())
            case "no-ca-names": options.noCANames = true
            case "verify":
                let text = try value()
                guard let mode = TLSClientVerify(rawValue: text) else {
                    throw KeywordError(
                        "'verify' : unknown verify method '\(text)', only 'none', 'optional', and 'required' are supported")
                }
                options.verify = mode
            case "ca-file": options.caFile = try KeywordRegistry.loadCAFile(try value(), keyword: word, &ctx)
            case "ca-verify-file": options.caVerifyFile = try KeywordRegistry.loadCAFile(try value(), keyword: word, &ctx)
            case "crl-file":
                let path = KeywordRegistry.resolve(try value(), base: ctx.config.global.caBase)
                if let loader = ctx.tlsFiles, let error = loader.loadCRLFile(at: path) {
                    ctx.diagnostics.alert(error, at: ctx.location)
                    throw KeywordError("'crl-file' : unable to load \(path)")
                }
                options.crlFile = path
            case "allow-0rtt":
                throw KeywordError("'\(word)' is not supported by this build")
            default:
                throw KeywordError("unknown ssl keyword \(word)")
            }
            i += 1
        }
        return options
    }
}
