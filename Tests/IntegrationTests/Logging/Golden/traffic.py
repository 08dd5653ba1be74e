"""Backends and clients of the bytes-termination golden lines.

python3 traffic.py backends   serves until killed, on the BE_* ports
python3 traffic.py clients    runs every scenario once, in order, on FE_*

Ports come from the environment, as for bytes-termination.cfg. Every byte
is fixed (no Date header, no client version) so %B and %U are the same on
every run.
"""
import os, socket, struct, sys, threading

def port(name):
    return int(os.environ[name])

# Responses of the HTTP backend, by request path.
RESPONSES = {
    # Status line, 5 headers, 2-byte body: 153 bytes on the wire.
    b"/five": b"HTTP/1.1 200 OK\r\nServer: golden-backend/1.0\r\nX-Request-Id: 01234567\r\n"
              b"Cache-Control: no-cache, no-store\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi",
    b"/chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
                 b"2\r\nhi\r\n5\r\nthere\r\n0\r\nX-Trailer:  done \r\n\r\n",
    b"/http10": b"HTTP/1.0 200 Fine\r\nContent-Type: text/plain\r\n\r\nuntil the server closes",
    # A header line without a colon: the proxy answers 502 itself.
    b"/invalid": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nBad Header\r\n\r\nhi",
    b"/interim": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 3\r\nConnection: close\r\n\r\nnew",
}

def read_request(c):
    data = b""
    while b"\r\n\r\n" not in data:
        d = c.recv(65536)
        if not d:
            return None
        data += d
    head, _, body = data.partition(b"\r\n\r\n")
    lower = head.lower()
    if b"transfer-encoding: chunked" in lower:
        while not body.endswith(b"\r\n\r\n"):
            d = c.recv(65536)
            if not d:
                break
            body += d
    elif b"content-length:" in lower:
        n = int(lower.split(b"content-length:")[1].split(b"\r\n")[0])
        while len(body) < n:
            d = c.recv(65536)
            if not d:
                break
            body += d
    return head.split(b" ")[1]

def http_backend(c):
    path = read_request(c)
    if path is not None:
        c.sendall(RESPONSES[path])
    c.close()

def banner_backend(c):
    c.sendall(b"hi")
    while c.recv(65536):
        pass
    c.close()

def banner_close_backend(c):
    c.sendall(b"hi")
    c.close()

def echo_backend(c):
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d)
    c.close()

def guarded(handler, c):
    try:
        handler(c)
    except OSError:
        c.close()  # the client reset: expected in one scenario

def serve(p, handler):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", p))
    s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=guarded, args=(handler, c), daemon=True).start()

def backends():
    for name, handler in [("BE_HTTP", http_backend), ("BE_BANNER", banner_backend), ("BE_BANNER_RST", banner_backend),
                          ("BE_BANNER_CLOSE", banner_close_backend), ("BE_ECHO", echo_backend)]:
        threading.Thread(target=serve, args=(port(name), handler), daemon=True).start()
    threading.Event().wait()

def connect(name):
    c = socket.create_connection(("127.0.0.1", port(name)))
    c.settimeout(10)
    return c

def read_all(c):
    while c.recv(65536):
        pass

def read_exactly(c, n):
    got = b""
    while len(got) < n:
        d = c.recv(n - len(got))
        if not d:
            break
        got += d
    return got

REQUESTS = [
    b"GET /five HTTP/1.1\r\nHost: golden\r\nConnection: close\r\n\r\n",
    b"POST /chunked HTTP/1.1\r\nHost: golden\r\nContent-Length: 5\r\nConnection: foo, close, bar\r\n\r\nhello",
    b"POST /http10 HTTP/1.1\r\nHost: golden\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    b"3\r\nabc\r\n0\r\nX-Sum: 3\r\n\r\n",
    b"GET /interim HTTP/1.0\r\nUser-Agent: golden-client\r\n\r\n",
    b"GET /invalid HTTP/1.1\r\nHost: golden\r\nConnection: close\r\n\r\n",
]

def clients():
    for frontend in ["FE_HTTPLOG", "FE_FORMAT"]:
        for request in REQUESTS:
            c = connect(frontend)
            c.sendall(request)
            read_all(c)
            c.close()
    c = connect("FE_NONE")
    c.sendall(REQUESTS[0])
    read_all(c)
    c.close()
    # The server sends 2 bytes and closes first; the client reads to the end, then closes.
    c = connect("FE_TCP_SRVCLOSE")
    read_all(c)
    c.close()
    # The client sends nothing, reads the server's 2 bytes and closes first.
    c = connect("FE_TCP_CLICLOSE")
    read_exactly(c, 2)
    c.close()
    # The same, but the client resets the connection.
    c = connect("FE_TCP_CLIRST")
    read_exactly(c, 2)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    # The client sends 3 bytes and half-closes; the echo answers and closes.
    c = connect("FE_TCP_ECHO")
    c.sendall(b"abc")
    c.shutdown(socket.SHUT_WR)
    read_all(c)
    c.close()

if __name__ == "__main__":
    {"backends": backends, "clients": clients}[sys.argv[1]]()
