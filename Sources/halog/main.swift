#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HalogCore

let code = Halog.run(arguments: Array(CommandLine.arguments.dropFirst()),
                     stdout: OutputBuffer(fd: 1), stderr: OutputBuffer(fd: 2))
exit(code)
