#!/usr/bin/env python3
"""Differential test of HTTP/1 framing: hostile requests and responses sent
through our haproxy and through Debian's haproxy 2.6 with the same
configuration, comparing what the client gets and the exact bytes each
server receives.

Usage: framing_differential.py OURS REFERENCE [--seed N] [--random N]

Each variant is sent on a new connection to both proxies at once. A capture
server behind each proxy records every connection's bytes until its request
is complete (Content-Length or chunked framing, its own parse), the peer
closes, or it stays idle; it then answers with the variant's response and
closes. A variant passes when the client's bytes and the list of captured
requests are identical on both sides. The catalogue covers the framing
cases of RFC 9112 that smuggling attacks use; the random part combines them
from a seeded generator whose seed is printed (--seed repeats a run).
Exit status 0 when every variant matched, 1 otherwise.
"""
import os, random, re, shutil, socket, subprocess, sys, tempfile, threading, time

OK = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
GET = b"GET / HTTP/1.1\r\nhost: a\r\n\r\n"

# (request, response the server sends). Requests first, then responses.
CATALOGUE = [
    # Content-Length and Transfer-Encoding together: CL must not reach the server.
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 30\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n",
    # Transfer-Encoding variants.
    b"POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:  chunked \r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    # Content-Length variants.
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 05\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
    # Header syntax: obs-fold, whitespace, control bytes, line ends.
    b"GET / HTTP/1.1\r\nHost: a\r\nX-A: a\r\n b\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-A: a\r\n\tb\r\n\r\n",
    b"GET / HTTP/1.1\r\n Host: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x00c\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\r\n\r\n",
    b"GET / HTTP/1.1\nHost: a\nX-A: b\n\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-A: \t b \t \r\nX-B:\r\n\r\n",
    b"GET  /  HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    b"GET http://a/x HTTP/1.1\r\nHost: b\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX\x7fA: b\r\n\r\n",
    # Chunk syntax.
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n005\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\na\r\nhelloworld\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0;x\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T:  1 \r\ny-t:2\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n",
    # Not here: a trailer name with a space, which 2.6 answers 400 or
    # forwards from one run to the next (ours answers 400).
    # Connection handling.
    b"GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nConnection: a, close, b\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nConnection: a\r\nConnection: b, keep-alive\r\n\r\n",
    b"GET / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\nX: 1\r\n\r\n",
    b"GET / HTTP/1.0\r\nHost: a\r\nConnection: foo\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nProxy-Connection: close\r\nKeep-Alive: 300\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: foo, WebSocket\r\nSec-WebSocket-Key: abc\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: h2c\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n",
    # Start lines.
    b"GET / HTTP/1.2\r\nHost: a\r\n\r\n",
    b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
    b"GET /\r\n\r\n",
    b"GET / http/1.1\r\nHost: a\r\n\r\n",
    b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"G\x01T / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n",
]
CATALOGUE = [(r, OK) for r in CATALOGUE] + [(GET, r) for r in [
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\nok\r\n3\r\nabc\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;e=1\r\nok\r\n0\r\nX-T:  1 \r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok",
    b"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nConnection: foo, close\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nX-A : b\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n",
    b"HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"HTTP/1.1 304 Not Modified\r\nContent-Length: 2\r\n\r\n",
    b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTX/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200  OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1  200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
]]


