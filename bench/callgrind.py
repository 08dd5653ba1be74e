#!/usr/bin/env python3
"""Instructions per HTTP request, ours next to Debian's haproxy 2.6, counted
by valgrind's callgrind (exact and repeatable, unlike CPU time on a shared
machine).

Each proxy runs under `valgrind --tool=callgrind` with one configuration of
bench/configs (plain.cfg: plain forwarding; rules.cfg: 20 ACLs, 10 header
rules, a 10,000-entry map) in front of a small local backend (nginx when
installed, else a Python server). A client sends K requests on one
keep-alive connection, then C requests each on its own connection with
`Connection: close`. Three runs per proxy, (K, C) = (n1, n1), (n2, n1) and
(n1, n2), give the cost of one keep-alive request and of one close request
as differences of the runs' totals divided by n2 - n1, so start-up, the
configuration's parsing and shutdown cancel out.

With --tls the frontend's bind gets `ssl crt` on an ECDSA P-256 certificate
made for the run, and the client speaks TLS (Python's ssl, TLS 1.3 by
default, --tls12 for 1.2): the keep-alive figure is then one HTTPS request
on an established connection (the handshake cancels out), the close figure
one request on a new connection with its full handshake. The keep-alive
runs then make no close request, (K, C) = (n1, 0) and (n2, 0), so that
only the keep-alive connection's handshake is in them: handshakes differ a
little in cost (random keys), and more of them would blur the difference.
With --resumed as well, the close requests' connections resume the
keep-alive connection's session (session tickets) instead, and the close
figure is one request on a connection with a resumed handshake.
--keepalive-alone runs plain HTTP the same way, for figures to set beside
the TLS ones (what TLS adds to a request is the difference).

It builds nothing. Build ours for valgrind first, with the Makefile's
RELEASE_FLAGS minus the linker options valgrind cannot read (lld, packed
relative relocations, ICF, no-export-dynamic, -z now):

    swift build -c release --static-swift-stdlib \\
        -Xswiftc -enforce-exclusivity=unchecked \\
        --build-path .build-callgrind

(the script runs a copy without debug information: valgrind 3.19 cannot
read the DWARF 5 in it; the symbol table is enough for function names),
and unpack 2.6 with `make reference` (~/.cache/proxybench/ref). Then

    bench/callgrind.py [--config bench/configs/rules.cfg] [--n1 100 --n2 600]
                       [--candidate .build-callgrind/release/haproxy]
                       [--ours-only] [--top 40] [--tls [--tls12] [--resumed]] [--keepalive-alone]

prints instructions per request for both proxies side by side, and with
--top N the N functions with the highest self cost per keep-alive request
in ours (the per-function difference between the (n2, n1) and (n1, n1)
runs, demangled with swift-demangle when it is found). --keep DIR keeps
the callgrind output files there for callgrind_annotate.

With --wrk SECONDS it measures CPU time instead, the way
../shared/tools/proxybench.py does: each proxy (the release binary, by
default .build/release/haproxy) pinned to CPU 0, wrk and the backend to
CPU 1, the same request sent by wrk on 10 keep-alive connections for
SECONDS, then with `Connection: close`; the proxy's user+system time
(/proc/PID/stat) divided by the requests answered, and its user and
system parts. Three rounds, alternating the proxies; the median is
printed. Noisy on a busy machine:
run it on an idle one.

A benchmark, not a CI test: it prints numbers, it does not judge them.
Needs valgrind (apt-get install valgrind), optionally nginx-light; wrk
for --wrk.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

from benchlib import REF, cpu_split, free_port, nginx_config, reference_env, wait_listening

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

REQUEST_HEADERS = (
    "Host: www.example.com\r\n"
    "User-Agent: curl/8.1.2\r\n"
    "Accept: application/json, text/plain\r\n"
    "Accept-Language: fr-FR,fr;q=0.9,en;q=0.5\r\n"
    "Cookie: lang=fr; SESSIONID=4f2a9c01b7; theme=dark\r\n"
    "X-Forwarded-For: 198.18.0.7\r\n"
)
REQUEST_PATH = "/api/v1/users?id=42"


def write_maps(tmp):
    """hosts.map: 10,000 exact host names (www.example.com among them);
    paths.map: a few prefixes."""
    with open(os.path.join(tmp, "hosts.map"), "w") as f:
        for i in range(9999):
            f.write(f"host{i:05d}.example.net pool{i % 16}\n")
        f.write("www.example.com pool-www\n")
    with open(os.path.join(tmp, "paths.map"), "w") as f:
        for prefix in ("/static/", "/images/", "/css/", "/js/", "/admin/", "/login",
                       "/api/v2/", "/api/v1/", "/api/", "/health"):
            f.write(f"{prefix} {prefix.strip('/').replace('/', '-') or 'root'}\n")


def start_backend(tmp, port, pin=()):
    if shutil.which("nginx"):
        conf = nginx_config(tmp, f"""server {{
        listen 127.0.0.1:{port};
        keepalive_requests 1000000;
        location / {{ return 200 "hello\\n"; }}
    }}""")
        proc = subprocess.Popen([*pin, "nginx", "-c", conf, "-p", tmp],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    else:
        script = f"""
