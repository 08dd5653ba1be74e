/// The halog command: parses the arguments, reads the inputs and reports.
public enum Halog {
    /// - Returns: the process exit status.
    public static func run(arguments: [String], stdout: OutputBuffer, stderr: OutputBuffer,
                           stdin: (() throws -> any ByteSource)? = nil) -> Int32 {
        let options: Options
        switch Options.parse(arguments) {
        case .help:
            stdout.write(Usage.long)
            stdout.flush()
            return 0
        case .usage(let message):
            if let message { stderr.write(message + "\n") }
            stderr.write(Usage.short)
            stderr.flush()
            return 1
        case .run(let o):
            options = o
        }
        let analyzer = Analyzer(options: options, out: stdout, err: stderr)
        let paths: [String?] = options.files.isEmpty ? [nil] : options.files
        for path in paths {
            do {
                let source: any ByteSource
                if path == nil || path == "-", let stdin {
                    source = try LogInput.sniff(try stdin())
                } else {
                    source = try LogInput.open(path: path)
                }
                var reader = LineReader(source: source)
                var stop = false
                try reader.forEachLine { line in
                    if !analyzer.process(line) { stop = true; return false }
                    return true
                }
                if stop { break }
            } catch {
                stderr.write("halog: \(error)\n")
                stderr.flush()
                stdout.flush()
                return 1
            }
        }
        analyzer.finish()
        return 0
    }
}