def generate(rng, count):
    """Requests combining framing choices at random."""
    out = []
    for _ in range(count):
        version = rng.choice([b"HTTP/1.1", b"HTTP/1.1", b"HTTP/1.0"])
        eol = b"\n" if rng.random() < 0.1 else b"\r\n"
        body = rng.choice([b"hello", b"", b"0123456789abcdef" * 3])
        headers = [(b"Host", b"a")]
        framing = rng.choice(["none", "cl", "cl-list", "cl-dup", "te", "te+cl", "cl+te", "te-case", "te-two"])
        chunked = framing in ("te", "te+cl", "cl+te", "te-case", "te-two")
        if framing == "cl":
            headers.append((rng.choice([b"Content-Length", b"content-length", b"CONTENT-LENGTH"]), str(len(body)).encode()))
        elif framing == "cl-list":
            headers.append((b"Content-Length", b"%d, %d" % (len(body), len(body))))
        elif framing == "cl-dup":
            headers += [(b"Content-Length", str(len(body)).encode())] * 2
        elif framing == "te":
            headers.append((b"Transfer-Encoding", rng.choice([b"chunked", b" chunked", b"chunked\t"])))
        elif framing == "te+cl":
            headers += [(b"Transfer-Encoding", b"chunked"), (b"Content-Length", str(rng.randrange(0, 40)).encode())]
        elif framing == "cl+te":
            headers += [(b"Content-Length", str(rng.randrange(0, 40)).encode()), (b"Transfer-Encoding", b"chunked")]
        elif framing == "te-case":
            headers.append((b"transfer-encoding", b"CHUNKED"))
        elif framing == "te-two":
            headers += [(b"Transfer-Encoding", b"identity"), (b"Transfer-Encoding", b"chunked")]
        for _ in range(rng.randrange(0, 3)):
            name = bytes(rng.choice(b"xXyYzZ-") for _ in range(rng.randrange(1, 6)))
            value = rng.choice([b"v", b"  v  ", b"\tv", b"a, b", b"", b"v\r\n w"])
            headers.insert(rng.randrange(0, len(headers) + 1), (name, value))
        if rng.random() < 0.3:
            headers.append((b"Connection", rng.choice([b"close", b"keep-alive", b"foo, close", b"Keep-Alive, bar"])))
        rng.shuffle(headers)
        head = rng.choice([b"POST", b"PUT", b"GET"]) + b" /p?q=" + str(rng.randrange(1000)).encode() + b" " + version + eol
        for name, value in headers:
            head += name + b":" + rng.choice([b" ", b"", b"  ", b"\t"]) + value + eol
        head += eol
        if chunked:
            data, pos = b"", 0
            while pos < len(body):
                n = rng.randrange(1, len(body) - pos + 1)
                size = rng.choice([b"%x", b"%X", b"0%x", b"%x;e=1", b"%x "]) % n
                data += size + eol + body[pos:pos + n] + eol
                pos += n
            data += rng.choice([b"0", b"000", b"0;x=y"]) + eol
            if rng.random() < 0.3:
                data += rng.choice([b"X-Trailer: 1", b"x-t:  2 ", b"T:"]) + eol
            data += eol
        elif framing == "none":
            data = b""
        else:
            data = body
        out.append((head + data, OK))
    return out


def request_complete(data):
    """Whether `data` holds a complete request by its own framing."""
    i = data.find(b"\r\n\r\n")
    if i < 0:
        return False
    head, body = data[:i].lower(), data[i + 4:]
    if b"\ntransfer-encoding:" in head:
        j = 0
        while True:
            k = body.find(b"\r\n", j)
            if k < 0:
                return False
            try:
                n = int(body[j:k].split(b";")[0], 16)
            except ValueError:
                return False
            if n == 0:
                return body.endswith(b"\r\n\r\n")
            j = k + 2 + n + 2
            if j > len(body):
                return False
    m = re.search(rb"\ncontent-length: *(\d+)", head)
    return len(body) >= int(m.group(1)) if m else True


def response_complete(data, head_request):
    """Whether `data` holds a complete final response (1xx skipped)."""
    while True:
        i = data.find(b"\r\n\r\n")
        if i < 0:
            return False
        head, body = data[:i].lower(), data[i + 4:]
        status = head.split(b" ", 2)[1][:3] if head.count(b" ") else b""
        if status.startswith(b"1") and status != b"101":
            data = body
            continue
        if head_request or status in (b"204", b"304"):
            return True
        if b"\ntransfer-encoding:" in head:
            return request_complete(data)
        m = re.search(rb"\ncontent-length: *(\d+)", head)
        return len(body) >= int(m.group(1)) if m else False


