#!/usr/bin/env python3
"""Test backend for the integration tests.

    backend.py http NAME PORTFILE   HTTP/1.1 keep-alive server
    backend.py echo NAME PORTFILE   plain TCP echo server (half-close aware)

The server binds 127.0.0.1 on an ephemeral port (BACKEND_HOST and
BACKEND_PORT choose others, e.g. 127.0.0.2 on a port another backend
already has on 127.0.0.3) and writes that port to
PORTFILE once it is listening (write to a temp name, then rename), which is
the readiness signal the tests wait for.

HTTP endpoints (every response carries `x-server: NAME`):
    /               body "NAME\n"
    /headers        body = the request headers as received, one per line
    /peer           body = the client's address (kept for /last-peer)
    /last-peer      body = the address the last /peer request came from
    /status/NNN     answers with status NNN
    /slow?ms=N      waits N ms, then answers "NAME\n"
    /big?bytes=N    streams N bytes of pattern byte(i) = i % 251
    /chunked?n=K    chunked response of K chunks "chunk-<i>\n"; with bad=1,
                    a malformed chunk size follows them 200 ms later
    CONNECT         answers 200, then holds the tunnel until the peer closes
    /stats          body "connections=C requests=R"
    any POST/PUT    reads the body (Content-Length or chunked) and answers
                    "len=N sha256=HEX"
"""
import hashlib
import socket
import socketserver
import sys
import struct
import threading
import time
import os
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit, parse_qs

LOCK = threading.Lock()
STATS = {"connections": 0, "requests": 0}


def bump(key):
    with LOCK:
        STATS[key] += 1


PATTERN = bytes(i % 251 for i in range(251 * 4096))  # multiple of 251


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "itest-backend"
    sys_version = ""

    def setup(self):
        super().setup()
        bump("connections")

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, body, extra=()):
        if status in (204, 304) or status < 200:
            body = b""
        self.send_response(status)
        self.send_header("x-server", self.server.name)
        self.send_header("content-type", "text/plain")
        if status != 204 and status >= 200:
            self.send_header("content-length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _read_body(self):
        te = (self.headers.get("transfer-encoding") or "").lower()
        h = hashlib.sha256()
        total = 0
        if "chunked" in te:
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    # trailers until empty line
                    while True:
                        t = self.rfile.readline()
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                left = size
                while left:
                    data = self.rfile.read(min(left, 65536))
                    if not data:
                        raise ConnectionError("short chunk")
                    h.update(data)
                    total += len(data)
                    left -= len(data)
                self.rfile.readline()
        else:
            left = int(self.headers.get("content-length") or 0)
            while left:
                data = self.rfile.read(min(left, 65536))
                if not data:
                    raise ConnectionError("short body")
                h.update(data)
                total += len(data)
                left -= len(data)
        return total, h.hexdigest()

    def do_POST(self):
        bump("requests")
        total, digest = self._read_body()
        self._send(200, ("len=%d sha256=%s" % (total, digest)).encode())

    do_PUT = do_POST

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        bump("requests")
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        name = self.server.name
        if u.path == "/headers":
            body = "".join("%s: %s\n" % (k, v) for k, v in self.headers.items())
            self._send(200, body.encode())
        elif u.path == "/peer":
            # The address the request came from, also kept for /last-peer
            # (what a health check's request came from).
            self.server.last_peer = self.client_address[0]
            self._send(200, (self.client_address[0] + "\n").encode())
        elif u.path == "/last-peer":
            self._send(200, (getattr(self.server, "last_peer", "") + "\n").encode())
        elif u.path == "/set-cookie":
            # The server sets the cookies `v` names (persistence tests).
            self._send(200, (name + "\n").encode(), [("set-cookie", v) for v in q.get("v", [])])
        elif u.path.startswith("/status/"):
            self._send(int(u.path[len("/status/"):]), (name + "\n").encode())
        elif u.path == "/slow":
            time.sleep(int(q.get("ms", ["1000"])[0]) / 1000.0)
            self._send(200, (name + "\n").encode())
        elif u.path == "/stats":
            with LOCK:
                body = "connections=%d requests=%d" % (STATS["connections"], STATS["requests"])
            self._send(200, body.encode())
        elif u.path == "/big":
            n = int(q.get("bytes", ["1048576"])[0])
            self.send_response(200)
            self.send_header("x-server", name)
            self.send_header("content-type", "application/octet-stream")
            self.send_header("content-length", str(n))
            self.end_headers()
            left = n
            while left:
                piece = PATTERN[: min(left, len(PATTERN))]
                self.wfile.write(piece)
                left -= len(piece)
        elif u.path == "/cut":
            # A response cut short: `bytes` of a longer body, then after
            # `hold` ms a close, a reset with `reset=1`.
            n = int(q.get("bytes", ["1000"])[0])
            self.send_response(200)
            self.send_header("content-length", str(n + 1000))
            self.end_headers()
            self.wfile.write(PATTERN[:n])
            self.wfile.flush()
            time.sleep(int(q.get("hold", ["0"])[0]) / 1000.0)
            if q.get("reset", ["0"])[0] == "1":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif u.path == "/text":
            # `bytes` of PATTERN as `type` (compression tests), chunked
            # in pieces of 1000 with `te=chunked`, then the `trailer` lines.
            n = int(q.get("bytes", ["20000"])[0])
            body = PATTERN[:n]
            self.send_response(int(q.get("status", ["200"])[0]))
            self.send_header("x-server", name)
            self.send_header("content-type", q.get("type", ["text/html"])[0])
            for h in q.get("h", []):
                k, _, v = h.partition(":")
                self.send_header(k, v.strip())
            chunked = q.get("te", [""])[0] == "chunked"
            if chunked:
                self.send_header("transfer-encoding", "chunked")
            else:
                self.send_header("content-length", str(n))
            self.end_headers()
            if self.command == "HEAD":
                return
            if chunked:
                for i in range(0, n, 1000):
                    piece = body[i:i + 1000]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                trailers = "".join(t + "\r\n" for t in q.get("trailer", []))
                self.wfile.write(b"0\r\n" + trailers.encode() + b"\r\n")
            else:
                self.wfile.write(body)
        elif u.path == "/chunked":
            n = int(q.get("n", ["10"])[0])
            self.send_response(200)
            self.send_header("x-server", name)
            self.send_header("content-type", "text/plain")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for i in range(n):
                data = ("chunk-%d\n" % i).encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
            if q.get("bad", ["0"])[0] == "1":
                time.sleep(0.2)
                self.wfile.write(b"ZZ\r\n")
                self.wfile.flush()
                time.sleep(1)
                self.close_connection = True
                return
            self.wfile.write(b"0\r\n\r\n")
        else:
            self._send(200, (name + "\n").encode())


    def do_CONNECT(self):
        bump("requests")
        self.send_response(200)
        self.end_headers()
        self.wfile.flush()
        while self.connection.recv(65536):
            pass
        self.close_connection = True


class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        bump("connections")
        s = self.request
        while True:
            data = s.recv(65536)
            if not data:
                break
            s.sendall(data)
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 256


def main():
    mode, name, portfile = sys.argv[1], sys.argv[2], sys.argv[3]
    handler = Handler if mode == "http" else EchoHandler
    host = os.environ.get("BACKEND_HOST", "127.0.0.1")
    srv = Server((host, int(os.environ.get("BACKEND_PORT", "0"))), handler)
    srv.name = name
    port = srv.server_address[1]
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.rename(tmp, portfile)
    srv.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main()
