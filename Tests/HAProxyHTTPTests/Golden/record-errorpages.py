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
`http-request return status N` without payload is recorded for the reason
phrases (return-reasons.txt), and Debian's errors/403.http served through
`errorfile 403` as errorfile-403-debian.bin (its source is copied beside it).
"""
import os, socket, subprocess, sys, tempfile, time, threading

REASON_CODES = [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304,
                305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415,
                416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 499, 500, 501, 502, 503, 504,
                505, 506, 507, 508, 510, 511, 299, 399, 430, 599]
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
    for code in REASON_CODES:
        cfg.append("    http-request return status %d if { path /r%d }" % (code, code))
    cfg.append("    use_backend bad if { path /bad }")
    cfg.append("    use_backend silent if { path /silent }")
    cfg.append("    default_backend empty")
    cfg += ["backend bad", "    server s 127.0.0.1:%d" % bad_server.getsockname()[1],
            "backend silent", "    server s 127.0.0.1:%d" % silent_server.getsockname()[1],
            "backend empty", "",
            "frontend fe_errorfile", "    bind 127.0.0.1:%d" % (base + 1),
            "    errorfile 403 " + os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(binary))), "etc/haproxy/errors/403.http"),
            "    http-request deny deny_status 403", ""]
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
            reasons = []
            for code in REASON_CODES:
                got = fetch(base, b"GET /r%d HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" % code, timeout=1.0)
                reasons.append("%d\t%s" % (code, got.split(b"\r\n", 1)[0].decode("latin-1")))
            save("return-reasons.txt", ("\n".join(reasons) + "\n").encode())
            save("errorfile-403-debian.bin", fetch(base + 1, b"GET /ef403 HTTP/1.1\r\nHost: a\r\n\r\n"))
            save("trigger-400.bin", fetch(base, b"GET / HTTP/1.1\r\nHost : a\r\n\r\n"))
            save("trigger-408.bin", fetch(base, b"GET / HTTP/1.1\r\n"))
            save("trigger-502.bin", fetch(base, b"GET /bad HTTP/1.1\r\nHost: a\r\n\r\n"))
            save("trigger-503.bin", fetch(base, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
            save("trigger-504.bin", fetch(base, b"GET /silent HTTP/1.1\r\nHost: a\r\n\r\n"))
        finally:
            p.terminate(); p.wait()

main()