import http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "6")
        self.end_headers()
        self.wfile.write(b"hello\\n")
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", {port}), H).serve_forever()
"""
        proc = subprocess.Popen([*pin, sys.executable, "-c", script],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_listening(port, proc)
    return proc


def read_response(sock, buf):
    """One response from `sock` (Content-Length or until EOF); returns the
    bytes read past it."""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            raise SystemExit(f"connection closed before a response: {buf[:200]!r}")
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"unexpected response: {head[:200]!r}")
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    if m is None:
        while sock.recv(65536):
            pass
        return b""
    length = int(m.group(1))
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            raise SystemExit("connection closed inside a body")
        rest += data
    return rest[length:]


def make_certificate(tmp):
    """ec.pem in `tmp`: a self-signed ECDSA P-256 certificate and its key."""
    script = f"""
        set -e
        cd '{tmp}'
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ec.key \\
            -out ec.crt -days 30 -subj /CN=localhost 2>/dev/null
        cat ec.crt ec.key > ec.pem
    """
    subprocess.run(["sh", "-c", script], check=True)


def tls_config(config_text):
    """The configuration with `ssl crt` on the frontend's bind."""
    bind = "bind 127.0.0.1:@FRONT_PORT@"
    if bind not in config_text:
        raise SystemExit(f"--tls: no '{bind}' line in the configuration")
    return config_text.replace(bind, bind + " ssl crt @DIR@/ec.pem", 1)


def client_context(tls12):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if tls12:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    return context


# --resumed: the close requests' connections resume the keep-alive
# connection's TLS session instead of making a full handshake each.
RESUMED = False


def connect(port, tls, session=None):
    sock = socket.create_connection(("127.0.0.1", port))
    return tls.wrap_socket(sock, session=session) if tls else sock


def client(port, keepalive, close, tls=None):
    request = f"GET {REQUEST_PATH} HTTP/1.1\r\n{REQUEST_HEADERS}\r\n".encode()
    session = None
    with connect(port, tls) as sock:
        buf = b""
        for _ in range(keepalive):
            sock.sendall(request)
            buf = read_response(sock, buf)
        # Read after a response: TLS 1.3 tickets come after the handshake.
        if tls and RESUMED:
            session = sock.session
    closing = f"GET {REQUEST_PATH} HTTP/1.1\r\n{REQUEST_HEADERS}Connection: close\r\n\r\n".encode()
    for _ in range(close):
        with connect(port, tls, session) as sock:
            if session is not None and not sock.session_reused:
                raise SystemExit("--resumed: the proxy did not resume the session")
            sock.sendall(closing)
            read_response(sock, b"")
            while sock.recv(65536):
                pass


def run(binary, env, config_text, tmp, backend_port, keepalive, close, out, tls=None):
    port = free_port()
    cfg = os.path.join(tmp, "haproxy.cfg")
    with open(cfg, "w") as f:
        f.write(config_text.replace("@FRONT_PORT@", str(port))
                .replace("@BACKEND_PORT@", str(backend_port)).replace("@DIR@", tmp))
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no",
            "--compress-strings=no", "--compress-pos=no", "--trace-children=no",
            "--log-file=" + out + ".log", binary, "-f", cfg, "-db"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_listening(port, proc, timeout=120)
        client(port, keepalive, close, tls)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return parse(out)


def parse(path):
    """Total instructions and self cost per function of a callgrind file
    written with --compress-strings=no --compress-pos=no."""
    total = None
    per_fn = {}
    fn = None
    skip_next = False
    with open(path, errors="replace") as f:
        for line in f:
            c = line[:1]
            if c.isdigit() or c in "+-*":
                if skip_next:
                    skip_next = False
                    continue
                parts = line.split()
                if len(parts) >= 2 and fn is not None:
                    per_fn[fn] = per_fn.get(fn, 0) + int(parts[1])
            elif line.startswith("fn="):
                fn = line[3:].strip()
            elif line.startswith("calls="):
                skip_next = True
            elif line.startswith("totals:") or line.startswith("summary:"):
                total = int(line.split()[1])
    if total is None:
        total = sum(per_fn.values())
    return total, per_fn


def demangle(names):
    tool = shutil.which("swift-demangle") or "/opt/swift/usr/bin/swift-demangle"
    if not os.path.exists(tool):
        return names
    out = subprocess.run([tool, "--simplified"], input="\n".join(names), capture_output=True,
                         text=True).stdout.splitlines()
    return out if len(out) == len(names) else names


