// A TCP relay on the I/O driver (HAProxyIO) alone, to measure what the
// driver costs per request and per connection next to the proxy on NIO
// and to Debian's haproxy 2.6, under bench/callgrind.py:
//
//     swift build -c release --static-swift-stdlib --product iorelay \
//         --build-path .build-callgrind
//     bench/callgrind.py --config bench/configs/tcp.cfg \
//         --candidate .build-callgrind/release/iorelay
//
// It reads the first `bind` and `server` addresses of the configuration
// given with -f (other arguments are ignored) and relays bytes between
// each client and a connection of its own to the server, half-closes
// included, as `mode tcp` does. No timeouts, logs or counters: a floor.
#if canImport(Glibc)
import Glibc
#endif
import HAProxyIO
import NIOCore

/// One client connection and its server connection, bytes relayed both ways.
final class Relay: IOConnectionOwner {
    let client: IOConnection
    /// Client bytes written to it before it is up go out once it is.
    var server: IOConnection?

    init(client: IOConnection, to address: SocketAddress) throws {
        self.client = client
        client.owner = self
        server = try IOConnection.connect(to: address, on: client.loop, owner: self)
    }

    func peer(of connection: IOConnection) -> IOConnection? {
        connection === client ? server : client
    }

    func ioRead(_ connection: IOConnection, _ bytes: ByteBuffer) {
        peer(of: connection)?.write(bytes)
    }

    func ioReadComplete(_ connection: IOConnection) {
        peer(of: connection)?.flush()
    }

    func ioInputClosed(_ connection: IOConnection) {
        peer(of: connection)?.shutdownOutputWhenFlushed()
    }

    func ioWritabilityChanged(_ connection: IOConnection, writable: Bool) {
        peer(of: connection)?.isReading = writable
    }

    func ioConnected(_ connection: IOConnection, error: SystemCallError?) {
        if error != nil { client.close() }
    }

    func ioClosed(_ connection: IOConnection, error: SystemCallError?) {
        peer(of: connection)?.closeWhenFlushed()
        if connection === client { server?.owner = nil }
    }
}

final class Acceptor: IOListenerOwner {
    let server: SocketAddress
    init(server: SocketAddress) { self.server = server }

    func ioAccepted(_ listener: IOListener, fd: CInt, peer: SocketAddress?) {
        do {
            let client = try IOConnection(fd: fd, on: listener.loop, remoteAddress: peer)
            _ = try Relay(client: client, to: server)
        } catch {
            _ = close(fd)
        }
    }

    func ioAcceptFailed(_ listener: IOListener, error: SystemCallError) {}
    func ioAcceptBudget(_ listener: IOListener) -> IOAcceptBudget { .unlimited }
}

func address(after keyword: String, in text: String) -> (String, Int)? {
    for line in text.split(separator: "\n") {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let i = words.firstIndex(where: { $0 == keyword }) else { continue }
        let index = keyword == "server" ? i + 2 : i + 1
        guard index < words.count, let colon = words[index].lastIndex(of: ":"),
              let port = Int(words[index][words[index].index(after: colon)...]) else { continue }
        return (String(words[index][..<colon]), port)
    }
    return nil
}

let arguments = CommandLine.arguments
guard let f = arguments.firstIndex(of: "-f"), f + 1 < arguments.count,
      let file = fopen(arguments[f + 1], "r") else {
    fputs("usage: iorelay -f CONFIG\n", stderr)
    exit(2)
}
var text = ""
var chunk = [CChar](repeating: 0, count: 4096)
while fgets(&chunk, 4096, file) != nil { text += String(cString: chunk) }
fclose(file)
guard let (bindHost, bindPort) = address(after: "bind", in: text),
      let (serverHost, serverPort) = address(after: "server", in: text) else {
    fputs("iorelay: no bind or server address in \(arguments[f + 1])\n", stderr)
    exit(2)
}

signal(SIGTERM) { _ in exit(0) }
signal(SIGPIPE, SIG_IGN)

let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
var one: CInt = 1
setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<CInt>.size))
setsockopt(fd, CInt(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<CInt>.size))
var local = sockaddr_in()
local.sin_family = sa_family_t(AF_INET)
local.sin_port = UInt16(bindPort).bigEndian
local.sin_addr.s_addr = inet_addr(bindHost)
let bound = withUnsafePointer(to: &local) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
}
guard bound == 0, listen(fd, 1024) == 0 else {
    perror("iorelay: bind")
    exit(1)
}
let loop = try IOLoop()
let acceptor = Acceptor(server: try SocketAddress(ipAddress: serverHost, port: serverPort))
loop.start(name: "iorelay")
try loop.submit { _ = try IOListener(fd: fd, on: loop, owner: acceptor) }.wait()
while true { pause() }
