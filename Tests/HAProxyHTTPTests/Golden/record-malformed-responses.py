#!/usr/bin/env python3
"""Record how a real HAProxy answers when a server sends a malformed response.

Usage: record-malformed-responses.py /path/to/haproxy > malformed-responses.txt

A python server on loopback answers request /N with the bytes of case N and
closes; HAProxy (`mode http`, one backend) sits in front. The status line
the client receives is recorded (502 when HAProxy refused the response).
Same line format as malformed-requests.txt.
"""
import os, socket, subprocess, sys, tempfile, threading, time

CASES = []
def case(name, data):
    CASES.append((name, data.encode("latin-1") if isinstance(data, str) else data))

case("ok", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
case("no_reason", "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nhi")
case("no_reason_with_space", "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nhi")
case("http10", "HTTP/1.0 200 OK\r\n\r\nhi")
case("bare_lf", "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi")
case("status_two_digits", "HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nhi")
case("status_four_digits", "HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nhi")
case("status_letters", "HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\nhi")
case("status_099", "HTTP/1.1 099 OK\r\nContent-Length: 2\r\n\r\nhi")
case("status_600", "HTTP/1.1 600 OK\r\nContent-Length: 2\r\n\r\nhi")
case("version_garbage", "HTTX/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
case("version_lowercase", "http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
case("not_http", "NOT HTTP\r\n\r\n")
case("space_before_colon", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nhi")
case("invalid_header_name", "HTTP/1.1 200 OK\r\nX(Y): 1\r\nContent-Length: 2\r\n\r\nhi")
case("missing_colon", "HTTP/1.1 200 OK\r\nFoo\r\nContent-Length: 2\r\n\r\nhi")
case("obs_fold", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 2\r\n\r\nhi")
case("cl_different", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi")
case("cl_invalid", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nhi")
case("te_chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
case("te_gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nhi")
case("te_gzip_chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
case("te_chunked_twice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
case("cr_in_value", "HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 2\r\n\r\nhi")
case("empty_lines_before", "\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
case("status_404", "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nhi")
case("interim_100_then_200", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
case("headers_101", "HTTP/1.1 200 OK\r\n" + "".join("X-%d: v\r\n" % i for i in range(100)) + "Content-Length: 2\r\n\r\nhi")
case("incomplete_then_close", "HTTP/1.1 200 OK\r\nContent-Le")

CFG = """defaults
    mode http
    timeout connect 1s
    timeout client 3s
    timeout server 1s
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    server s 127.0.0.1:%d
"""

def escape(b):
    out = []
    for c in b:
        if c == 0x0d: out.append("\\r")
        elif c == 0x0a: out.append("\\n")
        elif c == 0x09: out.append("\\t")
        elif c == 0x5c: out.append("\\\\")
        elif 0x20 <= c < 0x7f: out.append(chr(c))
        else: out.append("\\x%02x" % c)
    return "".join(out)

def main():
    binary = sys.argv[1]
    server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0)); server.listen(16)
    def serve():
        while True:
            c, _ = server.accept()
            req = b""
            while b"\r\n\r\n" not in req:
                chunk = c.recv(4096)
                if not chunk: break
                req += chunk
            try:
                n = int(req.split(b" ")[1][1:])
                c.sendall(CASES[n][1])
            except Exception:
                pass
            c.close()
    threading.Thread(target=serve, daemon=True).start()
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "h.cfg")
        open(path, "w").write(CFG % (port, server.getsockname()[1]))
        p = subprocess.Popen([binary, "-db", "-f", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(50):
                try: socket.create_connection(("127.0.0.1", port)).close(); break
                except OSError: time.sleep(0.1)
            version = subprocess.run([binary, "-v"], capture_output=True, text=True).stdout.splitlines()[0]
            print("# Malformed HTTP/1 responses and the status the client gets from the real HAProxy.")
            print("# Produced by: python3 Tests/HAProxyHTTPTests/Golden/record-malformed-responses.py <haproxy binary>")
            print("# with %s; response to a GET. Format: name TAB escaped response TAB status or `close`." % version)
            for i, (name, data) in enumerate(CASES):
                c = socket.create_connection(("127.0.0.1", port)); c.settimeout(3)
                c.sendall(b"GET /%d HTTP/1.1\r\nHost: a\r\n\r\n" % i)
                got = b""
                try:
                    while b"\n" not in got:
                        chunk = c.recv(4096)
                        if not chunk: break
                        got += chunk
                except (socket.timeout, ConnectionResetError):
                    pass
                c.close()
                parts = got.split(b" ")
                status = parts[1].decode() if got and len(parts) > 1 else "close"
                print("%s\t%s\t%s" % (name, escape(data), status), flush=True)
        finally:
            p.terminate(); p.wait()

main()
