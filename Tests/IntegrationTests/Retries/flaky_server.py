#!/usr/bin/env python3
"""An HTTP/1.1 server that fails the first requests of each path, for the
`retry-on` tests: flaky_server.py NAME PORTFILE LOGFILE.

GET|POST /PATH?fail=N&kind=K[&only=NAME]: the first N requests for PATH
(counted per server) fail as K says, the next ones get 200 "NAME HIT\n".
K: a status code (answered with body "fail\n"), close (closed without a
byte), junk (not HTTP), partial (half a head, then closed), hang (no answer
for 5 s). With only=NAME, only the server of that name fails.

Each request is appended to LOGFILE as "NAME METHOD PATH BODY-LENGTH
BODY-PREFIX" once it is read whole.
"""
import socket
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

name, port_file, log_file = sys.argv[1], sys.argv[2], sys.argv[3]
hits = {}
lock = threading.Lock()


def record(line):
    with lock:
        with open(log_file, "a") as f:
            f.write(line + "\n")


def read_body(conn, rest, headers):
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            while b"\r\n" not in rest:
                rest += conn.recv(65536)
            size_line, rest = rest.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                rest += conn.recv(65536)
            body, rest = body + rest[:size], rest[size + 2:]
            if size == 0:
                return body, rest
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        data = conn.recv(65536)
        if not data:
            break
        rest += data
    return rest[:n], rest[n:]


def handle(conn):
    buf = b""
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            head, rest = buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ")
            headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
            body, buf = read_body(conn, rest, headers)
            url = urlsplit(target)
            query = parse_qs(url.query)
            with lock:
                hits[url.path] = hits.get(url.path, 0) + 1
                hit = hits[url.path]
            record(f"{name} {method} {url.path} {len(body)} {body[:16].decode('latin-1')}")
            fail = int(query.get("fail", ["0"])[0])
            if query.get("only", [name])[0] != name:
                fail = 0
            kind = query.get("kind", ["503"])[0]
            if hit <= fail:
                if kind == "close":
                    return
                if kind == "junk":
                    conn.sendall(b"garbage\r\n\r\n")
                    return
                if kind == "partial":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Le")
                    return
                if kind == "hang":
                    time.sleep(5)
                    return
                conn.sendall(f"HTTP/1.1 {int(kind)} Failed\r\ncontent-length: 5\r\n\r\nfail\n".encode())
                continue
            answer = f"{name} {hit}\n".encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(answer) + answer)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.getsockname()[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


main()