class CaptureServer:
    """Records each connection's request bytes, answers `response`, closes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.response = OK
        self.lock = threading.Condition()
        self.captured = []
        self.open = 0
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while True:
            conn, _ = self.sock.accept()
            with self.lock:
                self.open += 1
            threading.Thread(target=self.handle, args=(conn, self.response), daemon=True).start()

    def handle(self, conn, response):
        data = b""
        conn.settimeout(0.3)
        try:
            while not request_complete(data):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (socket.timeout, OSError):
            pass
        try:
            conn.sendall(response)
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(2)
            while conn.recv(65536):
                pass
        except OSError:
            pass
        conn.close()
        with self.lock:
            self.captured.append(data)
            self.open -= 1
            self.lock.notify_all()

    def settle(self, timeout=5):
        """Waits until every accepted connection has been handled."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while self.open > 0 and time.monotonic() < deadline:
                self.lock.wait(deadline - time.monotonic())


CONFIG = """global
    maxconn 200
defaults
    mode http
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    bind 127.0.0.1:{port}
    default_backend be
backend be
    server s1 127.0.0.1:{backend}
"""


class Side:
    def __init__(self, name, binary, workdir):
        self.name = name
        self.capture = CaptureServer()
        self.port = free_port()
        cfg = os.path.join(workdir, name + ".cfg")
        with open(cfg, "w") as f:
            f.write(CONFIG.format(port=self.port, backend=self.capture.port))
        self.proc = subprocess.Popen([binary, "-db", "-f", cfg], stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(workdir, name + ".log"), "w"))
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"{name} haproxy did not start: {binary}")
                time.sleep(0.02)

    def run(self, request, response, result):
        self.capture.response = response
        with self.capture.lock:
            before = len(self.capture.captured)
        conn = socket.create_connection(("127.0.0.1", self.port))
        conn.settimeout(4)
        got = b""
        try:
            conn.sendall(request)
            # Until the proxy closes, or a response is complete and nothing
            # follows it within a short while (a second response would be a
            # smuggled request's).
            while True:
                if response_complete(got, request.startswith(b"HEAD ")):
                    conn.settimeout(0.3)
                chunk = conn.recv(65536)
                if not chunk:
                    break
                got += chunk
        except socket.timeout:
            if not response_complete(got, request.startswith(b"HEAD ")):
                got += b"<client timed out>"
        except OSError as e:
            got += b"<" + str(e).encode() + b">"
        conn.close()
        self.capture.settle()
        with self.capture.lock:
            # Sorted: pipelined requests may complete in either order.
            result[self.name] = (got, sorted(self.capture.captured[before:]))

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    ours, reference = args[0], args[1]
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else int.from_bytes(os.urandom(4), "big")
    count = int(args[args.index("--random") + 1]) if "--random" in args else 40
    print(f"framing differential: random seed {seed} (--seed {seed} repeats it)", flush=True)
    variants = CATALOGUE + generate(random.Random(seed), count)
    workdir = tempfile.mkdtemp(prefix="framing-diff-")
    sides = [Side("reference", reference, workdir), Side("ours", ours, workdir)]
    failures = 0
    try:
        for number, (request, response) in enumerate(variants):
            result = {}
            threads = [threading.Thread(target=s.run, args=(request, response, result)) for s in sides]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if result["reference"] != result["ours"]:
                failures += 1
                print(f"DIFF #{number} request {request!r}" + (f" response {response!r}" if response != OK else ""))
                for name in ("reference", "ours"):
                    got, captured = result[name]
                    print(f"  {name:9} client got {got!r}")
                    print(f"  {name:9} server got {captured!r}")
    finally:
        for s in sides:
            s.stop()
    print(f"framing differential: {len(variants)} variants, {failures} differ (seed {seed})")
    if failures:
        print(f"both proxies' configurations and logs are kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