def measure(name, binary, env, config_text, tmp, backend_port, n1, n2, c0, keep, tls=None):
    files = {}
    results = {}
    for k, c in ((n1, c0), (n2, c0), (n1, n2)):
        out = os.path.join(keep or tmp, f"callgrind.{name}.{k}-{c}.out")
        t = time.monotonic()
        results[(k, c)] = run(binary, env, config_text, tmp, backend_port, k, c, out, tls)
        files[(k, c)] = out
        print(f"  {name}: {k} keep-alive + {c} close requests: "
              f"{results[(k, c)][0]:,} instructions ({time.monotonic() - t:.0f} s)", file=sys.stderr)
    base = results[(n1, c0)][0]
    keepalive = (results[(n2, c0)][0] - base) / (n2 - n1)
    close = (results[(n1, n2)][0] - base) / (n2 - c0)
    return keepalive, close, results, files


def wrk_script(tmp, close):
    """A wrk Lua script sending the benchmark's request."""
    headers = REQUEST_HEADERS + ("Connection: close\r\n" if close else "")
    lines = [h.split(": ", 1) for h in headers.strip().split("\r\n")]
    path = os.path.join(tmp, "close.lua" if close else "keepalive.lua")
    with open(path, "w") as f:
        f.write(f'wrk.path = "{REQUEST_PATH}"\n')
        for name, value in lines:
            f.write(f'wrk.headers["{name}"] = "{value}"\n')
    return path


def start_pinned(binary, env, config_text, tmp, backend_port):
    """The proxy on `config_text` pinned to CPU 0, its frontend on a free
    port: (process, port). The caller waits for the port and stops it."""
    port = free_port()
    cfg = os.path.join(tmp, "haproxy.cfg")
    with open(cfg, "w") as f:
        f.write(config_text.replace("@FRONT_PORT@", str(port))
                .replace("@BACKEND_PORT@", str(backend_port)).replace("@DIR@", tmp))
    proc = subprocess.Popen(["taskset", "-c", "0", binary, "-f", cfg, "-db"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return proc, port


def cpu_per_request(binary, env, config_text, tmp, backend_port, seconds):
    """The proxy's CPU microseconds per request under wrk: (keep-alive, close)."""
    proc, port = start_pinned(binary, env, config_text, tmp, backend_port)
    out = []
    try:
        wait_listening(port, proc)
        for close in (False, True):
            before = cpu_split(proc.pid)
            result = subprocess.run(
                ["taskset", "-c", "1", "wrk", "-t1", "-c10", f"-d{seconds}s", "-s", wrk_script(tmp, close),
                 f"http://127.0.0.1:{port}{REQUEST_PATH}"], capture_output=True, text=True, check=True).stdout
            after = cpu_split(proc.pid)
            user, system = after[0] - before[0], after[1] - before[1]
            m = re.search(r"(\d+) requests in", result)
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
            if m is None or int(m.group(1)) == 0 or errors:
                raise SystemExit(f"wrk failed against {binary}: {result}")
            requests = int(m.group(1))
            out.append(((user + system) / requests * 1e6, user / requests * 1e6, system / requests * 1e6))
    finally:
        proc.terminate()
        proc.wait()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=os.path.join(HERE, "configs", "rules.cfg"))
    ap.add_argument("--candidate", default=os.path.join(ROOT, ".build-callgrind", "release", "haproxy"))
    ap.add_argument("--haproxy", default=os.path.join(REF, "usr", "sbin", "haproxy"))
    ap.add_argument("--n1", type=int, default=100)
    ap.add_argument("--n2", type=int, default=600)
    ap.add_argument("--ours-only", action="store_true")
    ap.add_argument("--top", type=int, default=0, help="list ours' N costliest functions per keep-alive request")
    ap.add_argument("--keep", help="directory to keep the callgrind output files in")
    ap.add_argument("--tls", action="store_true", help="HTTPS: `ssl crt` on the bind, a TLS client")
    ap.add_argument("--tls12", action="store_true", help="with --tls: TLS 1.2 instead of 1.3")
    ap.add_argument("--resumed", action="store_true",
                    help="with --tls: the close requests resume the keep-alive connection's session (tickets)")
    ap.add_argument("--keepalive-alone", action="store_true",
                    help="no close request in the keep-alive runs (as with --tls), for plain figures to set beside TLS ones")
    ap.add_argument("--wrk", type=int, metavar="SECONDS",
                    help="measure CPU time per request under wrk instead of instructions")
    args = ap.parse_args()
    if args.wrk:
        if args.tls:
            raise SystemExit("--wrk measures plain HTTP; bench/tls.py measures HTTPS under load")
        return main_wrk(args)
    if args.n2 <= args.n1:
        raise SystemExit("--n2 must be larger than --n1")
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind not found (apt-get install valgrind)")
    with open(args.config) as f:
        config_text = f.read()
    tls = None
    # The keep-alive runs' close requests: with TLS none, for the handshakes'
    # cost varies a little from one to the next (random keys) and would
    # blur the difference between the keep-alive runs.
    c0 = 0 if args.tls or args.keepalive_alone else args.n1
    if args.resumed and not args.tls:
        raise SystemExit("--resumed needs --tls")
    global RESUMED
    RESUMED = args.resumed
    if args.tls:
        config_text = tls_config(config_text)
        tls = client_context(args.tls12)
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="callgrind-bench-") as tmp:
        write_maps(tmp)
        if tls:
            make_certificate(tmp)
        # Valgrind 3.19 cannot read the DWARF 5 of our build: a copy without
        # debug information keeps the symbol table, enough for function names.
        candidate = os.path.join(tmp, "haproxy-candidate")
        subprocess.run(["objcopy", "--strip-debug", args.candidate, candidate], check=True)
        backend_port = free_port()
        backend = start_backend(tmp, backend_port)
        try:
            ours = measure("ours", candidate, dict(os.environ), config_text, tmp, backend_port,
                           args.n1, args.n2, c0, args.keep, tls)
            ref = None
            if not args.ours_only:
                ref = measure("2.6", args.haproxy, reference_env(), config_text, tmp, backend_port,
                              args.n1, args.n2, c0, args.keep, tls)
        finally:
            backend.terminate()
            backend.wait()
        scheme = (" over TLS 1.2" if args.tls12 else " over TLS 1.3") if tls else ""
        print(f"{os.path.basename(args.config)}{scheme}: instructions per request "
              f"(n1={args.n1}, n2={args.n2})")
        print(f"{'':12} {'ours':>10} {'2.6':>10} {'ratio':>7}" if ref else f"{'':12} {'ours':>10}")
        handshake = "close+resumed" if args.resumed else "close+hs"
        for label, i in (("keep-alive", 0), (handshake if tls else "close", 1)):
            if ref:
                print(f"{label:13} {ours[i]:>10,.0f} {ref[i]:>10,.0f} {ours[i] / ref[i]:>7.2f}")
            else:
                print(f"{label:13} {ours[i]:>10,.0f}")
        if args.top:
            results = ours[2]
            base = results[(args.n1, c0)][1]
            more = results[(args.n2, c0)][1]
            diff = {fn: (more.get(fn, 0) - base.get(fn, 0)) / (args.n2 - args.n1)
                    for fn in set(base) | set(more)}
            top = sorted(diff.items(), key=lambda kv: -kv[1])[:args.top]
            names = demangle([fn for fn, _ in top])
            print(f"\nours: self instructions per keep-alive request, top {args.top}")
            for (fn, cost), label in zip(top, names):
                print(f"{cost:>9,.0f}  {label[:150]}")


