#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase
import HAProxyRules

/// Loads configuration files the way `haproxy -f` does: each path is a file
/// or a directory (whose `*.cfg` files load in name order), every error of
/// the run is collected, and the post-parse checks run when parsing succeeded.
public struct ConfigLoader {
    /// Loads `paths` in order.
    ///
    /// - Parameters:
    ///   - paths: files or directories, in command-line order.
    ///   - environment: the process environment, for `"${VAR}"` and conditions;
    ///     `setenv`/`unsetenv` change a copy (see `GlobalConfig.environment`).
    ///   - features: the `+NAME` entries of `-vv`'s feature list, for `feature(NAME)`.
    ///   - version: our version, for `version_atleast()`/`version_before()`.
    /// - Returns: the configuration, nil when there were fatal errors, and
    ///   every diagnostic in the order HAProxy prints them.
    public static func load(
        paths: [String], environment: [String: String], features: Set<String>, version: String,
        tlsFiles: (any TLSFileLoading)? = nil, sslLibrary: ConditionEvaluator.SSLLibrary? = nil,
        localPeerName: String? = nil
    ) -> (Configuration?, Diagnostics) {
        // ACLs and maps are numbered per configuration (`show map`).
        PatternReferences.reset()
        defer { PatternReferences.finishLoading() }
        var context = ParseContext(environment: environment)
        context.tlsFiles = tlsFiles
        context.config.global.environment = environment
        context.config.localPeerName = localPeerName ?? Self.hostName()
        context.localPeerFromCommandLine = localPeerName != nil
        let parser = ConfigParser(features: features, version: version, sslLibrary: sslLibrary)
        var files: [String] = []
        for path in paths {
            switch expand(path) {
            case .success(let list): files += list
            case .failure(let failure):
                context.diagnostics.alert(failure.message)
                return (nil, context.diagnostics)
            }
        }
        var parseFailed = false
        for file in files {
            let fd = open(file, O_RDONLY)
            guard fd >= 0 else {
                context.diagnostics.alert(
                    "Could not open configuration file \(file) : \(String(cString: strerror(errno)))")
                parseFailed = true
                continue
            }
            close(fd)
            guard let data = SystemFile.contents(atPath: file) else {
                context.diagnostics.alert("Could not open configuration file \(file) : Input/output error")
                parseFailed = true
                continue
            }
            context.config.files.append(file)
            let before = context.diagnostics.hasFatalErrors
            let fatalCountBefore = context.diagnostics.messages.count
            let carryOn = parser.parse(text: String(decoding: data, as: UTF8.self), file: file, into: &context)
            let fileHadErrors =
                context.diagnostics.messages[fatalCountBefore...].contains { $0.level == .alert }
                && context.diagnostics.hasFatalErrors
            if fileHadErrors || (!before && context.diagnostics.hasFatalErrors) {
                context.diagnostics.alert("Error(s) found in configuration file : \(file)")
                parseFailed = true
            }
            if !carryOn { break }
        }
        if !parseFailed && !context.diagnostics.hasFatalErrors {
            PostParseChecker.check(
                &context.config, diagnostics: &context.diagnostics, httpLogLocations: context.httpLogLocations)
        }
        if context.diagnostics.hasFatalErrors {
            if !context.diagnostics.aborted {
                context.diagnostics.alert("Fatal errors found in configuration.")
            }
            return (nil, context.diagnostics)
        }
        return (context.config, context.diagnostics)
    }

    /// The host name, the local peer name when neither `-L` nor
    /// `localpeer` gives one.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(cString: buffer)
    }

    /// A file as is; a directory as its `*.cfg` regular files sorted by name.
    static func expand(_ path: String) -> Result<[String], LoadFailure> {
        guard let isDirectory = SystemFile.isDirectory(path) else {
            return .failure(LoadFailure(message: "Cannot open configuration file/directory \(path) : No such file or directory"))
        }
        guard isDirectory else { return .success([path]) }
        guard let names = SystemFile.directoryEntries(path) else {
            return .failure(LoadFailure(message: "Cannot open configuration file/directory \(path) : Permission denied"))
        }
        let base = path.hasSuffix("/") ? path : path + "/"
        let files = names.filter { $0.hasSuffix(".cfg") && !$0.hasPrefix(".") }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { base + $0 }
            .filter { file in
                SystemFile.isDirectory(file) == false
            }
        return .success(files)
    }

    struct LoadFailure: Error {
        var message: String
    }
}
