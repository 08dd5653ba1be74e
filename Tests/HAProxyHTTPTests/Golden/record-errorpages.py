#!/usr/bin/env python3
"""Record HAProxy's built-in error responses and an `http-request return`.

Usage: record-errorpages.py /path/to/haproxy OUTDIR

For each status HAProxy has a built-in page for, a frontend answers
`http-request deny deny_status N` (which sends the default page for N) and
the exact bytes received are written to OUTDIR/errorpage-N.bin. The same is
done for `http-request return status 200 content-type text/plain string
"Hello"` (return-hello.bin). Real triggers (400 bad request, 408 timeout,
502 bad response, 503 no server, 504 server timeout) are also recorded as
trigger-N.bin, to check they send the same bytes as deny_status N.
"""
import os, socket, subprocess, sys, tempfile, time, threading

CODES = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504]

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def fetch(port, data, timeout=3.0):
    s = socket.create_connection(("127.0.0.1", port)); s.settimeout(timeout)
    s.sendall(data); got = b""
    try:
        while True:
            c = s.recv(65536)
            if not c: break
            got += c
    except (socket.timeout, ConnectionResetError):
        pass
    s.close(); return got

def main():
    binary, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    base = free_port()
    bad_server = socket.socket(); bad_server.bind(("127.0.0.1", 0)); bad_server.listen(16)
    silent_server = socket.socket(); silent_server.bind(("127.0.0.1", 0)); silent_server.listen(16)
    def garbage():
        while True:
            c, _ = bad_server.accept()
            c.recv(65536); c.sendall(b"NOT HTTP\r\n\r\n"); c.close()
    threading.Thread(target=garbage, daemon=True).start()
    cfg = ["defaults", "    mode http", "    timeout connect 1s", "    timeout client 5s",
           "    timeout server 500ms", "    timeout http-request 500ms", ""]
    cfg += ["frontend fe", "    bind 127.0.0.1:%d" % base]
    for code in CODES:
        cfg.append("    http-request deny deny_status %d if { path /%d }" % (code, code))
    cfg.append('    http-request return status 200 content-type text/plain string "Hello" if { path /return }')
    cfg.append("    use_backend bad if { path /bad }")
    cfg.append("    use_backend silent if { path /silent }")
    cfg.append("    default_backend empty")
    cfg += ["backend bad", "    server s 127.0.0.1:%d" % bad_server.getsockname()[1],
            "backend silent", "    server s 127.0.0.1:%d" % silent_server.getsockname()[1],
            "backend empty", ""]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "h.cfg"); open(path, "w").write("\n".join(cfg))
        p = subprocess.Popen([binary, "-db", "-f", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(50):
                try: socket.create_connection(("127.0.0.1", base)).close(); break
                except OSError: time.sleep(0.1)
            def save(name, data): open(os.path.join(outdir, name), "wb").write(data)
            for code in CODES:
                save("errorpage-%d.bin" % code, fetch(base, b"GET /%d HTTP/1.1\r\nHost: a\r\n\r\n" % code))
            save("return-hello.bin", fetch(base, b"GET /return HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
            save("trigger-400.bin", fetch(base, b"GET / HTTP/1.1\r\nHost : a\r\n\r\n"))
            save("trigger-408.bin", fetch(base, b"GET / HTTP/1.1\r\n"))
            save("trigger-502.bin", fetch(base, b"GET /bad HTTP/1.1\r\nHost: a\r\n\r\n"))
            save("trigger-503.bin", fetch(base, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
            save("trigger-504.bin", fetch(base, b"GET /silent HTTP/1.1\r\nHost: a\r\n\r\n"))
        finally:
            p.terminate(); p.wait()

main()