def main_wrk(args):
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found (apt-get install wrk)")
    candidate = args.candidate
    if candidate == os.path.join(ROOT, ".build-callgrind", "release", "haproxy"):
        candidate = os.path.join(ROOT, ".build", "release", "haproxy")
    with open(args.config) as f:
        config_text = f.read()
    with tempfile.TemporaryDirectory(prefix="cpu-bench-") as tmp:
        write_maps(tmp)
        backend_port = free_port()
        backend = start_backend(tmp, backend_port, pin=["taskset", "-c", "1"])
        rounds = {"ours": [], "2.6": []}
        try:
            for _ in range(3):
                rounds["ours"].append(cpu_per_request(candidate, dict(os.environ), config_text, tmp,
                                                      backend_port, args.wrk))
                rounds["2.6"].append(cpu_per_request(args.haproxy, reference_env(), config_text, tmp,
                                                     backend_port, args.wrk))
        finally:
            backend.terminate()
            backend.wait()
    def median(name, i):
        """The round with the median total CPU: (total, user, system)."""
        return sorted((r[i] for r in rounds[name]), key=lambda t: t[0])[1]
    print(f"{os.path.basename(args.config)}: proxy CPU microseconds per request (wrk, median of 3; "
          "user and system time of the same round)")
    print(f"{'':12} {'ours':>8} {'2.6':>8} {'ratio':>7} {'user':>13} {'system':>13}")
    for label, i in (("keep-alive", 0), ("close", 1)):
        ours, ref = median("ours", i), median("2.6", i)
        print(f"{label:12} {ours[0]:>8.2f} {ref[0]:>8.2f} {ours[0] / ref[0]:>7.2f} "
              f"{ours[1]:>6.2f}/{ref[1]:<6.2f} {ours[2]:>6.2f}/{ref[2]:<6.2f}")


if __name__ == "__main__":
    main()
