#!/usr/bin/env python3
"""Differential test of HTTP and TCP rules: a table of configurations real
users write (ACLs, sample fetches, converters, maps, http-request,
http-response and http-after-response actions, redirects, auth, cookie
persistence, error pages, use_backend, forwardfor/originalto, tcp-request
and tcp-response rules), each run through Debian's haproxy 2.6 (the
reference) and through ours with the same configuration.

Usage: rules_differential.py [--candidate PATH] [--reference PATH]
                             [--only NAME]... [--list] [--reference-only]
                             [--allow FILE] [--verbose]

For each case, the two proxies run one after the other on the same ports
with the same configuration file: the reference first, then ours. Before
starting, each is asked `-c -f CFG`; a candidate that refuses the
configuration is reported REFUSED with its first ALERT line. A proxy is
started in the foreground (-db) with default signal handling, its ports
polled in the kernel's table of listening sockets until they listen (no
fixed sleep, no probe connection the rules would see), sent the case's
requests (raw bytes, each on a new connection, from a chosen loopback
source address), then stopped with SIGTERM.

Behind each proxy, capture servers (one per lowercase @name@ placeholder of
the configuration) record the exact bytes of every request they receive and
answer the case's scripted response. What is compared, per request: every
response the client got (interim 1xx ones too) -- status code and reason,
headers in order (names case-insensitively, values exactly; the hop-by-hop
connection, keep-alive, proxy-connection and transfer-encoding left out),
the body (de-chunked, and decoded when the proxy compressed it: zlib's
bytes are not libslz's) -- or how the connection ended without a response;
and which capture server received which bytes. Cases that log compare the
log lines of a deterministic log-format too.

Each case carries expectations about the reference's answers (e.g. a deny
case answers 403 and reaches no server). A case whose reference answers do
not meet them, or whose configuration the reference refuses, is BROKEN: the
table is wrong, not ours.

Verdicts: same, DIFFERS, REFUSED (ours rejects the configuration), BROKEN.
Exit status 0 only when every case is `same`, or not `same` but named in
the allowlist file given with --allow (format: `case-name  # why`).

Placeholders in configurations: @BIND@ and @BIND2@ are 127.0.0.1:PORT
listeners; @DIR@ is the case's directory (map, pattern and error files);
@name@ (lowercase) is a capture server's 127.0.0.1:PORT.
"""
import argparse, os, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_REFERENCE = os.path.expanduser("~/.cache/proxybench/ref/usr/sbin/haproxy")
DEFAULT_CANDIDATE = os.path.join(ROOT, ".build", "debug", "haproxy")
ENV_VALUE = "production-eu"   # RULESDIFF_ENV, read by the env() fetch cases

WARNINGS = {}  # label -> the WARNING lines of the last `-c`
HOP = {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding"}


# ----------------------------------------------------------------------------
# The case model


class Req:
    """One request: raw bytes sent on a new connection to listener `to`
    (BIND or BIND2) from loopback address `src`; `expect` holds what the
    reference must answer (checked in every run, see `check_expect`)."""

    def __init__(self, data, src="127.0.0.1", to="BIND", finals=1, **expect):
        self.data = data
        self.src = src
        self.to = to
        self.finals = finals  # final responses to wait for (pipelining)
        self.expect = expect

    @property
    def head(self):
        return self.data.startswith(b"HEAD ")


class Case:
    def __init__(self, name, area, config, requests, files=None, response=None,
                 mode="http", log=None, normalize=(), experimental=False, global_extra="",
                 defaults_extra="", what="", log_expect=()):
        self.name = name
        self.area = area
        self.config = config
        self.requests = requests
        self.files = files or {}
        # bytes, or {capture name: bytes}; "@NAME@" in it is the capture's name.
        self.response = response
        self.mode = mode
        # None, or the number of log lines the reference writes for the case.
        self.log = log
        self.normalize = [(re.compile(p), r) for p, r in normalize]
        self.experimental = experimental
        self.global_extra = global_extra
        self.defaults_extra = defaults_extra
        self.what = what
        self.log_expect = log_expect

    def captures(self):
        return sorted(set(re.findall(r"@([a-z][a-z0-9_]*)@", self.config)))

    def listeners(self):
        return [b for b in ("BIND", "BIND2") if "@" + b + "@" in self.config]

    def full_config(self, ports, captures, workdir):
        text = "global\n"
        if self.log is not None:
            text += "    log stdout format raw local0 info\n"
        if self.experimental:
            text += "    expose-experimental-directives\n"
        text += self.global_extra
        text += "\ndefaults\n    mode %s\n" % self.mode
        if self.log is not None:
            text += "    log global\n"
        text += ("    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n"
                 + self.defaults_extra + "\n")
        body = self.config
        for name, port in ports.items():
            body = body.replace("@" + name + "@", "127.0.0.1:%d" % port)
        for name, cap in captures.items():
            body = body.replace("@" + name + "@", "127.0.0.1:%d" % cap.port)
        body = body.replace("@DIR@", workdir)
        return text + body + ("" if body.endswith("\n") else "\n")


def req(path="/", method="GET", host="example.com", headers=(), body=b"", version="HTTP/1.1"):
    """Request bytes: `headers` is a list of (name, value) or one string of
    `Name: value` lines; a body gets its Content-Length."""
    if isinstance(headers, str):
        headers = [tuple(x.strip() for x in line.split(":", 1)) for line in headers.strip().splitlines()]
    data = f"{method} {path} {version}\r\n".encode()
    if host is not None:
        data += b"host: " + host.encode() + b"\r\n"
    for name, value in headers:
        data += (name.encode() if isinstance(name, str) else name) + b": " + \
                (value.encode() if isinstance(value, str) else value) + b"\r\n"
    if body:
        data += b"content-length: %d\r\n" % len(body)
    return data + b"\r\n" + body


def response(status="200 OK", headers=(), body=b"ok\n"):
    """A scripted backend response; it closes the connection after it."""
    data = b"HTTP/1.1 " + status.encode() + b"\r\n"
    for name, value in headers:
        data += name.encode() + b": " + value.encode() + b"\r\n"
    if body is not None:
        data += b"content-length: %d\r\n" % len(body)
    return data + b"connection: close\r\n\r\n" + (body or b"")


DEFAULT_RESPONSE = response(headers=[("content-type", "text/plain"), ("x-served-by", "@NAME@")],
                            body=b"served by @NAME@\n")


# ----------------------------------------------------------------------------
# Capture servers


def request_complete(data):
    """Whether `data` holds a complete HTTP request by its own framing."""
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
                return True
            if n == 0:
                return body.endswith(b"\r\n\r\n")
            j = k + 2 + n + 2
            if j > len(body):
                return False
    m = re.search(rb"\ncontent-length: *(\d+)", head)
    return len(body) >= int(m.group(1)) if m else True


class CaptureServer:
    """Records each connection's bytes (HTTP: until the request is complete;
    TCP: until 150 ms pass without more), answers the scripted response and
    closes."""

    def __init__(self, name):
        self.name = name
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.response = DEFAULT_RESPONSE
        self.mode = "http"
        self.lock = threading.Condition()
        self.captured = []
        self.open = 0
        self.closed = False
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.open += 1
            threading.Thread(target=self.handle, args=(conn, self.response, self.mode), daemon=True).start()

    def handle(self, conn, resp, mode):
        data = b""
        try:
            if mode == "http":
                conn.settimeout(1.0)
                while not request_complete(data):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            else:
                conn.settimeout(1.0)
                data = conn.recv(65536)
                conn.settimeout(0.15)
                while data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        except (socket.timeout, OSError):
            pass
        try:
            conn.sendall(self.render(resp))
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(2)
            while conn.recv(65536):
                pass
        except OSError:
            pass
        conn.close()
        with self.lock:
            self.captured.append((self.name, data))
            self.open -= 1
            self.lock.notify_all()

    def render(self, resp):
        """The scripted response with @NAME@ replaced, its Content-Length
        following the body."""
        if b"@NAME@" not in resp:
            return resp
        resp = resp.replace(b"@NAME@", self.name.encode())
        head, sep, body = resp.partition(b"\r\n\r\n")
        if self.mode == "http" and sep:
            head = re.sub(rb"(?im)^(content-length:) *\d+", lambda m: m.group(1) + b" %d" % len(body), head)
        return head + sep + body

    def settle(self, deadline):
        with self.lock:
            while self.open > 0 and time.monotonic() < deadline:
                self.lock.wait(max(0.0, deadline - time.monotonic()))

    def take(self):
        with self.lock:
            out, self.captured = self.captured, []
            return out

    def close(self):
        self.sock.close()


# ----------------------------------------------------------------------------
# Client


def parse_all(data, head_request, finals):
    """Up to `finals` final responses (and the 1xx before them) in `data`:
    (list of (code, reason, headers, body), whether the last one wanted is
    complete)."""
    out = []
    for _ in range(finals):
        got, complete, data = parse_responses(data, head_request)
        out += got
        if not complete:
            return out, False
    return out, True


def parse_responses(data, head_request):
    """The responses in `data` up to the first final one: a list of
    (code, reason, headers, body), whether that final one is complete, and
    the bytes after it."""
    out = []
    while True:
        i = data.find(b"\r\n\r\n")
        if i < 0:
            return out, False, data
        lines = data[:i].split(b"\r\n")
        status = lines[0].split(b" ", 2)
        code = status[1] if len(status) > 1 else b""
        reason = status[2] if len(status) > 2 else b""
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers.append((name.strip().lower(), value.strip()))
        rest = data[i + 4:]
        hmap = dict(headers)
        if code.startswith(b"1") and code != b"101":
            out.append((code, reason, headers, b""))
            data = rest
            continue
        if head_request or code in (b"204", b"304"):
            out.append((code, reason, headers, b""))
            return out, True, rest
        if b"chunked" in hmap.get(b"transfer-encoding", b"").lower():
            body, j = b"", 0
            while True:
                k = rest.find(b"\r\n", j)
                if k < 0:
                    return out, False, data
                try:
                    n = int(rest[j:k].split(b";")[0], 16)
                except ValueError:
                    out.append((code, reason, headers, body + b"<bad chunk>"))
                    return out, True, b""
                if n == 0:
                    if not rest.endswith(b"\r\n\r\n") and rest[k + 2:k + 4] != b"\r\n":
                        return out, False, data
                    out.append((code, reason, headers, body))
                    return out, True, b""
                if len(rest) < k + 2 + n + 2:
                    return out, False, data
                body += rest[k + 2:k + 2 + n]
                j = k + 2 + n + 2
        if b"content-length" in hmap:
            try:
                n = int(hmap[b"content-length"])
            except ValueError:
                n = 0
            if len(rest) < n:
                return out, False, data
            out.append((code, reason, headers, rest[:n]))
            return out, True, rest[n:]
        # Delimited by the close.
        out.append((code, reason, headers, rest))
        return out, False, data


def exchange(port, request, mode, timeout=4.0):
    """Sends `request` and reads until a final response is complete (HTTP)
    or the connection ends (TCP). Returns (raw bytes, how it ended)."""
    conn = socket.socket()
    conn.settimeout(timeout)
    got, ended = b"", "closed"
    try:
        conn.bind((request.src, 0))
        conn.connect(("127.0.0.1", port))
        conn.sendall(request.data)
        while True:
            if mode == "http":
                _, complete = parse_all(got, request.head, request.finals)
                if complete:
                    ended = "complete"
                    break
            chunk = conn.recv(65536)
            if not chunk:
                break
            got += chunk
    except socket.timeout:
        ended = "timeout"
    except ConnectionResetError:
        ended = "reset" if not got else "closed"
    except OSError as e:
        ended = "error: %s" % e.strerror
    conn.close()
    return got, ended


def outcome(got, ended, request, mode, normalize):
    """The comparable view of one exchange."""
    for pattern, repl in normalize:
        got = pattern.sub(repl, got)
    if mode != "http":
        return ("tcp", got, ended if ended in ("timeout",) else "ended")
    responses, complete = parse_all(got, request.head, request.finals)
    view = []
    for code, reason, headers, body in responses:
        view.append((code, reason, tuple((n, v) for n, v in headers if n not in HOP), decoded(headers, body)))
    if not responses:
        # A reset and a close are both "no response" to a user agent.
        return ("no response", got, "timeout" if ended == "timeout" else "closed")
    return ("http", tuple(view), "incomplete" if not complete and ended != "closed" else "ok")


# ----------------------------------------------------------------------------
# Running one proxy


def listening(port):
    """Whether 127.0.0.1:port (or any address) is in LISTEN state."""
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if len(f) > 3 and f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def first_alert(text):
    for line in text.splitlines():
        if "ALERT" in line:
            return re.sub(r"^\[ALERT\] *\(\d+\) *: *", "", line.strip())
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[0] if lines else "(no message)"


def run_side(binary, case, cfg, workdir, ports, captures, label):
    """Runs one proxy through the case. Returns ("refused", alert) or
    ("ran", [outcomes], [captured per request], [log lines], stderr)."""
    env = dict(os.environ, RULESDIFF_ENV=ENV_VALUE)
    check = subprocess.run([binary, "-c", "-f", cfg], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, env=env, timeout=60)
    if check.returncode != 0:
        return ("refused", first_alert(check.stdout.decode(errors="replace")))
    WARNINGS[label] = [l for l in check.stdout.decode(errors="replace").splitlines() if "WARNING" in l]
    out_path = os.path.join(workdir, label + ".stdout")
    err_path = os.path.join(workdir, label + ".stderr")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([binary, "-db", "-f", cfg], stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 15
        for name in case.listeners():
            while not listening(ports[name]):
                if proc.poll() is not None:
                    return ("refused", "exited at start-up: " + first_alert(open(err_path, errors="replace").read()))
                if time.monotonic() > deadline:
                    return ("refused", "did not listen within 15s")
                time.sleep(0.01)
        outcomes, captured = [], []
        for r in case.requests:
            got, ended = exchange(ports[r.to], r, case.mode)
            settle = time.monotonic() + 3
            for cap in captures.values():
                cap.settle(settle)
            outcomes.append(outcome(got, ended, r, case.mode, case.normalize))
            seen = []
            for cap in captures.values():
                for name, data in cap.take():
                    for pattern, repl in case.normalize:
                        data = pattern.sub(repl, data)
                    seen.append((name, data))
            captured.append(tuple(sorted(seen)))
        logs = []
        if case.log is not None:
            # Bounded wait for the lines the reference writes: a stream logs
            # when it ends, just after its client got the answer.
            deadline = time.monotonic() + 2
            while True:
                logs = [l for l in open(out_path, "rb").read().splitlines() if l.strip()]
                if len(logs) >= case.log or time.monotonic() > deadline:
                    break
                time.sleep(0.01)
            logs = [norm(l, case.normalize) for l in logs]
        return ("ran", outcomes, captured, logs)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for cap in captures.values():
            cap.take()


def norm(data, normalize):
    for pattern, repl in normalize:
        data = pattern.sub(repl, data)
    return data


# ----------------------------------------------------------------------------
# Expectations on the reference


def decoded(headers, body):
    """A body the proxy compressed, decoded and marked with its encoding:
    the encoders' bytes differ (2.6 embeds libslz, ours is zlib), what
    they encode must not."""
    encodings = [v.lower() for n, v in headers if n == b"content-encoding"]
    if not encodings or encodings[-1] not in (b"gzip", b"deflate"):
        return body
    try:
        if encodings[-1] == b"gzip":
            return b"[gzip] " + zlib.decompress(body, 31)
        try:
            return b"[deflate] " + zlib.decompress(body)
        except zlib.error:
            return b"[raw deflate] " + zlib.decompress(body, -15)
    except zlib.error as e:
        return b"[undecodable %s: %s] " % (encodings[-1], str(e).encode()) + body


def header(view_response, name):
    values = [v for n, v in view_response[2] if n == name.lower().encode()]
    return values


def check_expect(case, result):
    """Problems with the reference's answers against the case's claims."""
    problems = []
    _, outcomes, captured, logs = result
    for i, (r, o, cap) in enumerate(zip(case.requests, outcomes, captured)):
        e = r.expect
        where = "request %d" % (i + 1)
        final = o[1][-1] if o[0] == "http" and o[1] else None
        if "status" in e:
            got = int(final[0]) if final is not None else None
            if got != e["status"]:
                problems.append(f"{where}: status {got}, expected {e['status']}")
        if "interim" in e:
            codes = [int(x[0]) for x in o[1][:-1]] if o[0] == "http" else []
            if codes != e["interim"]:
                problems.append(f"{where}: interim {codes}, expected {e['interim']}")
        if e.get("noresponse") and not (o[0] == "no response" or (o[0] == "tcp" and not o[1])):
            problems.append(f"{where}: expected no response, got {o[0]}")
        if "server" in e:
            names = [n for n, _ in cap]
            want = [] if e["server"] is None else [e["server"]]
            if names != want:
                problems.append(f"{where}: reached {names}, expected {want}")
        for name, value in e.get("hdr", {}).items():
            got = header(final, name) if final is not None else []
            if value is None:
                if got:
                    problems.append(f"{where}: response has {name}: {got}")
            elif not any(re.search(value.encode(), v) for v in got):
                problems.append(f"{where}: response {name} {got} does not match {value!r}")
        if "answer" in e:
            body = final[3] if final is not None else (o[1] if o[0] != "http" else b"")
            if not re.search(e["answer"].encode(), body):
                problems.append(f"{where}: body {body[:80]!r} does not match {e['answer']!r}")
        seen = b"".join(d for _, d in cap)
        for pat in e.get("srv", []):
            if not re.search(pat.encode(), seen):
                problems.append(f"{where}: server bytes lack /{pat}/: {seen[:300]!r}")
        for pat in e.get("nosrv", []):
            if re.search(pat.encode(), seen):
                problems.append(f"{where}: server bytes have /{pat}/")
    if case.log is not None:
        if len(logs) != case.log:
            problems.append(f"{len(logs)} log lines, expected {case.log}: {logs}")
        for pat in case.log_expect:
            if not any(re.search(pat.encode(), l) for l in logs):
                problems.append(f"logs lack /{pat}/: {logs}")
    return problems


# ----------------------------------------------------------------------------
# Reporting


def show_outcome(o, cap, indent="      "):
    lines = []
    if o[0] == "http":
        for code, reason, headers, body in o[1]:
            lines.append(f"{indent}< {code.decode()} {reason.decode(errors='replace')}")
            for n, v in headers:
                lines.append(f"{indent}< {n.decode(errors='replace')}: {v.decode(errors='replace')}")
            if body:
                lines.append(f"{indent}< body {body[:200]!r}{'...' if len(body) > 200 else ''}")
        if o[2] != "ok":
            lines.append(f"{indent}< ({o[2]})")
    elif o[0] == "tcp":
        lines.append(f"{indent}< tcp {o[1][:200]!r} ({o[2]})")
    else:
        lines.append(f"{indent}< no response ({o[2]}) {o[1][:100]!r}")
    if not cap:
        lines.append(f"{indent}> no server reached")
    for name, data in cap:
        lines.append(f"{indent}> {name} got {data[:600]!r}{'...' if len(data) > 600 else ''}")
    return lines


def diff_lines(case, ref, ours):
    lines = []
    _, ro, rc, rl = ref
    _, oo, oc, ol = ours
    for i, r in enumerate(case.requests):
        if ro[i] != oo[i] or rc[i] != oc[i]:
            lines.append(f"    request {i + 1}: {r.data[:160]!r}")
            lines.append("      reference:")
            lines += show_outcome(ro[i], rc[i], "        ")
            lines.append("      ours:")
            lines += show_outcome(oo[i], oc[i], "        ")
    if rl != ol:
        lines.append("    logs, reference: %r" % rl)
        lines.append("    logs, ours:      %r" % ol)
    return lines


def load_allow(path):
    allowed = {}
    if not path:
        return allowed
    for line in open(path):
        text, _, why = line.partition("#")
        if text.strip():
            allowed[text.strip()] = why.strip()
    return allowed


def default_signal_handling():
    """Signal dispositions and mask as a shell gives a daemon it starts: a
    parent (XCTest, CI) may leave signals ignored or blocked, and a child
    inherits both across exec. Called before any thread starts; the proxies
    are forked from this thread."""
    for name in ("SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGQUIT", "SIGPIPE", "SIGTTOU", "SIGTTIN"):
        sig = getattr(signal, name)
        if signal.getsignal(sig) == signal.SIG_IGN or name == "SIGPIPE":
            signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def main():
    default_signal_handling()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--candidate", default=DEFAULT_CANDIDATE, help="our haproxy (default .build/debug/haproxy)")
    ap.add_argument("--reference", default=os.environ.get("HAPROXY_REFERENCE", DEFAULT_REFERENCE))
    ap.add_argument("--only", action="append", default=[], help="run only this case (repeatable; a trailing * is a prefix)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--reference-only", action="store_true", help="run only the reference and print its answers")
    ap.add_argument("--allow", help="allowlist of known differences: `name  # why` per line")
    ap.add_argument("--verbose", action="store_true", help="print the reference's answers for every case")
    args = ap.parse_args()

    cases = CASES
    if args.only:
        def chosen(c):
            return any(c.name == o or (o.endswith("*") and c.name.startswith(o[:-1])) for o in args.only)
        cases = [c for c in cases if chosen(c)]
        if not cases:
            sys.exit("no case named %s" % ", ".join(args.only))
    if args.list:
        areas = {}
        for c in cases:
            print(f"{c.name:40} {c.area:14} {c.what}")
            areas[c.area] = areas.get(c.area, 0) + 1
        print(f"{len(cases)} cases: " + ", ".join(f"{a} {n}" for a, n in areas.items()))
        return 0
    for path in [args.reference] + ([] if args.reference_only else [args.candidate]):
        if not os.access(path, os.X_OK):
            sys.exit(f"not an executable: {path}")
    allowed = load_allow(args.allow)

    started = time.monotonic()
    counts = {"same": 0, "DIFFERS": 0, "REFUSED": 0, "BROKEN": 0}
    failing, refusals = [], []
    root = tempfile.mkdtemp(prefix="rules-diff-")
    for case in cases:
        workdir = os.path.join(root, case.name)
        os.makedirs(workdir)
        for fname, content in case.files.items():
            if isinstance(content, str):
                content = content.replace("@DIR@", workdir).encode()
            with open(os.path.join(workdir, fname), "wb") as f:
                f.write(content)
        captures = {n: CaptureServer(n) for n in case.captures()}
        for cap in captures.values():
            cap.mode = "http" if case.mode == "http" else "tcp"
            if isinstance(case.response, dict):
                cap.response = case.response.get(cap.name, DEFAULT_RESPONSE)
            elif case.response is not None:
                cap.response = case.response
            elif case.mode != "http":
                cap.response = b"served by @NAME@\n"
        ports = {b: free_port() for b in ("BIND", "BIND2")}
        cfg = os.path.join(workdir, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write(case.full_config(ports, captures, workdir))
        try:
            ref = run_side(args.reference, case, cfg, workdir, ports, captures, "reference")
            if ref[0] == "refused":
                verdict, detail = "BROKEN", ["    the reference refuses the configuration: " + ref[1]]
            else:
                problems = check_expect(case, ref)
                if problems:
                    verdict, detail = "BROKEN", ["    the reference does not answer as the case claims:"] + \
                        ["      " + p for p in problems]
                elif args.reference_only:
                    verdict, detail = "same", []
                else:
                    ours = run_side(args.candidate, case, cfg, workdir, ports, captures, "ours")
                    if ours[0] == "refused":
                        verdict, detail = "REFUSED", ["    " + ours[1]]
                        refusals.append((case.name, ours[1]))
                    elif ours[1:] == ref[1:]:
                        verdict, detail = "same", []
                    else:
                        verdict, detail = "DIFFERS", diff_lines(case, ref, ours)
        finally:
            for cap in captures.values():
                cap.close()
        counts[verdict] += 1
        label = verdict if not args.reference_only or verdict == "BROKEN" else "reference"
        note = ""
        if verdict != "same":
            if case.name in allowed:
                note = "  (allowed: %s)" % allowed[case.name]
            else:
                failing.append(case.name)
        print(f"{label:8} {case.name}  [{case.area}] {case.what}{note}", flush=True)
        for line in detail:
            print(line)
        if (args.reference_only or args.verbose) and ref[0] == "ran":
            for line in WARNINGS.get("reference", []):
                print("    reference " + line.strip())
            for i, r in enumerate(case.requests):
                print(f"    request {i + 1} from {r.src}: {r.data[:200]!r}")
                for line in show_outcome(ref[1][i], ref[2][i]):
                    print(line)
            for line in ref[3]:
                print(f"    log: {line.decode(errors='replace')}")
        sys.stdout.flush()

    elapsed = time.monotonic() - started
    print()
    if refusals:
        print("refusal reasons (ours):")
        groups = {}
        for name, why in refusals:
            key = re.sub(r"^(config *: *)?parsing \[[^\]]*\] *: *", "", why)
            key = key.replace(root, "<dir>")

            def keyword_only(m):
                words = []
                for w in m.group(1).split():
                    w = w.split("(")[0]
                    if not re.match(r"^[a-z][a-z_.-]*$", w):
                        break
                    words.append(w)
                return "'" + (" ".join(words) or m.group(1)) + "'"
            key = re.sub(r"'([^']*)'", keyword_only, key)
            groups.setdefault(key, []).append(name)
        for key, names in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            print(f"  {len(names):3} {key}")
        print()
    if args.reference_only:
        print(f"rules differential (reference only): {len(cases)} cases, {counts['BROKEN']} broken, {elapsed:.1f}s")
    else:
        print(f"rules differential: {len(cases)} cases: {counts['same']} same, {counts['DIFFERS']} differ, "
              f"{counts['REFUSED']} refused, {counts['BROKEN']} broken; {len(failing)} not allowed; {elapsed:.1f}s")
    if failing:
        print("not same: " + " ".join(failing))
        print(f"the cases' configurations and logs are kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failing else 0


# ----------------------------------------------------------------------------
# The table

# ----------------------------------------------------------------------------
# The table
#
# Each case names its area; `G(...)` is a GET (or any method) on a new
# connection, `RAW(bytes)` any bytes. Their other keywords are what the
# reference must answer: status, server (capture name, None for none), hdr
# {name: regex, or None for absent}, answer (regex on the body), srv and
# nosrv (regexes on the bytes the server got), noresponse, interim (codes of
# the 1xx answers). `finals=N` waits for N final responses on the
# connection (pipelined requests).

CASES = []


def case(name, area, config, requests, **kw):
    CASES.append(Case(name, area, config, requests, **kw))


def G(path="/", method="GET", host="example.com", headers=(), body=b"", version="HTTP/1.1",
      src="127.0.0.1", to="BIND", **expect):
    return Req(req(path, method, host, headers, body, version), src=src, to=to, **expect)


def RAW(data, src="127.0.0.1", to="BIND", **expect):
    return Req(data, src=src, to=to, **expect)


def site(rules, backends=("app",), default="app", extra="", name="www"):
    """A frontend on @BIND@ with `rules` (one per line), a default backend
    and one capture server per backend."""
    text = f"frontend {name}\n    bind @BIND@\n"
    for line in rules.strip("\n").splitlines():
        if line.strip():
            text += "    " + line.strip() + "\n"
    if default:
        text += f"    default_backend {default}\n"
    for b in backends:
        text += f"\nbackend {b}\n    server {b}1 @{b}@\n"
    return text + extra


def client_hello(sni):
    """A real TLS ClientHello (with SNI `sni`, or none), made by python's ssl
    module against memory BIOs; made once, so both proxies get the same."""
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=sni)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def sha512_crypt(password, salt):
    """A `$6$` crypt(3) hash: python's crypt, else `openssl passwd -6`."""
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import crypt
        return crypt.crypt(password, "$6$" + salt)
    except ImportError:
        return subprocess.run(["openssl", "passwd", "-6", "-salt", salt, password],
                              stdout=subprocess.PIPE, check=True).stdout.decode().strip()


def basic(user, password):
    import base64
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def hv(name, value):
    """Regex for header `name: value` as the server gets it (names lowercase)."""
    return r"\r\n" + re.escape(name.lower()) + r": " + re.escape(value) + r"\r\n"


# ---- ACLs: match methods and flags ------------------------------------------

case("acl_m_str", "acl", site("""
acl admin path -m str /admin
http-request deny if admin
"""), [G("/admin", status=403, server=None), G("/admin/", status=200, server="app"),
       G("/ADMIN", status=200, server="app")], what="-m str is exact and case-sensitive")

case("acl_m_str_i", "acl", site("""
acl api_host hdr(host) -i -m str API.example.com
use_backend api if api_host
""", backends=("app", "api")), [G(host="api.EXAMPLE.com", server="api"), G(host="api.example.com:80", server="app"),
                                G(host="www.example.com", server="app")], what="-i on an exact host match")

case("acl_m_beg", "acl", site("""
use_backend static if { path -m beg /static/ /images/ /favicon }
""", backends=("app", "static")), [G("/static/app.css", server="static"), G("/images", server="app"),
                                   G("/favicon.ico?v=2", server="static"), G("/Static/x", server="app")],
     what="-m beg, several patterns")

case("acl_m_end_i", "acl", site("""
acl is_image path -m end -i .jpg .png .gif
use_backend static if is_image
""", backends=("app", "static")), [G("/a/B.JPG", server="static"), G("/a.jpg?x=1", server="static"),
                                   G("/a.jpgx", server="app"), G("/png", server="app")], what="-m end -i")

case("acl_m_sub", "acl", site("""
http-request deny deny_status 403 if { req.hdr(user-agent) -m sub -i bot crawler spider }
"""), [G(headers="User-Agent: Mozilla/5.0 (compatible; Googlebot/2.1)", status=403, server=None),
       G(headers="User-Agent: Mozilla/5.0 (X11; Linux x86_64)", status=200), G(status=200),
       G(headers="User-Agent: WebCRAWLER", status=403)], what="-m sub -i on user-agent")

case("acl_m_reg", "acl", site(r"""
use_backend api if { path -m reg ^/api/v[0-9]+/ }
""", backends=("app", "api")), [G("/api/v2/users", server="api"), G("/api/vx/", server="app"),
                                G("/API/V1/x", server="app"), G("/x/api/v1/", server="app")], what="-m reg")

case("acl_m_reg_i", "acl", site(r"""
acl legacy path -i -m reg ^/(old|legacy)/.*\.(asp|cgi)$
http-request deny deny_status 410 if legacy
"""), [G("/OLD/index.ASP", status=410), G("/legacy/a/b.cgi", status=410), G("/legacy/a.cgi/x", status=200)],
     what="-m reg -i with alternation and escaped dot")

case("acl_m_dir", "acl", site("""
use_backend api if { path -m dir api }
""", backends=("app", "api")), [G("/v1/api/users", server="api"), G("/api", server="api"), G("/apix", server="app"),
                                G("/x/api", server="api"), G("/v1/apis/x", server="app")], what="-m dir")

case("acl_m_dom", "acl", site("""
acl our_domain hdr(host) -m dom example.com
http-request deny deny_status 404 unless our_domain
"""), [G(host="www.example.com", status=200), G(host="example.com", status=200), G(host="badexample.com", status=404),
       G(host="example.com.evil.net"), G(host="www.example.com:8080"), G(host="EXAMPLE.COM")], what="-m dom")

case("acl_m_found", "acl", site("""
http-request deny deny_status 401 unless { req.hdr(x-api-key) -m found }
"""), [G(headers="X-Api-Key: k1", status=200), G(status=401, server=None), G(headers=[("X-Api-Key", "")])],
     what="-m found, empty header")

case("acl_m_len", "acl", site("""
http-request deny status 414 content-type text/plain string "URI too long" if { path -m len gt 20 }
http-request set-header x-short 1 if { query -m len 0:3 }
"""), [G("/" + "a" * 30, status=414), G("/" + "a" * 19 + "?ab", status=200, srv=[hv("x-short", "1")]),
       G("/short?abcdef", status=200, nosrv=["x-short"])], what="-m len with operator and range")

case("acl_m_int", "acl", site("""
use_backend api if { req.hdr_val(x-api-version) ge 2 }
acl mid req.hdr_val(x-n) 10:20
http-request set-header x-mid 1 if mid
""", backends=("app", "api")), [G(headers="X-Api-Version: 3", server="api"), G(headers="X-Api-Version: 1", server="app"),
                                G(headers="X-Api-Version: abc"), G(headers="X-N: 15", srv=[hv("x-mid", "1")]),
                                G(headers="X-N: 21", nosrv=["x-mid"])], what="integer match, ge and range")

case("acl_m_ip_src", "acl", site("""
acl trusted src 127.0.0.2 10.0.0.0/8 192.168.0.0/16
http-request deny if { path_beg /admin } !trusted
"""), [G("/admin/", status=403), G("/admin/", src="127.0.0.2", status=200), G("/home", status=200)],
     what="src -m ip list from two client addresses")

case("acl_m_ip_hdr", "acl", site("""
acl from_office req.hdr_ip(x-forwarded-for,-1) -m ip 192.168.0.0/16 2001:db8::/32
http-request set-header x-office yes if from_office
"""), [G(headers="X-Forwarded-For: 10.1.1.1, 192.168.4.5", srv=[hv("x-office", "yes")]),
       G(headers="X-Forwarded-For: 192.168.1.1, 8.8.8.8", nosrv=["x-office"]),
       G(headers="X-Forwarded-For: garbage", nosrv=["x-office"]), G(headers="X-Forwarded-For: 2001:db8::1")],
     what="hdr_ip last occurrence, v4 and v6 networks")

case("acl_file_comments", "acl", site("""
http-request deny if { path -m beg -f @DIR@/blocked.lst }
"""), [G("/wp-admin/install.php", status=403), G("/xmlrpc.php", status=403), G("/.env"),
       G("/cgi-bin/test"), G("/index.html", status=200)],
     files={"blocked.lst": "# blocked paths, one per line\n/wp-admin\n/xmlrpc.php\n\n   # indented comment\n"
                           "   /.env   \n/cgi-bin/  # legacy\n"},
     what="-f pattern file with comments, blanks, spaces, a '#' inside a line")

case("acl_file_ips", "acl", site("""
acl allowed src -f @DIR@/allow.lst
http-request deny unless allowed
"""), [G(status=403), G(src="127.0.0.2", status=200), G(src="127.0.0.9", status=200)],
     files={"allow.lst": "# office and VPN\n127.0.0.2\n127.0.0.8/31\n\n10.0.0.0/8\n"}, what="src -f file of addresses")

case("acl_flag_n", "acl", site("""
acl lb src -n -f @DIR@/lb.lst
acl local src -n 127.0.0.3
http-request set-header x-from-lb 1 if lb || local
"""), [G(src="127.0.0.4", srv=[hv("x-from-lb", "1")]), G(src="127.0.0.3", srv=[hv("x-from-lb", "1")]),
       G(nosrv=["x-from-lb"])], files={"lb.lst": "127.0.0.4\n"}, what="-n (no DNS) with -f and inline")

case("acl_flag_dashdash", "acl", site("""
acl negative req.hdr(x-version) -m str -- -1 -2
http-request deny deny_status 400 if negative
"""), [G(headers="X-Version: -1", status=400), G(headers="X-Version: 1", status=200),
       G(headers="X-Version: -2", status=400)], what="-- before patterns that start with a dash")

case("acl_multi_lines_or", "acl", site("""
acl bad_path path_beg /wp-admin
acl bad_path path_beg /phpmyadmin
acl bad_path path_end .php
http-request deny if bad_path
"""), [G("/phpmyadmin/index", status=403), G("/x.php", status=403), G("/wp-admin", status=403), G("/ok", status=200)],
     what="one ACL name on several lines is their OR")

case("acl_and_or_not", "acl", site("""
acl is_post method POST
acl has_token req.hdr(x-csrf-token) -m found
acl is_api path_beg /api/
http-request deny deny_status 403 if is_post !has_token is_api || { path_beg /debug }
"""), [G("/api/x", method="POST", body=b"a=1", status=403), G("/api/x", method="POST", body=b"a=1",
       headers="X-CSRF-Token: t", status=200), G("/api/x", status=200), G("/debug/vars", status=403),
       G("/other", method="POST", body=b"x", status=200)], what="AND, OR, negation and an anonymous ACL")

case("acl_unless_method", "acl", site("""
http-request deny deny_status 405 unless { method GET HEAD OPTIONS }
"""), [G(status=200), G(method="DELETE", status=405), G(method="HEAD", status=200), G(method="get", status=405),
       G(method="PURGE", status=405)], what="unless with a method list")

case("acl_predefined", "acl", site("""
http-request set-header x-post 1 if METH_POST
http-request set-header x-http10 1 if HTTP_1.0
http-request set-header x-http11 1 if HTTP_1.1
http-request set-header x-abs 1 if HTTP_URL_ABS
http-request set-header x-slash 1 if HTTP_URL_SLASH
http-request set-header x-star 1 if HTTP_URL_STAR
http-request set-header x-local 1 if LOCALHOST
http-request set-header x-content 1 if HTTP_CONTENT
http-request set-header x-true 1 if TRUE
http-request set-header x-false 1 if FALSE
http-request set-header x-options 1 if METH_OPTIONS
http-request set-header x-get 1 if METH_GET
"""), [G("/f", method="POST", body=b"k=v", srv=[hv("x-post", "1"), hv("x-content", "1")]),
       G("/", version="HTTP/1.0", srv=[hv("x-http10", "1")]), G("http://example.com/abs", srv=[hv("x-abs", "1")]),
       G("/x", src="127.0.0.2", srv=[hv("x-local", "1"), hv("x-true", "1")], nosrv=["x-false"]),
       G("*", method="OPTIONS", srv=[hv("x-options", "1")]), G("/", method="HEAD")],
     what="predefined ACLs")

case("acl_predefined_connect", "acl", site("""
http-request deny if METH_CONNECT
"""), [G("example.com:443", method="CONNECT", host="example.com:443", status=403), G(status=200)],
     what="METH_CONNECT")

case("acl_derived_fetches", "acl", site(r"""
http-request set-header x-m1 1 if { hdr_beg(host) -i www. }
http-request set-header x-m2 1 if { hdr_end(host) -i .org }
http-request set-header x-m3 1 if { hdr_sub(user-agent) Firefox }
http-request set-header x-m4 1 if { hdr_reg(host) ^[a-z]+\.example\.com$ }
http-request set-header x-m5 1 if { url_beg /shop }
http-request set-header x-m6 1 if { path_sub /cart/ }
http-request set-header x-m7 1 if { url_param(lang) -m str fr de }
http-request set-header x-m8 1 if { path_dir checkout }
http-request set-header x-m9 1 if { hdr_dom(host) example.org }
http-request set-header x-m10 1 if { url_sub promo }
"""), [G("/shop/cart/checkout?lang=fr&promo=1", host="www.example.org", headers="User-Agent: Firefox/120",
         srv=[hv("x-m1", "1"), hv("x-m2", "1"), hv("x-m3", "1"), hv("x-m5", "1"), hv("x-m6", "1"), hv("x-m7", "1"),
              hv("x-m8", "1"), hv("x-m9", "1"), hv("x-m10", "1")]),
       G("/cart?lang=en", host="shop.example.com", srv=[hv("x-m4", "1")], nosrv=["x-m1", "x-m7"])],
     what="the _beg/_end/_sub/_reg/_dir/_dom derived fetches")

case("acl_case_default", "acl", site("""
acl adm path /Admin
http-request deny if adm
"""), [G("/Admin", status=403), G("/admin", status=200)], what="matching is case-sensitive by default")

case("acl_hdr_comma_split", "acl", site("""
http-request set-header x-html 1 if { hdr(accept) -m str text/html }
http-request set-header x-html-full 1 if { req.fhdr(accept) -m str text/html }
"""), [G(headers="Accept: application/json, text/html", srv=[hv("x-html", "1")], nosrv=["x-html-full"]),
       G(headers="Accept: text/html", srv=[hv("x-html", "1"), hv("x-html-full", "1")])],
     what="hdr() splits on commas, fhdr() does not")

case("acl_missing_host", "acl", site("""
http-request deny deny_status 400 unless { req.hdr(host) -m found }
"""), [G(host=None, version="HTTP/1.0", status=400), G(status=200)], what="HTTP/1.0 without Host")

case("acl_m_bool_int_fetch", "acl", site("""
http-request set-header x-has-cookie 1 if { req.hdr_cnt(cookie) -m bool }
http-request set-header x-two-cookies 1 if { req.hdr_cnt(cookie) 2 }
"""), [G(headers="Cookie: a=1\nCookie: b=2", srv=[hv("x-has-cookie", "1"), hv("x-two-cookies", "1")]),
       G(nosrv=["x-has-cookie"])], what="-m bool and integer equality on a count")

case("acl_ip_v6_and_mapped", "acl", site("""
acl net src 127.0.0.0/24 ::ffff:127.0.0.6/128
http-request set-header x-net 1 if net
"""), [G(srv=[hv("x-net", "1")]), G(src="127.0.1.1", nosrv=["x-net"]), G(src="127.0.0.6", srv=[hv("x-net", "1")])],
     what="IPv4 and IPv4-mapped IPv6 patterns against a v4 source")


# ---- Sample fetches (shown to the server through set-header) ---------------

case("fetch_request_line", "fetch", site("""
http-request set-header x-method %[method]
http-request set-header x-path %[path]
http-request set-header x-pathq %[pathq]
http-request set-header x-url %[url]
http-request set-header x-base %[base]
http-request set-header x-query %[query]
http-request set-header x-ver %[req.ver]
"""), [G("/a/b?x=1&y=2", srv=[hv("x-path", "/a/b"), hv("x-query", "x=1&y=2"), hv("x-base", "example.com/a/b")]),
       G("http://Example.com:8080/p?q", host="Example.com:8080"), G("/nq"), G("/e?"), G("/h", method="HEAD"),
       G("/old", version="HTTP/1.0", srv=[hv("x-ver", "1.0")])],
     what="method path pathq url base query req.ver, origin and absolute forms")

case("fetch_url_param", "fetch", site("""
http-request set-header x-q %[url_param(q)]
http-request set-header x-lang %[urlp(lang)]
http-request set-header x-id %[url_param(id)]
http-request set-header x-semi %[url_param(a,;)]
http-request set-header x-empty %[url_param(e)]
"""), [G("/search?q=haproxy+rules&lang=en&id=1&id=2&e=", srv=[hv("x-q", "haproxy+rules"), hv("x-lang", "en")]),
       G("/m;a=7;b=8"), G("/p?Q=upper&q=%41"), G("/noquery")], what="url_param, urlp, repeated and ; delimited")

case("fetch_hdr_occurrences", "fetch", site("""
http-request set-header x-first %[req.hdr(x-forwarded-for,1)]
http-request set-header x-last %[req.hdr(x-forwarded-for,-1)]
http-request set-header x-second-last %[req.hdr(x-forwarded-for,-2)]
http-request set-header x-cnt %[req.hdr_cnt(x-forwarded-for)]
http-request set-header x-fcnt %[req.fhdr_cnt(x-forwarded-for)]
http-request set-header x-ua-full %[req.fhdr(user-agent)]
http-request set-header x-ua %[req.hdr(user-agent)]
"""), [G(headers="X-Forwarded-For: 1.1.1.1, 2.2.2.2\nUser-Agent: Mozilla/5.0 (X11, Linux)\nX-Forwarded-For: 3.3.3.3",
         srv=[hv("x-first", "1.1.1.1"), hv("x-last", "3.3.3.3"), hv("x-cnt", "3"), hv("x-fcnt", "2")]),
       G()], what="hdr occurrences, hdr_cnt vs fhdr_cnt, fhdr keeps commas")

case("fetch_hdr_ip_val", "fetch", site("""
http-request set-header x-ip %[req.hdr_ip(x-real-ip)]
http-request set-header x-num %[req.hdr_val(x-num)]
http-request set-header x-ip-port %[req.hdr_ip(x-peer)]
"""), [G(headers="X-Real-IP: 192.0.2.7\nX-Num: 42\nX-Peer: 198.51.100.1:8080", srv=[hv("x-ip", "192.0.2.7"), hv("x-num", "42")]),
       G(headers="X-Real-IP: 2001:db8::5\nX-Num: -3"), G(headers="X-Real-IP: not-an-ip\nX-Num: 12abc")],
     what="hdr_ip (v4, v6, with port, garbage), hdr_val")

case("fetch_cookies", "fetch", site("""
http-request set-header x-session %[req.cook(session)]
http-request set-header x-session-cnt %[req.cook_cnt(session)]
http-request set-header x-n %[req.cook_val(n)]
http-request set-header x-theme %[cook(theme)]
http-request set-header x-all-cnt %[req.cook_cnt]
"""), [G(headers="Cookie: session=abc; theme=dark\nCookie: session=def; n=42",
         srv=[hv("x-session-cnt", "2"), hv("x-theme", "dark"), hv("x-n", "42")]),
       G(headers='Cookie: theme="quoted value"; session='), G()], what="cook, cook_cnt, cook_val over two Cookie headers")

case("fetch_names", "fetch", site("""
http-request set-header x-fe %[fe_name]
http-request set-header x-nbsrv %[nbsrv(app)]
http-request set-header x-env %[env(RULESDIFF_ENV)]
http-request set-header x-noenv %[env(RULESDIFF_UNSET)]
http-request set-header x-str %[str(hello)]
http-request set-header x-int %[int(42)]
http-request set-header x-bool %[bool(1)]
""", backends=(), extra="""
backend app
    http-request set-header x-be %[be_name]
    server app1 @app@
    server app2 127.0.0.1:9 disabled
"""), [G(srv=[hv("x-fe", "www"), hv("x-be", "app"), hv("x-nbsrv", "1"), hv("x-env", ENV_VALUE),
              hv("x-str", "hello"), hv("x-int", "42")])], what="fe_name be_name nbsrv env str int bool")

case("fetch_src_dst", "fetch", site("""
http-request set-header x-src %[src]
http-request set-header x-dst %[dst]
http-request set-header x-dport %[dst_port]
http-request set-header x-fe-id %[fe_id]
"""), [G(src="127.0.0.3", srv=[hv("x-src", "127.0.0.3"), hv("x-dst", "127.0.0.1")])], what="src dst dst_port fe_id")

case("fetch_vars", "fetch", site("""
http-request set-var(txn.host) req.hdr(host),lower
http-request set-var(req.n) int(7)
http-request set-var(sess.user) req.hdr(x-user) if { req.hdr(x-user) -m found }
http-request set-header x-host %[var(txn.host)]
http-request set-header x-n %[var(req.n)]
http-request set-header x-user %[var(sess.user)]
http-request set-header x-missing %[var(txn.nope)]
http-response set-header x-host-back %[var(txn.host)]
http-response set-header x-req-back %[var(req.n)]
"""), [G(host="WWW.Example.com", headers="X-User: ann", srv=[hv("x-host", "www.example.com"), hv("x-n", "7")],
         hdr={"x-host-back": "^www.example.com$"})], what="txn/req/sess variables, scope seen by the response")

case("log_variables_in_rules", "format", site("""
http-request set-header x-a "%ci|%fi|%f|%ft|%b|%s|%H|%ST|%HM|%HU|%HV|%r|%HP|%HQ|%{+Q}r"
http-request set-header x-b "%rt|%ID|%B|%U|%ac|%fc|%bc|%sc|%rc|%tsc|%hr|%hs|%sslv|%Tq|%TR|%Tw|%Tc|%Tr|%sq|%bq|%si|%sp|%bi|%bp|%CC|%CS"
http-request set-header x-c "%{+X}o %ci:%cp|%fi|%rt"
http-request set-header x-pid %pid
http-response set-header x-r "%ST|%B|%s|%si|%tsc"
"""), [G("/v?x=1", srv=[r"x-a: 127\\.0\\.0\\.1\\|"]), G("/w")],
     normalize=[(rb"x-pid: \d+", b"x-pid: PID"), (rb"(x-c: +7F000001:)[0-9A-F]{4}", rb"\1PORT")],
     what="log-format variables in a rule's format, %o's options, at request and response time")

case("unique_id", "format", site("""
unique-id-format %{+X}o\\ %ci_%fi:%fp_%rt_%HM_%ST_%b
unique-id-header X-Unique-ID
http-request set-header x-before %[unique-id] if { path /rule }
http-request set-header x-lf %ID if { path /rule }
option forwardfor
"""), [G("/plain", headers="X-Unique-ID: from-client"), G("/rule"), G("/plain")],
     normalize=[(rb"_[0-9A-F]{4}_", b"_PORT_")],
     what="unique-id-format and unique-id-header: made once, when first needed; the header last but before x-forwarded-for")

case("send_name_header", "forward", """
frontend www
    bind @BIND@
    option forwardfor
    option originalto
    default_backend app

backend app
    balance roundrobin
    http-send-name-header X-Server
    http-request add-header x-server from-a-rule if { path /rule }
    server a1 @a1@
    server a2 @a2@
""", [G("/one", headers="X-Server: from-client\nx-server: second"), G("/rule"), G("/three")],
     what="http-send-name-header: the client's and the rules' headers of that name go, the server's comes last")

case("unique_id_log", "format", site("""
unique-id-format %[str(id)]\\ \\ %rt\\ %ST\\ %b
log-format "%ID|%rt|%ST|%[unique-id]"
http-request deny if { path /deny }
""", extra="    unique-id-format ignored-in-a-backend\n"), [G("/a"), G("/deny"), G("/b")], log=3,
     what="the unique ID in the log line: made for the log when nothing needed it (a denied request's carries its status)")

case("openssl_digest_converters", "converter", site("""
http-request set-header x-sha1 %[path,sha1,hex]
http-request set-header x-sha2 %[path,sha2,hex]
http-request set-header x-sha224 %[path,sha2(224),hex]
http-request set-header x-sha512 %[path,sha2(512),base64]
http-request set-header x-md5 %[path,digest(md5),hex]
http-request set-header x-hmac %[path,hmac(sha256,a2V5),hex]
http-request set-header x-hmac1 %[req.hdr(x-in),hmac(sha1,c2VjcmV0IGtleQ==),hex]
"""), [G("/abc", headers="X-In: data", srv=[hv("x-sha1", "06F74E7966946C1647930A899440755839F74E3E"), hv("x-hmac", "163273A0C6D304B9C70E9217AFD5CA75C4D763EDBBB44BB96C879658D0FC773C")])],
     what="sha1, sha2, digest and hmac through OpenSSL")

case("map_regm_backreferences", "map", site("""
http-request set-header x-m %[path,map_regm(@DIR@/r.map,none)]
"""), [G("/a/one/two", srv=[hv("x-m", "/new/two/one")]), G("/b/x", srv=[hv("x-m", "fixed")]),
       G("/c", srv=[hv("x-m", "none")])],
     files={"r.map": "^/a/([^/]*)/(.*)$ /new/\\2/\\1\n^/b/ fixed\n"},
     what="map_regm replaces \\N in the value with the match's groups")

case("response_acl_on_request_fetches", "fetch", site("""
http-response set-header x-req-hdr yes if { req.hdr(x-in) -m found }
http-response set-header x-path yes if { path /p }
http-response set-header x-method yes if { method GET }
http-response set-header x-cap-method %[capture.req.method]
http-response set-header x-cap-uri %[capture.req.uri]
http-response set-header x-cap-ver %[capture.req.ver]
http-response set-header x-uri-deny yes if { capture.req.uri -m beg /p }
"""), [G("/p?q=1", headers="X-In: 1", hdr={"x-cap-method": "^GET$", "x-cap-uri": "^/p\\?q=1$", "x-uri-deny": "^yes$"})],
     what="request fetches in response rules (2.6 warns they never match)")

case("fetch_status_res_hdr", "fetch", site("""
http-response set-header x-status %[status]
http-response set-header x-ct %[res.hdr(content-type)]
http-response set-header x-sc-cnt %[res.hdr_cnt(set-cookie)]
http-response set-header x-res-ver %[res.ver]
http-response set-header x-first-cookie %[res.hdr(set-cookie,1)]
"""), [G(hdr={"x-status": "^201$", "x-sc-cnt": "^2$"})],
     response=response("201 Created", [("content-type", "application/json; charset=utf-8"), ("set-cookie", "a=1"),
                                       ("set-cookie", "b=2; Path=/")], b'{"id":1}'),
     what="status res.hdr res.hdr_cnt res.ver on the response")

case("fetch_header_name_case", "fetch", site("""
http-request set-header x-copy %[req.hdr(X-CUSTOM)]
http-request set-header x-cnt %[req.hdr_cnt(x-Custom)]
"""), [G(headers="x-custom: a\nX-Custom: b", srv=[hv("x-copy", "b"), hv("x-cnt", "2")])],
     what="header names are case-insensitive in fetches")

case("fetch_percent_path", "fetch", site("""
http-request set-header x-path %[path]
http-request set-header x-dec %[path,url_dec]
"""), [G("/a%2Fb%20c/%2e%2e/d", srv=[hv("x-path", "/a%2Fb%20c/%2e%2e/d")]), G("/%E2%82%AC/%zz")],
     what="path stays encoded, url_dec decodes")

case("fetch_body", "fetch", site("""
option http-buffer-request
http-request set-header x-body %[req.body]
http-request set-header x-user %[req.body_param(user)]
http-request set-header x-len %[req.body_len]
"""), [G("/login", method="POST", headers="Content-Type: application/x-www-form-urlencoded",
         body=b"user=alice&pass=secret", srv=[hv("x-user", "alice"), hv("x-len", "22")])],
     what="req.body req.body_param req.body_len with http-buffer-request")

case("fetch_capture_uri", "fetch", site("""
http-request set-header x-cap-method %[capture.req.method]
http-request set-header x-cap-uri %[capture.req.uri]
http-request set-header x-cap-ver %[capture.req.ver]
"""), [G("/x/y?z=1", srv=[hv("x-cap-uri", "/x/y?z=1"), hv("x-cap-method", "GET")])],
     what="capture.req.method/uri/ver")

case("fetch_base32_url32", "fetch", site("""
http-request set-header x-base32 %[base32]
http-request set-header x-base32-src %[base32+src,hex]
http-request set-header x-url32 %[url32]
http-request set-header x-url32-src %[url32+src,hex]
http-request set-header x-baseq %[baseq]
http-request set-header x-base %[base]
"""), [G("/foo/bar?x=1&y=2", host="127.0.0.1:18081", src="127.0.0.2",
         srv=[hv("x-base32", "4001722090"), hv("x-base32-src", "EE856EEA7F000002"), hv("x-url32", "264693600")]),
       G("/x", host="a, b", srv=[hv("x-base", "a/x"), hv("x-url32", "264785703")]),
       G("/x?y", host=" a , b "), G("http://Foo.com:8080/a/b?c", host="Foo.com:8080"),
       G("http://foo.com", host="foo.com"), G("*", method="OPTIONS", host="foo.com"),
       G("*", method="OPTIONS", host=None, version="HTTP/1.0"), G("/a/b?c", host=None, version="HTTP/1.0"),
       G("/e?", host="")],
     what="base32 and url32 (sdbm with avalanche), +src binary forms, baseq, base of odd targets")

case("fetch_base32_track", "fetch", site("""
stick-table type binary len 20 size 1k store http_req_cnt
http-request track-sc0 base32+src
http-request set-header x-count %[sc_http_req_cnt(0)]
http-request deny deny_status 429 if { sc_http_req_cnt(0) gt 2 }
"""), [G("/p?a", srv=[hv("x-count", "1")]), G("/p?b", srv=[hv("x-count", "2")]), G("/q", srv=[hv("x-count", "1")]),
       G("/p", status=429), G("/p", src="127.0.0.2", srv=[hv("x-count", "1")])],
     what="per-URL rate limiting keyed on base32+src")

case("fetch_urlp_val", "fetch", site("""
http-request set-header x-a %[urlp_val(a)]
http-request set-header x-first %[urlp_val]
http-request set-header x-semi %[urlp_val(b,;)]
http-request deny deny_status 400 if { urlp_val(limit) gt 100 }
"""), [G("/?a=12&b=3", srv=[hv("x-a", "12")]), G("/x;b=5?a=-7x", srv=[hv("x-semi", "5")]), G("/?a=abc"),
       G("/?a="), G("/?a=-"), G("/?c=4&a=5"), G("/?a=99999999999999999999"), G("/?a=3000000000"),
       G("/?a=-2147483649"), G("/?a=+5"), G("/?a=1.5"), G("/?a=-1.5"), G("/?a=%2B5"), G("/"),
       G("/?limit=101", status=400), G("/?limit=100", status=200)],
     what="urlp_val: 32-bit wrap, odd bytes taken as digits, absent parameter")

case("fetch_date_us_http_major", "fetch", site("""
http-request set-header x-us %[date_us]
http-request set-header x-major %[fc_http_major]
http-request set-header x-major-10 %[fc_http_major] if { req.ver 1.0 }
"""), [G(srv=[hv("x-us", "N"), hv("x-major", "1")]), G(version="HTTP/1.0", srv=[hv("x-major-10", "1")])],
     normalize=[(rb"x-us: \d{1,6}\r", b"x-us: N\r")], what="date_us (microseconds part) and fc_http_major")

case("fetch_so_id_dst_conn", "fetch", """
frontend www
    bind @BIND@
    bind @BIND2@ name second
    tcp-request connection set-var(sess.id) so_id
    http-request set-header x-so-id %[so_id]
    http-request set-header x-so-name %[so_name]
    http-request set-header x-dst-conn %[dst_conn]
    http-request set-header x-early %[var(sess.id)]
    default_backend app
backend app
    server app1 @app@
""", [G(srv=[hv("x-so-id", "1"), hv("x-dst-conn", "1"), hv("x-early", "1")]),
      G(to="BIND2", srv=[hv("x-so-id", "2"), hv("x-so-name", "second")])],
     what="so_id numbers the listeners, so_name in HTTP rules, dst_conn counts the listener's connections")

case("fetch_so_id_tcp", "fetch", """
listen tcpl
    mode tcp
    bind @BIND@,@BIND2@
    tcp-request inspect-delay 1s
    # dst_conn ge 1: a probe connection of the harness may still be open
    # at the listener (2.6 then counts 2).
    tcp-request content reject unless { so_id 2 } { dst_conn ge 1 }
    server t1 @tcpl@
""", [RAW(b"ping\n", noresponse=True), RAW(b"ping\n", to="BIND2", server="tcpl")], mode="tcp",
     what="so_id per address of a bind line, dst_conn in a TCP stream")

case("fetch_fe_rates", "fetch", """
frontend www
    bind @BIND@
    tcp-request connection set-var(sess.early) fe_sess_rate
    tcp-request session set-var(sess.later) fe_sess_rate
    http-request set-header x-req-rate %[fe_req_rate]
    http-request set-header x-sess-rate %[fe_sess_rate]/%[var(sess.early)]/%[var(sess.later)]
    http-request set-header x-named %[fe_req_rate(www)]
    http-request set-header x-other %[fe_sess_rate(other)]/%[fe_req_rate(other)]
    default_backend app
frontend other
    bind @BIND2@
    http-request return status 200
backend app
    server app1 @app@
""", [G(srv=[hv("x-req-rate", "1"), hv("x-sess-rate", "1/0/0"), hv("x-named", "1"), hv("x-other", "0/0")])],
     what="fe_req_rate and fe_sess_rate count the request and the session asking, of this or a named frontend")

case("fetch_fc_addresses", "fetch", """
frontend www
    bind @BIND@
    bind @BIND2@ accept-proxy
    tcp-request connection set-var(sess.cs) fc_src
    http-request set-src hdr(x-src) if { hdr(x-src) -m found }
    http-request set-dst hdr(x-dst) if { hdr(x-dst) -m found }
    http-request set-src-port hdr(x-sp) if { hdr(x-sp) -m found }
    http-request set-header x-fc %[fc_src]/%[fc_dst]/%[var(sess.cs)]
    http-request set-header x-fc-dport %[fc_dst_port]
    http-request set-header x-fc-sport %[fc_src_port,bool]
    http-request set-header x-src %[src]:%[src_port] if { hdr(x-sp) -m found } || { src 192.168.0.1 }
    default_backend app
backend app
    server app1 @app@
""", [G(src="127.0.0.3", srv=[hv("x-fc", "127.0.0.3/127.0.0.1/127.0.0.3"), hv("x-fc-sport", "1")]),
      G(headers=[("X-Src", "10.1.2.3"), ("X-Dst", "10.9.9.9"), ("X-Sp", "555")], srv=[hv("x-src", "10.1.2.3:555")]),
      RAW(b"PROXY TCP4 192.168.0.1 192.168.0.2 1111 2222\r\n" + req(), to="BIND2",
          srv=[hv("x-src", "192.168.0.1:1111")])],
     what="fc_src, fc_dst and their ports stay the socket's after set-src, set-dst and a PROXY header")

case("fetch_fc_rtt", "fetch", site("""
http-request set-header x-rtt %[fc_rtt]/%[fc_rttvar]
http-request set-header x-rtt-us %[fc_rtt(us)]/%[fc_rttvar(us)]
"""), [G(srv=[hv("x-rtt", "0/0"), hv("x-rtt-us", "N/N")])],
     normalize=[(rb"x-rtt-us: \d+/\d+\r", b"x-rtt-us: N/N\r")],
     what="fc_rtt and fc_rttvar in milliseconds (0 on loopback) and microseconds")

case("fetch_process_state", "fetch", site("""
http-request set-header x-proc %[nbproc]/%[proc]/%[stopping]
http-request set-header x-thread %[thread]
http-request set-header x-profiling %[lat_ns_avg]/%[lat_ns_tot]/%[cpu_ns_avg]/%[cpu_ns_tot]
"""), [G(srv=[hv("x-proc", "1/1/0"), hv("x-thread", "0"), hv("x-profiling", "0/0/0/0")])],
     global_extra="    nbthread 1\n", what="nbproc, proc, stopping, thread and the task profiling times (0)")

case("fetch_thread_spread", "fetch", site("""
http-request set-header x-thread %[thread]
"""), [G(srv=[hv("x-thread", "0")]), G(srv=[hv("x-thread", "1")]), G(srv=[hv("x-thread", "2")]),
       G(srv=[hv("x-thread", "3")]), G(srv=[hv("x-thread", "0")])],
     global_extra="    nbthread 4\n", what="thread: connections go to the threads in turn")

case("fetch_last_rule", "fetch", """
frontend www
    bind @BIND@
    log-format "%HP lrf=%[last_rule_file] lrl=%[last_rule_line]"
    tcp-request content accept if { path /tcpaccept }
    http-request return status 200 content-type text/plain lf-string "ret lrl=%[last_rule_line]" if { path /return }
    http-request deny deny_status 403 if { path /deny }
    http-request auth realm x if { path /auth }
    http-request redirect location /x if { path /redirect }
    http-request allow if { path /allow }
    redirect location /y if { path /kredirect }
    http-request set-var(txn.x) str(1) if { path /setvar }
    http-response deny if { capture.req.uri /resdeny }
    http-response allow if { capture.req.uri /resallow }
    http-response set-header x-lrl %[last_rule_line]
    http-after-response allow if { capture.req.uri /after }
    http-after-response set-header x-after-lrl %[last_rule_line]
    http-after-response set-header x-after-lrf %[last_rule_file,regsub(.*/,)]
    default_backend app
backend app
    http-request deny if { path /bdeny }
    http-request allow if { path /ballow }
    server app1 @app@
""", [G(p) for p in ("/tcpaccept", "/return", "/deny", "/auth", "/redirect", "/allow", "/kredirect", "/setvar",
                     "/resdeny", "/resallow", "/after", "/bdeny", "/ballow")],
     log=13, what="last_rule_file and last_rule_line: the last final rule, as rules and the log line see it")

case("fetch_last_rule_tarpit", "fetch", site("""
log-format "%HP lrl=%[last_rule_line]"
timeout tarpit 100ms
http-request tarpit deny_status 429 if { path /tarpit }
http-request deny deny_status 403 content-type text/plain lf-string "lrl=%[last_rule_line]" if { path /deny }
http-request wait-for-body time 100ms if { path /wait }
http-after-response set-header x-after-lrl %[last_rule_line]
"""), [G("/tarpit", status=429), G("/deny", status=403), G("/wait", method="POST", body=b"x")], log=3,
     what="last_rule_line after tarpit, in a deny's own format, and not after wait-for-body")

case("fetch_last_rule_keep_alive", "fetch", site("""
log-format "%HP lrl=%[last_rule_line]"
http-request allow if { path /allow }
http-response set-header x-lrl %[last_rule_line]
"""),
     [RAW(req("/allow") + req("/next"), finals=2)], log=2,
     what="last_rule_line starts again with each request of a connection")

case("fetch_last_rule_tcp", "fetch", """
listen tcpl
    mode tcp
    bind @BIND@
    log-format "lrf=%[last_rule_file,regsub(.*/,)] lrl=%[last_rule_line]"
    tcp-request inspect-delay 1s
    tcp-request content reject if { req.payload(0,4) -m str nope }
    tcp-request content accept if { req.len gt 0 }
    server t1 @tcpl@
""", [RAW(b"ping\n", server="tcpl"), RAW(b"nope\n", noresponse=True)], mode="tcp", log=2,
     what="last_rule_file and last_rule_line after tcp-request content rules in a TCP stream")

case("fetch_http_major_tcp", "fetch", """
frontend t
    mode tcp
    bind @BIND@
    tcp-request inspect-delay 1s
    tcp-request content reject if { fc_http_major -m found }
    tcp-request content accept
    default_backend tcpb
backend tcpb
    mode tcp
    server t1 @tcpb@
""", [RAW(b"ping\n", server="tcpb")], mode="tcp", what="fc_http_major finds nothing on a TCP frontend")


# ---- Converters ------------------------------------------------------------

case("conv_case", "converter", site("""
http-request set-header x-lower %[req.hdr(host),lower]
http-request set-header x-upper %[path,upper]
"""), [G("/Mixed/Path", host="WWW.Example.COM", srv=[hv("x-lower", "www.example.com"), hv("x-upper", "/MIXED/PATH")])],
     what="lower upper")

case("conv_regsub", "converter", site(r"""
http-request set-header x-r1 %[path,regsub(^/api/,/v2/)]
http-request set-header x-r2 %[path,regsub(/+,/,g)]
http-request set-header x-r3 %[req.hdr(x-name),regsub(a,X,gi)]
http-request set-header x-r4 %[req.hdr(host),regsub(^www\.,)]
http-request set-header x-r5 '%[path,regsub("(.*)/([^/]*)$","\2@\1")]'
"""), [G("/api//users///1", host="www.example.com", headers="X-Name: Banana",
         srv=[hv("x-r1", "/v2//users///1"), hv("x-r2", "/api/users/1"), hv("x-r3", "BXnXnX")])],
     what="regsub plain, global, case-insensitive, escaped dot, back-references")

case("conv_word_field", "converter", site("""
http-request set-header x-w2 %[path,word(2,/)]
http-request set-header x-wlast %[path,word(-1,/)]
http-request set-header x-w2n %[path,word(2,/,2)]
http-request set-header x-f1 %[req.hdr(x-pair),field(1,:)]
http-request set-header x-f2 %[req.hdr(x-pair),field(2,:)]
http-request set-header x-flast %[req.hdr(x-pair),field(-1,:)]
http-request set-header x-f2n %[req.hdr(x-pair),field(2,:,2)]
http-request set-header x-f9 %[req.hdr(x-pair),field(9,:)]
"""), [G("/shop/items/42/edit", headers="X-Pair: a:b::d",
         srv=[hv("x-w2", "items"), hv("x-wlast", "edit"), hv("x-f1", "a"), hv("x-f2", "b")])],
     what="word and field, negative index and count")

case("conv_bytes_length", "converter", site("""
http-request set-header x-b %[str(abcdef),bytes(1,3)]
http-request set-header x-b2 %[path,bytes(2)]
http-request set-header x-b3 %[str(abc),bytes(5)]
http-request set-header x-len %[req.hdr(user-agent),length]
"""), [G("/hello", headers="User-Agent: curl/8.0", srv=[hv("x-b", "bcd"), hv("x-b2", "ello"), hv("x-len", "8")])],
     what="bytes with and without length, past the end, length")

case("conv_ipmask", "converter", site("""
http-request set-header x-net24 %[src,ipmask(24)]
http-request set-header x-net16 %[src,ipmask(16)]
http-request set-header x-hdr8 %[req.hdr_ip(x-real-ip),ipmask(8)]
http-request set-header x-v6 %[req.hdr_ip(x-v6),ipmask(24,64)]
"""), [G(src="127.0.0.77", headers="X-Real-IP: 203.0.113.9\nX-V6: 2001:db8:1:2:3::9",
         srv=[hv("x-net24", "127.0.0.0"), hv("x-net16", "127.0.0.0"), hv("x-hdr8", "203.0.0.0")])],
     what="ipmask v4 and v6")

case("conv_hex_base64", "converter", site("""
http-request set-header x-hex %[req.hdr(x-in),hex]
http-request set-header x-b64 %[req.hdr(x-in),base64]
http-request set-header x-dec %[req.hdr(x-enc),b64dec]
http-request set-header x-int-hex %[int(255),hex]
http-request set-header x-u64 %[req.hdr(x-in),ub64enc]
"""), [G(headers="X-In: hi there?\nX-Enc: aGFwcm94eQ==", srv=[hv("x-hex", "6869207468657265 3F".replace(" ", "")),
                                                             hv("x-b64", "aGkgdGhlcmU/"), hv("x-dec", "haproxy")]),
       G(headers="X-Enc: not*base64")], what="hex base64 b64dec ub64enc")

case("conv_url_dec", "converter", site("""
http-request set-header x-next %[url_param(next),url_dec]
http-request set-header x-raw %[url_param(next)]
"""), [G("/login?next=%2Fhome%3Fa%3D1+b", srv=[hv("x-raw", "%2Fhome%3Fa%3D1+b")]), G("/login?next=%zz%2")],
     what="url_dec, + and invalid escapes")

case("conv_json", "converter", site(r"""
http-request set-header x-utf8 %[req.hdr(x-raw),json(utf8s)]
http-request set-header x-ascii %[req.hdr(x-raw),json(ascii)]
http-request return status 200 content-type application/json lf-string "{\"ua\":\"%[req.hdr(user-agent),json(utf8s)]\"}" if { path /ua }
"""), [G(headers=[("X-Raw", b'he said "hi" \\ \xc3\xa9 </tag>')]),
       G("/ua", headers=[("User-Agent", b'evil"agent\\\t')], status=200)], what="json escaping, in a return body")

case("conv_arith", "converter", site("""
http-request set-var(txn.v) int(3)
http-request set-header x-add %[req.hdr_val(x-n),add(5)]
http-request set-header x-sub %[req.hdr_val(x-n),sub(30)]
http-request set-header x-mul %[req.hdr_val(x-n),mul(4)]
http-request set-header x-div %[req.hdr_val(x-n),div(3)]
http-request set-header x-mod %[req.hdr_val(x-n),mod(3)]
http-request set-header x-div0 %[req.hdr_val(x-n),div(0)]
http-request set-header x-mod0 %[req.hdr_val(x-n),mod(0)]
http-request set-header x-var %[int(10),add(txn.v)]
http-request set-header x-neg %[req.hdr_val(x-n),neg]
http-request set-header x-big %[int(9223372036854775807),add(1)]
"""), [G(headers="X-N: 20", srv=[hv("x-add", "25"), hv("x-sub", "-10"), hv("x-mul", "80"), hv("x-div", "6"),
                                  hv("x-mod", "2"), hv("x-var", "13"), hv("x-neg", "-20")]),
       G(headers="X-N: -7")], what="add sub mul div mod neg, by zero, with a variable, overflow")

case("conv_concat", "converter", site("""
http-request set-var(txn.user) req.hdr(x-user)
http-request set-header x-c %[str(id=),concat(,txn.user,;)]
http-request set-header x-c2 %[str(a),concat(-,txn.none,-)]
http-request set-var-fmt(txn.fmt) "%[req.hdr(x-user)]@%[req.hdr(host)]"
http-request set-header x-fmt %[var(txn.fmt)]
"""), [G(headers="X-User: bob", srv=[hv("x-c", "id=bob;"), hv("x-fmt", "bob@example.com")])],
     what="concat with a variable, missing variable, set-var-fmt")

case("conv_hashes", "converter", site("""
http-request set-header x-crc32 %[req.hdr(x-in),crc32]
http-request set-header x-crc32a %[req.hdr(x-in),crc32(1)]
http-request set-header x-djb2 %[req.hdr(x-in),djb2]
http-request set-header x-sdbm %[req.hdr(x-in),sdbm]
http-request set-header x-wt6 %[req.hdr(x-in),wt6]
http-request set-header x-xxh3 %[req.hdr(x-in),xxh3]
http-request set-header x-xxh3s %[req.hdr(x-in),xxh3(42)]
http-request set-header x-xxh32 %[req.hdr(x-in),xxh32]
http-request set-header x-xxh64 %[req.hdr(x-in),xxh64]
http-request set-header x-crc32c %[req.hdr(x-in),crc32c]
"""), [G(headers="X-In: session-7f3a", srv=[r"x-crc32: \d+\r\n", r"x-xxh3: -?\d+\r\n"]), G(headers="X-In: ")],
     what="crc32 djb2 sdbm wt6 xxh3 xxh32 xxh64 crc32c, avalanche and seed")

case("conv_chain_host", "converter", site(r"""
http-request set-header x-site %[req.hdr(host),lower,field(1,:),regsub(^www\.,)]
"""), [G(host="WWW.Example.com:8443", srv=[hv("x-site", "example.com")]), G(host="api.example.com")],
     what="a chain of converters on the host")


# ---- Maps -------------------------------------------------------------------

HOSTS_MAP = """# host -> backend
example.com        app
www.example.com    app
api.example.com    api
static.example.com static
ghost.example.com  ghost
"""

case("map_str_default", "map", site("""
http-request set-header x-backend %[req.hdr(host),lower,map(@DIR@/hosts.map,none)]
http-request set-header x-backend-nodefault %[req.hdr(host),map(@DIR@/hosts.map)]
"""), [G(host="API.example.com", srv=[hv("x-backend", "api")]), G(host="unknown.example.com", srv=[hv("x-backend", "none")]),
       G(host="static.example.com", srv=[hv("x-backend-nodefault", "static")])],
     files={"hosts.map": HOSTS_MAP}, what="map with a default, and without")

case("map_beg", "map", site("""
http-request set-header x-route %[path,map_beg(@DIR@/paths.map,default)]
"""), [G("/api/v2/users", srv=[hv("x-route", "api2")]), G("/api/v1", srv=[hv("x-route", "api")]), G("/static/css/a.css"), G("/other", srv=[hv("x-route", "default")])],
     files={"paths.map": "/api api\n/api/v2 api2\n/static static\n"}, what="map_beg: the longest prefix, not file order")

case("map_dom", "map", site("""
http-request set-header x-tenant %[req.hdr(host),map_dom(@DIR@/doms.map,other)]
"""), [G(host="shop.acme.com", srv=[hv("x-tenant", "acme")]), G(host="acme.com"), G(host="notacme.com"),
       G(host="eu.globex.org")],
     files={"doms.map": "acme.com acme\nglobex.org globex\n"}, what="map_dom")

case("map_ip", "map", site("""
http-request set-header x-zone %[src,map_ip(@DIR@/nets.map,external)]
http-request set-header x-hdr-zone %[req.hdr_ip(x-client),map_ip(@DIR@/nets.map,external)]
"""), [G(src="127.0.0.5", srv=[hv("x-zone", "canary")]), G(srv=[hv("x-zone", "loopback")]),
       G(headers="X-Client: 10.20.30.40", srv=[hv("x-hdr-zone", "office")]), G(headers="X-Client: 8.8.8.8")],
     files={"nets.map": "# networks\n127.0.0.0/8 loopback\n127.0.0.5 canary\n10.0.0.0/8 office\n"},
     what="map_ip, longest prefix wins")

case("map_int", "map", site("""
http-request set-header x-class %[req.hdr_val(x-code),map_int(@DIR@/codes.map,unknown)]
"""), [G(headers="X-Code: 404", srv=[hv("x-class", "not-found")]), G(headers="X-Code: 999", srv=[hv("x-class", "unknown")]),
       G(headers="X-Code: 0404")], files={"codes.map": "200 ok\n404 not-found\n500 error\n"}, what="map_int")

case("map_reg", "map", site("""
http-request set-header x-route %[path,map_reg(@DIR@/routes.map,app)]
"""), [G("/users/42", srv=[hv("x-route", "users")]), G("/img/a.PNG"), G("/img/a.png", srv=[hv("x-route", "images")]),
       G("/x")], files={"routes.map": r"""^/users/[0-9]+$ users
\.(png|jpg)$ images
^/ catchall
"""}, what="map_reg, first match")

case("map_sub_end_dir", "map", site("""
http-request set-header x-sub %[path,map_sub(@DIR@/words.map,-)]
http-request set-header x-end %[path,map_end(@DIR@/ext.map,-)]
http-request set-header x-dir %[path,map_dir(@DIR@/dirs.map,-)]
http-request set-header x-str %[path,map_str(@DIR@/dirs.map,-)]
"""), [G("/shop/admin/report.pdf", srv=[hv("x-sub", "adm"), hv("x-end", "pdf-doc"), hv("x-dir", "admin-dir")]),
       G("/admin")],
     files={"words.map": "admin adm\n", "ext.map": ".pdf pdf-doc\n", "dirs.map": "admin admin-dir\n/admin exact\n"},
     what="map_sub map_end map_dir map_str")

case("map_values_spaces", "map", site("""
http-request set-header x-msg %[req.hdr(x-key),map(@DIR@/msg.map,none)]
http-request return status 200 content-type text/plain lf-string "%[req.hdr(x-key),map(@DIR@/msg.map,none)]" if { path /show }
"""), [G(headers="X-Key: greeting", srv=[hv("x-msg", "hello   wide  world")]), G("/show", headers="X-Key: tab", status=200)],
     files={"msg.map": "greeting   hello   wide  world   \ntab\tvalue\twith\ttabs\n"}, what="map values with inner spaces and tabs")

case("map_str_int", "map", site("""
http-request set-header x-weight %[req.hdr(host),map_str_int(@DIR@/w.map,0),add(1)]
"""), [G(host="a.example.com", srv=[hv("x-weight", "11")]), G(host="zz", srv=[hv("x-weight", "1")])],
     files={"w.map": "a.example.com 10\n"}, what="map_str_int feeding arithmetic")

case("set_map_actions", "map", site("""
acl blocked path -f @DIR@/blocked.acl
http-request set-map(@DIR@/routes.map) %[url_param(k)] %[url_param(v)] if { path /set }
http-request del-map(@DIR@/routes.map) %[url_param(k)] if { path /del }
http-request add-acl(@DIR@/blocked.acl) %[url_param(k)] if { path /block }
http-request del-acl(@DIR@/blocked.acl) %[url_param(k)] if { path /unblock }
http-request set-map(@DIR@/nowhere.map) %[url_param(k)] x if { path /nowhere }
http-request deny deny_status 403 if blocked
http-request return status 200 content-type text/plain lf-string "%[path,map(@DIR@/routes.map,none)]" if !{ path_beg /set /del /block /unblock /nowhere }
"""), [G("/a", answer="^1$"), G("/set?k=/b&v=2"), G("/b", answer="^2$"), G("/set?k=/b&v=3"), G("/b", answer="^3$"),
       G("/set?k=/a&v=9"), G("/a", answer="^9$"), G("/del?k=/a"), G("/a", answer="^none$"),
       G("/block?k=/x"), G("/block?k=/x"), G("/x", status=403), G("/unblock?k=/x"), G("/x", answer="^none$"),
       G("/nowhere?k=/n"), G("/n", answer="^none$")],
     files={"routes.map": "/a 1\n", "blocked.acl": "/old\n"},
     what="set-map, del-map, add-acl and del-acl edit the files' patterns for the next requests")

BIG_MAP = "# generated: 10,000 hosts\n" + "".join("host%05d.example.com backend%d\n" % (i, i % 7) for i in range(10000))

case("map_10k_entries", "map", site("""
http-request set-header x-pool %[req.hdr(host),lower,map(@DIR@/big.map,nopool)]
http-request set-header x-pool-beg %[req.hdr(host),map_beg(@DIR@/big.map,nopool)]
"""), [G(host="host09999.example.com", srv=[hv("x-pool", "backend3")]), G(host="HOST00000.example.com", srv=[hv("x-pool", "backend0")]),
       G(host="host10000.example.com", srv=[hv("x-pool", "nopool")]), G(host="host04242.example.com.extra")],
     files={"big.map": BIG_MAP}, what="a 10,000-entry map, exact and prefix")

case("map_acl_match", "map", site("""
acl known_host req.hdr(host),lower,map(@DIR@/hosts.map) -m found
acl whole_line req.hdr(host) -f @DIR@/hosts.lst
http-request set-header x-whole-line 1 if whole_line
http-request deny deny_status 400 unless known_host
"""), [G(host="API.example.com", status=200, nosrv=["x-whole-line"]), G(host="nope.example.com", status=400),
       G(host="api.example.com    api", status=400)],
     files={"hosts.map": HOSTS_MAP, "hosts.lst": HOSTS_MAP},
     what="map -m found as an ACL; -f on a two-column file takes whole lines")


# ---- Access: allow, deny, tarpit, auth --------------------------------------

case("act_allow_stops", "deny", site("""
http-request allow if { src 127.0.0.2 }
http-request deny
"""), [G(src="127.0.0.2", status=200), G(status=403, server=None)], what="allow ends the rule list")

case("act_deny_status", "deny", site("""
http-request deny deny_status 429 if { path_beg /limited }
http-request deny deny_status 404 if { path_beg /hidden }
http-request deny deny_status 500 if { path_beg /broken }
http-request deny if { path_beg /plain }
"""), [G("/limited", status=429, answer="429 Too Many Requests"), G("/hidden", status=404), G("/broken", status=500),
       G("/plain", status=403, answer="Request forbidden")], what="deny_status with the built-in error pages")

case("act_deny_custom", "deny", site("""
http-request deny status 403 content-type "application/json" string '{"error":"forbidden"}' hdr X-Reason "blocked by rule" hdr Cache-Control no-store if { path_beg /private }
http-request deny status 451 content-type text/plain lf-string "unavailable: %[path]" if { path_beg /legal }
"""), [G("/private/x", status=403, answer='^{"error":"forbidden"}$', hdr={"x-reason": "^blocked by rule$",
                                                                          "content-type": "application/json"}),
       G("/legal/doc", status=451, answer="unavailable: /legal/doc")], what="deny with content-type, string, lf-string, hdr")

case("act_deny_file", "deny", site("""
http-request deny status 403 content-type text/html file @DIR@/denied.html if { path_beg /a }
http-request deny errorfile @DIR@/custom403.http if { path_beg /b }
"""), [G("/a", status=403, answer="Access denied"), G("/b", status=403, hdr={"x-custom": "yes"})],
     files={"denied.html": "<html><body>Access denied</body></html>\n",
            "custom403.http": "HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nx-custom: yes\r\n"
                              "content-length: 9\r\n\r\nno entry\n"}, what="deny with file and errorfile")

case("act_tarpit", "deny", site("""
timeout tarpit 300ms
http-request tarpit if { path_beg /login } { req.hdr(user-agent) -m sub -i sqlmap }
http-request tarpit deny_status 429 if { path_beg /api/ } { req.hdr_cnt(x-bot) gt 0 }
"""), [G("/login", headers="User-Agent: sqlmap/1.7", status=500, server=None),
       G("/api/x", headers="X-Bot: 1", status=429), G("/login", headers="User-Agent: Firefox", status=200)],
     what="tarpit with a short timeout tarpit")

USERLIST = """
userlist admins
    group ops
    group devs
    user alice insecure-password wonderland groups ops
    user bob password %s groups devs
""" % sha512_crypt("bob-s3cret", "rulesdiff")

case("auth_insecure", "auth", site("""
acl authed http_auth(admins)
http-request auth realm "Admin area" if { path_beg /admin } !authed
""", extra=USERLIST), [G("/admin/", status=401, hdr={"www-authenticate": 'Basic realm="Admin area"'}, server=None),
                       G("/admin/", headers=[("Authorization", basic("alice", "wonderland"))], status=200,
                         srv=["authorization: Basic"]),
                       G("/admin/", headers=[("Authorization", basic("alice", "wrong"))], status=401),
                       G("/public", status=200)], what="auth with an insecure-password user")

case("auth_crypt_group", "auth", site("""
http-request auth realm api unless { http_auth_group(admins) devs }
""", extra=USERLIST), [G(headers=[("Authorization", basic("bob", "bob-s3cret"))], status=200),
                       G(headers=[("Authorization", basic("alice", "wonderland"))], status=401),
                       G(headers=[("Authorization", basic("bob", "nope"))], status=401),
                       G(headers=[("Authorization", "Basic !!!notbase64")], status=401),
                       G(headers=[("Authorization", "Bearer abc")], status=401)],
     what="auth by group, SHA-512 crypt password")

case("auth_default_realm", "auth", site("""
http-request auth if !{ http_auth(admins) }
http-request set-header x-user %[http_auth_group(admins)]
""", extra=USERLIST), [G(status=401, hdr={"www-authenticate": "Basic"}),
                       G(headers=[("Authorization", basic("alice", "wonderland"))], status=200)],
     what="auth without realm; http_auth_group as a fetch")

case("auth_backend_stats_like", "auth", site("""
use_backend private if { path_beg /private }
""", backends=("app",), extra="""
backend private
    http-request auth realm Private unless { http_auth(admins) }
    server private1 @private@
""" + USERLIST), [G("/private/", status=401), G("/private/", headers=[("Authorization", basic("bob", "bob-s3cret"))],
                                               status=200, server="private"), G("/", status=200, server="app")],
     what="auth rule in a backend")


# ---- Redirects ---------------------------------------------------------------

case("redirect_location", "redirect", site("""
http-request redirect location https://www.example.com/new code 301 if { path /old }
http-request redirect location /moved if { path /tmp }
"""), [G("/old?a=1", status=301, hdr={"location": "^https://www.example.com/new$"}, server=None),
       G("/tmp", status=302, hdr={"location": "^/moved$"}), G("/else", status=200)], what="redirect location, 301 and default 302")

case("redirect_prefix", "redirect", site("""
http-request redirect prefix https://www.example.com drop-query if { hdr(host) -i example.com } { path_beg /a }
http-request redirect prefix https://www.example.com code 307 if { hdr(host) -i example.com }
"""), [G("/a/b?x=1", status=302, hdr={"location": "^https://www.example.com/a/b$"}),
       G("/c?y=2", status=307, hdr={"location": r"^https://www.example.com/c\?y=2$"}),
       G("/c", host="www.example.com", status=200)], what="redirect prefix with and without drop-query")

case("redirect_scheme", "redirect", site("""
http-request redirect scheme https code 308 unless { ssl_fc }
"""), [G("/p?q=1", status=308, hdr={"location": r"^https://example.com/p\?q=1$"}),
       G("/p", host="example.com:8080"), G("http://abs.example.com/x", host="abs.example.com")],
     what="redirect scheme, host with port, absolute URI")

case("redirect_append_slash", "redirect", site("""
http-request redirect prefix https://example.org drop-query append-slash if { path_reg ^/[^.]*[^/]$ }
"""), [G("/docs", status=302, hdr={"location": "^https://example.org/docs/$"}), G("/docs/", status=200),
       G("/file.txt", status=200), G("/docs?x=1", status=302)], what="append-slash with drop-query")

case("redirect_cookies", "redirect", site("""
http-request redirect location /welcome set-cookie SEEN=1 if { path /first }
http-request redirect location / clear-cookie SEEN= if { path /forget }
http-request redirect location /x code 303 set-cookie LANG=fr if { path /fr }
"""), [G("/first", status=302, hdr={"set-cookie": "^SEEN=1; path=/;"}), G("/forget", status=302, hdr={"set-cookie": "^SEEN=;"}),
       G("/fr", status=303)], what="redirect set-cookie and clear-cookie")

case("redirect_codes", "redirect", site("""
http-request redirect location /a code 301 if { path /301 }
http-request redirect location /a code 302 if { path /302 }
http-request redirect location /a code 303 if { path /303 }
http-request redirect location /a code 307 if { path /307 }
http-request redirect location /a code 308 if { path /308 }
"""), [G("/301", status=301), G("/302", status=302), G("/303", status=303), G("/307", status=307), G("/308", status=308),
       G("/301", method="HEAD", status=301)], what="each redirect code, body and HEAD")

case("redirect_lf_location", "redirect", site("""
http-request redirect location https://%[hdr(host),lower,regsub(:[0-9]+$,)]%[pathq] code 301 if !{ ssl_fc } { path_beg /secure }
http-request redirect location %[url_param(to)] if { path /go } { url_param(to) -m beg / }
"""), [G("/secure/x?y=1", host="Example.com:80", status=301, hdr={"location": r"^https://example.com/secure/x\?y=1$"}),
       G("/go?to=/there", status=302, hdr={"location": "^/there$"}), G("/go?to=http://evil", status=200)],
     what="log-format in the location")

case("redirect_keyword", "redirect", site("""
redirect prefix https://www.example.com code 301 if { hdr(host) -i example.com }
redirect location /maintenance.html if { path /closed }
redirect scheme https if { hdr(host) -i secure.example.com }
"""), [G("/x?q", status=301, hdr={"location": r"^https://www.example.com/x\?q$"}),
       G("/closed", host="www.example.com", status=302, hdr={"location": "^/maintenance.html$"}),
       G("/y", host="secure.example.com", status=302), G("/z", host="www.example.com", status=200)],
     what="the redirect keyword, not an http-request rule")

case("errorloc302_303", "redirect", site("""
errorloc302 503 https://status.example.com/
errorloc303 403 /forbidden.html
http-request deny if { path_beg /secret }
use_backend empty if { path_beg /down }
""", extra="""
backend empty
    server dead 127.0.0.1:9 disabled
"""), [G("/down", status=302, hdr={"location": "^https://status.example.com/$"}),
       G("/secret", status=303, hdr={"location": "^/forbidden.html$"}), G("/", status=200)],
     what="errorloc302 on 503 and errorloc303 on 403")


# ---- Local answers: return ---------------------------------------------------

case("return_string", "return", site("""
http-request return status 200 content-type "text/plain" string "pong" if { path /ping }
http-request return status 204 if { path /empty }
http-request return if { path /bare }
"""), [G("/ping", status=200, answer="^pong$", hdr={"content-type": "^text/plain$"}, server=None),
       G("/empty", status=204), G("/bare", status=200), G("/ping", method="HEAD", status=200)],
     what="return with a string, status only, nothing")

case("return_lf", "return", site("""
http-request return status 200 content-type application/json lf-string '{"ip":"%[src]","host":"%[req.hdr(host)]","q":"%[query]"}' hdr cache-control no-store hdr x-path %[path] if { path /whoami }
"""), [G("/whoami?a=b", src="127.0.0.9", status=200, answer='"ip":"127.0.0.9"', hdr={"cache-control": "^no-store$",
                                                                                  "x-path": "^/whoami$"})],
     what="return lf-string with %[...] and hdr with a format")

case("return_file", "return", site("""
http-request return content-type text/html file @DIR@/maint.html hdr x-maint 1 if { path_beg /maint }
http-request return status 200 content-type image/x-icon file @DIR@/favicon.ico if { path /favicon.ico }
http-request return errorfile @DIR@/teapot.http if { path /teapot }
http-request return status 200 content-type text/plain lf-file @DIR@/tpl.txt if { path /tpl }
"""), [G("/maint", status=200, answer="Back soon", hdr={"x-maint": "^1$"}), G("/favicon.ico", status=200),
       G("/teapot", status=418), G("/tpl?n=7", status=200, answer="n=7")],
     files={"maint.html": "<h1>Back soon</h1>\n", "favicon.ico": bytes(range(256)) * 2,
            "teapot.http": "HTTP/1.1 418 I'm a teapot\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\nshort\n",
            "tpl.txt": "path=%[path] n=%[url_param(n)]\n"}, what="return file, binary file, errorfile, lf-file")


# ---- Header actions ----------------------------------------------------------

case("hdr_set_add", "headers", site("""
http-request set-header X-Forwarded-Proto http
http-request add-header X-Tag one
http-request add-header X-Tag two
http-request set-header X-Replace new
http-request set-header X-Fmt "%[method] %[path]"
"""), [G("/p", headers="X-Replace: old1\nX-Replace: old2\nX-Tag: client", srv=[hv("x-replace", "new"),
                                                                              hv("x-fmt", "GET /p")], nosrv=["old1"])],
     what="set-header replaces every occurrence, add-header appends")

case("hdr_del_variants", "headers", site("""
http-request del-header x-debug
http-request del-header x-internal- -m beg
http-request del-header secret -m sub
http-request del-header ^x-tmp-[0-9]+$ -m reg
http-request del-header X-Exact -m str
http-request del-header -trace -m end
"""), [G(headers="X-Debug: 1\nX-Internal-Id: 2\nX-Internal-User: 3\nMy-Secret-Key: 4\nX-Tmp-12: 5\nX-Tmp-A: 6\n"
                  "X-Exact: 7\nX-Exactly: 8\nX-Request-Trace: 9\nX-Keep: 10",
         nosrv=["x-debug", "x-internal", "secret", "x-tmp-12", "x-exact:"], srv=["x-tmp-a", "x-exactly", "x-keep"])],
     what="del-header exact, -m beg/sub/reg/str/end")

case("hdr_replace", "headers", site(r"""
http-request replace-header User-Agent ^curl/(.*)$ CURL-\1
http-request replace-value X-Forwarded-For ^10\.(.*)$ private-\1
http-request replace-header Cookie (.*)tracking=[^;]*;?\s*(.*) \1\2
"""), [G(headers="User-Agent: curl/8.4.0\nX-Forwarded-For: 10.1.2.3, 8.8.8.8, 10.9.9.9\nCookie: a=1; tracking=xyz; b=2",
         srv=[hv("user-agent", "CURL-8.4.0"), r"x-forwarded-for: private-1\.2\.3, 8\.8\.8\.8, ?private-9\.9\.9\r\n"])],
     what="replace-header on whole values, replace-value on each comma-separated one")

case("hdr_set_empty_and_missing", "headers", site("""
http-request set-header x-q %[query]
http-request set-header x-missing %[req.hdr(x-nothing)]
"""), [G("/noquery"), G("/q?")], what="set-header when the sample is missing or empty")

case("hdr_host_rewrite", "headers", site("""
http-request set-header Host internal.example.local if { path_beg /internal }
http-request replace-header Host ^www\\.(.*)$ \\1
"""), [G("/internal/x", srv=[hv("host", "internal.example.local")]), G("/", host="www.example.com",
                                                                       srv=[hv("host", "example.com")])],
     what="rewriting Host")


# ---- URI rewrites ------------------------------------------------------------

case("set_path", "rewrite", site("""
http-request set-path /app%[path] if { path_beg /api }
"""), [G("/api/users?limit=5", srv=[r"^GET /app/api/users\?limit=5 HTTP/1.1\r\n"]), G("/other", srv=[r"^GET /other "])],
     what="set-path keeps the query")

case("set_pathq", "rewrite", site("""
http-request set-pathq /new?x=1 if { path /old }
http-request set-pathq %[path,lower] if { path_beg /UP }
"""), [G("/old?keep=no", srv=[r"^GET /new\?x=1 HTTP/1.1"]), G("/UPPER?q=A", srv=[r"^GET /upper "])],
     what="set-pathq replaces path and query")

case("replace_path", "rewrite", site("""
http-request replace-path /api/v1/(.*) /\\1
http-request replace-path ^/static(/.*)?$ /assets\\1
"""), [G("/api/v1/users/7?x=y", srv=[r"^GET /users/7\?x=y "]), G("/static/a.css", srv=[r"^GET /assets/a.css "]),
       G("/static", srv=[r"^GET /assets "])], what="replace-path with captures, query untouched")

case("set_uri", "rewrite", site("""
http-request set-uri http://backend.internal%[pathq] if { path_beg /abs }
http-request set-uri /fixed?%[query] if { path_beg /rel }
"""), [G("/abs/x?y=1"), G("/rel/z?k=v", srv=[r"^GET /fixed\?k=v "])], what="set-uri absolute and relative")

case("replace_uri", "rewrite", site("""
http-request replace-uri ^/old/(.*) /new/\\1
http-request replace-uri ^http://([^/]*)/(.*) https://\\1/\\2
"""), [G("/old/page?x=1", srv=[r"^GET /new/page\?x=1 "]), G("http://example.com/abs", host="example.com")],
     what="replace-uri on origin and absolute forms")

case("set_query", "rewrite", site("""
http-request set-query %[query]&src=%[src] if { path_beg /track } { query -m found }
http-request set-query lang=en if { path_beg /page }
http-request set-query %[query,regsub(secret=[^&]*&?,)] if { path_beg /clean }
"""), [G("/track?a=1", srv=[r"^GET /track\?a=1&src=127.0.0.1 "]), G("/page", srv=[r"^GET /page\?lang=en "]),
       G("/clean?secret=1"), G("/clean?a=1&secret=2&b=3")], what="set-query append, add, to empty")

case("set_method", "rewrite", site("""
http-request set-method POST if { path /legacy }
http-request set-method %[req.hdr(x-http-method-override)] if { req.hdr(x-http-method-override) -m found }
"""), [G("/legacy", srv=[r"^POST /legacy HTTP/1.1"]), G("/api", method="POST", body=b"{}",
                                                         headers="X-HTTP-Method-Override: DELETE", srv=[r"^DELETE /api "])],
     what="set-method fixed and from a header")

case("rewrite_order", "rewrite", site("""
http-request set-header x-before %[path]
http-request set-path /v2%[path]
http-request set-header x-after %[path]
http-request set-header x-url %[url]
""", backends=(), extra="""
backend app
    http-request set-header x-backend-sees %[path]
    server app1 @app@
"""), [G("/p?q=1", srv=[hv("x-before", "/p"), hv("x-after", "/v2/p"), hv("x-backend-sees", "/v2/p")])],
     what="fetches after a rewrite see it, backend rules run after the frontend's")


# ---- Variables ---------------------------------------------------------------

case("vars_set_unset", "vars", site("""
http-request set-var(txn.tier) str(gold) if { req.hdr(x-plan) gold }
http-request set-var(txn.tier) str(free) if !{ req.hdr(x-plan) -m found }
http-request unset-var(txn.tier) if { path_beg /anon }
http-request set-header x-tier %[var(txn.tier)]
http-request set-header x-has-tier 1 if { var(txn.tier) -m found }
http-request set-var(txn.count,ifnotexists) int(1)
http-request set-var(txn.count,ifnotexists) int(2)
http-request set-header x-count %[var(txn.count)]
"""), [G(headers="X-Plan: gold", srv=[hv("x-tier", "gold"), hv("x-count", "1")]), G(srv=[hv("x-tier", "free")]),
       G("/anon", nosrv=["x-has-tier"])], what="set-var, conditions on vars, unset-var, ifnotexists")

case("vars_proc_and_types", "vars", site("""
http-request set-var(proc.hits) var(proc.hits,0),add(1)
http-request set-var(txn.ip) src
http-request set-var(txn.flag) bool(1)
http-request set-header x-hits %[var(proc.hits)]
http-request set-header x-ip %[var(txn.ip),ipmask(16)]
http-request set-header x-flag %[var(txn.flag)]
"""), [G(srv=[hv("x-hits", "1")]), G(srv=[hv("x-hits", "2")]), G(src="127.0.0.33", srv=[hv("x-hits", "3")])],
     what="a process-wide counter in a variable, typed variables")

case("vars_lf_default", "vars", site("""
http-request set-var-fmt(txn.sig) "%[req.hdr(host)]|%[method]|%[path]"
http-request set-header x-sig %[var(txn.sig)]
http-request set-header x-default %[var(txn.nothing,fallback)]
"""), [G("/a", srv=[hv("x-sig", "example.com|GET|/a"), hv("x-default", "fallback")])],
     what="set-var-fmt and var() with a default")


# ---- Logging: capture and set-log-level --------------------------------------

case("capture_log", "log", site("""
log-format "%ci %HM %HU %ST hr=%hr cap0=%[capture.req.hdr(0)] cap1=%[capture.req.hdr(1)] ua=%[capture.req.hdr(2)]"
capture request header Host len 32
http-request capture req.hdr(x-request-id) len 8
http-request capture req.hdr(user-agent) len 10
"""), [G("/a?b=1", headers="X-Request-Id: 0123456789abcdef\nUser-Agent: Mozilla/5.0 (X11)"), G("/b")],
     log=2, log_expect=[r"cap1=01234567 "], what="capture request header and http-request capture, truncated, in logs")

case("capture_response_log", "log", site("""
log-format "%ST %HU hs=%hs"
capture response header Content-Type len 20
http-response capture res.hdr(x-served-by) id 0
declare capture response len 12
"""), [G("/r")], log=1, what="declare capture response, capture response header, http-response capture id")

case("set_log_level", "log", site("""
log-format "%HU %ST"
http-request set-log-level silent if { path /health }
http-request set-log-level debug if { path /noisy }
http-request set-log-level err if { path /err }
"""), [G("/health"), G("/noisy"), G("/err"), G("/normal")], log=2, what="set-log-level silent and below the log filter")

case("log_vars_and_after", "log", site("""
log-format "%HU tier=%[var(txn.tier)] st=%ST"
http-request set-var(txn.tier) str(gold) if { path_beg /g }
http-after-response set-var(txn.tier) str(changed-after) if { status 403 }
http-request deny if { path_beg /gd }
"""), [G("/g"), G("/gd", status=403), G("/x")], log=3, what="variables in the log line, set by http-after-response")


# ---- normalize-uri (experimental in 2.6) -------------------------------------

case("normalize_merge_slashes", "normalize", site("""
http-request normalize-uri path-merge-slashes
http-request set-header x-path %[path]
"""), [G("//a//b///c?x=//y", srv=[r"^GET /a/b/c\?x=//y "]), G("/")], experimental=True, what="path-merge-slashes")

case("normalize_dots", "normalize", site("""
http-request normalize-uri path-strip-dot
http-request normalize-uri path-strip-dotdot
"""), [G("/a/./b/../c/", srv=[r"^GET /a/c/ "]), G("/../x"), G("/a/b/.."), G("/a/%2e%2e/b")], experimental=True,
     what="path-strip-dot, path-strip-dotdot")

case("normalize_dotdot_full", "normalize", site("""
http-request normalize-uri path-strip-dotdot full
"""), [G("/../../x/y", srv=[r"^GET /x/y "]), G("/a/../../b")], experimental=True, what="path-strip-dotdot full")

case("normalize_percent", "normalize", site("""
http-request normalize-uri percent-decode-unreserved
http-request normalize-uri percent-to-uppercase
"""), [G("/%7euser/%41bc%2fd?q=%61%2f", srv=[r"^GET /~user/Abc%2Fd\?q=a%2F "]), G("/a%zz")], experimental=True,
     what="percent-decode-unreserved then percent-to-uppercase")

case("normalize_percent_strict", "normalize", site("""
http-request normalize-uri percent-to-uppercase strict
"""), [G("/ok%2f", srv=[r"^GET /ok%2F "]), G("/bad%zz", status=400)], experimental=True, what="strict answers 400 on a bad escape")

case("normalize_query_sort", "normalize", site("""
http-request normalize-uri query-sort-by-name
"""), [G("/s?b=2&a=1&c&a=0", srv=[r"^GET /s\?a=1&a=0&b=2&c "]), G("/s?"), G("/s")], experimental=True,
     what="query-sort-by-name, stable")

case("normalize_fragment", "normalize", site("""
option accept-invalid-http-request
http-request normalize-uri fragment-strip if { path_beg /strip }
http-request normalize-uri fragment-encode if { path_beg /enc }
"""), [G("/strip#frag"), G("/enc/x#y")], experimental=True, what="fragment-strip and fragment-encode")


# ---- Early hints ---------------------------------------------------------------

case("early_hint", "early-hint", site("""
http-request early-hint link "</style.css>; rel=preload; as=style" if { path / }
http-request early-hint link "</app.js>; rel=preload; as=script" if { path / }
http-request early-hint x-debug %[path] if { path / }
"""), [G("/", interim=[103, 103, 103], status=200), G("/other", interim=[], status=200)],
     what="conditional early-hint rules: one 103 each")

case("early_hint_grouped", "early-hint", site("""
http-request set-var(txn.page) path
http-request early-hint link "</style.css>; rel=preload; as=style"
http-request early-hint link "</app.js>; rel=preload; as=script"
http-request early-hint x-page %[var(txn.page)]
http-request set-header x-after-hints 1
"""), [G("/", interim=[103], status=200, srv=[hv("x-after-hints", "1")])],
     what="consecutive unconditional early-hint rules share one 103")

case("early_hint_http10", "early-hint", site("""
http-request early-hint link "</style.css>; rel=preload"
"""), [G("/", version="HTTP/1.0", status=200)], what="no 103 to an HTTP/1.0 client")


# ---- http-response rules -------------------------------------------------------

SERVER_RESPONSE = response("201 Created", [("Server", "Apache/2.4.1"), ("Cache-Control", "max-age=3600, public"),
                                           ("X-Powered-By", "PHP/8"), ("Content-Type", "text/html")], b"<p>created</p>\n")

case("res_set_del_replace", "response", site(r"""
http-response set-header X-Frame-Options DENY
http-response del-header Server
http-response del-header x-powered -m beg
http-response replace-value Cache-Control ^max-age=(.*) max-age=60
http-response add-header X-Via proxy
http-response set-header X-Path %[var(txn.path)]
http-request set-var(txn.path) path
"""), [G("/new", status=201, hdr={"x-frame-options": "^DENY$", "server": None, "x-powered-by": None,
                                  "cache-control": "^max-age=60, public$"})],
     response=SERVER_RESPONSE, what="http-response set/del/replace-value/add-header; request fetch in response")

case("res_set_status", "response", site("""
http-response set-status 200 reason "All Good" if { status 201 }
"""), [G("/a", status=200)], response=SERVER_RESPONSE, what="set-status with a reason")

case("res_set_status_default_reason", "response", site("""
http-response set-status 404 if { status 201 }
http-response set-status 503 if { res.hdr(x-none) -m found }
"""), [G("/a", status=404)], response=SERVER_RESPONSE, what="set-status picks the standard reason")

case("res_deny", "response", site("""
http-response deny if { res.hdr(x-leak) -m found }
"""), [G("/", status=200, server="app")],
     what="http-response deny not triggered")

case("res_deny_leak", "response", site("""
http-response deny if { res.hdr(x-leak) -m found }
http-response deny deny_status 500 hdr x-blocked 1 if { status 201 }
"""), [G("/", status=502)], response=response("200 OK", [("X-Leak", "password")], b"secret\n"),
     what="http-response deny answers 502 by default")

case("res_deny_status", "response", site("""
http-response deny deny_status 500 hdr x-blocked 1 if { status 201 }
"""), [G("/", status=500, hdr={"x-blocked": "^1$"})], response=SERVER_RESPONSE, what="http-response deny with status and hdr")

case("res_redirect", "response", site("""
http-request set-var(txn.path) path
http-response redirect location /login?back=%[var(txn.path)] if { status 401 }
"""), [G("/account", status=302, hdr={"location": r"^/login\?back=/account$"})],
     response=response("401 Unauthorized", [("WWW-Authenticate", "Basic")], b"no\n"), what="http-response redirect")

case("res_return", "response", site("""
http-response return status 503 content-type text/plain string "backend failure hidden" if { status ge 500 }
"""), [G("/", status=503, answer="backend failure hidden")], response=response("500 Internal Server Error", [], b"stack trace\n"),
     what="http-response return replaces a 500")

case("res_cookie_rewrite", "response", site(r"""
http-response replace-header Set-Cookie (.*) \1;\ Secure if !{ res.hdr(set-cookie) -m sub -i secure }
"""), [G()], response=response("200 OK", [("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Secure")], b"ok\n"),
     what="replace-header on Set-Cookie with an escaped space")


# ---- http-after-response: also on local answers --------------------------------

case("after_response_local", "after-response", site("""
http-request deny if { path_beg /deny }
http-request return status 200 content-type text/plain string ok if { path /ret }
http-request redirect location /new if { path /redir }
use_backend empty if { path /down }
http-after-response set-header X-Served-By proxy
http-after-response add-header Strict-Transport-Security "max-age=31536000"
http-after-response set-header X-Status %[status]
http-response set-header X-Only-Server 1
""", extra="""
backend empty
    server none1 127.0.0.1:9 disabled
"""), [G("/deny", status=403, hdr={"x-served-by": "^proxy$", "x-status": "^403$", "x-only-server": None}),
       G("/ret", status=200, hdr={"x-served-by": "^proxy$"}), G("/redir", status=302, hdr={"x-served-by": "^proxy$"}),
       G("/down", status=503, hdr={"x-served-by": "^proxy$"}), G("/", status=200, hdr={"x-only-server": "^1$"})],
     what="http-after-response on deny, return, redirect, 503 and a server answer")

case("after_response_del_server", "after-response", site("""
http-after-response del-header server
http-after-response replace-header Content-Type ^text/html$ "text/html; charset=utf-8"
http-after-response set-status 202 if { status 201 }
"""), [G(status=202, hdr={"server": None, "content-type": "^text/html; charset=utf-8$"})], response=SERVER_RESPONSE,
     what="http-after-response on the server's response")

case("after_response_in_backend", "after-response", site("""
http-after-response set-header x-fe 1
""", backends=(), extra="""
backend app
    http-after-response set-header x-be 1
    server app1 @app@
"""), [G(hdr={"x-fe": "^1$", "x-be": "^1$"})], what="http-after-response in frontend and backend, order")


# ---- Routing: use_backend, default_backend, use-server -------------------------

case("use_backend_conditions", "routing", site("""
acl is_api path_beg /api/
acl is_static path_end .css .js .png
acl api_host hdr(host) -i api.example.com
use_backend api if is_api || api_host
use_backend static if is_static
use_backend static if { path_beg /api/static }
""", backends=("app", "api", "static")), [G("/api/x", server="api"), G("/a.css", server="static"),
                                          G("/", host="api.example.com", server="api"), G("/api/static/a.png", server="api"),
                                          G("/page", server="app")], what="first matching use_backend wins")

case("use_backend_map", "routing", site("""
use_backend %[req.hdr(host),lower,map(@DIR@/hosts.map,app)]
""", backends=("app", "api", "static")), [G(host="API.EXAMPLE.COM", server="api"), G(host="static.example.com", server="static"),
                                          G(host="unknown.org", server="app"), G(host="ghost.example.com", server="app"),
                                          G(host=None, version="HTTP/1.0", server="app")],
     files={"hosts.map": HOSTS_MAP}, what="dynamic use_backend from a map; unknown name falls back to default_backend")

case("use_backend_dynamic_hdr", "routing", site("""
use_backend be_%[req.hdr(x-tenant),lower] if { req.hdr(x-tenant) -m found }
""", backends=("app", "be_red", "be_blue")), [G(headers="X-Tenant: RED", server="be_red"), G(headers="X-Tenant: blue", server="be_blue"),
                                              G(headers="X-Tenant: green", server="app"), G(server="app")],
     what="backend name built from a header")

case("no_default_backend", "routing", """
frontend www
    bind @BIND@
    use_backend api if { path_beg /api }

backend api
    server api1 @api@
""", [G("/api", status=200, server="api"), G("/", status=503, answer="No server is available")],
     what="no matching backend and no default_backend answers 503")

case("use_server", "routing", """
frontend www
    bind @BIND@
    default_backend pool

backend pool
    balance roundrobin
    use-server s2 if { req.hdr(x-canary) 1 }
    use-server %[req.hdr(x-server)] if { req.hdr(x-server) -m found }
    server s1 @one@
    server s2 @two@
""", [G(headers="X-Canary: 1", server="two"), G(server="one"), G(server="two"), G(server="one"),
      G(headers="X-Server: s1", server="one"), G(headers="X-Server: s9")], what="use-server fixed and dynamic, with roundrobin")

case("listen_section", "routing", """
listen web
    bind @BIND@
    http-request deny if { path_beg /private }
    http-request set-header x-listen %[fe_name]/%[be_name]
    server web1 @web@
""", [G("/private", status=403), G("/", server="web", srv=[hv("x-listen", "web/web")])], what="rules in a listen section")

case("nbsrv_maintenance", "routing", site("""
use_backend maintenance if { nbsrv(app) lt 1 }
""", backends=(), extra="""
backend app
    server app1 127.0.0.1:9 disabled
    server app2 127.0.0.1:9 disabled

backend maintenance
    http-request return status 503 content-type text/html string "<h1>Maintenance</h1>" hdr retry-after 120
"""), [G(status=503, answer="Maintenance", hdr={"retry-after": "^120$"})], what="maintenance page when nbsrv is 0")

case("backend_rules_order", "routing", site("""
http-request set-header x-order fe
http-request add-header x-trail fe-1
use_backend api if { path_beg /api }
""", backends=("app",), extra="""
backend api
    http-request set-header x-order be
    http-request add-header x-trail be-1
    http-request deny if { req.hdr(x-order) fe }
    server api1 @api@
"""), [G("/api/x", server="api", srv=[hv("x-order", "be")]), G("/", server="app", srv=[hv("x-order", "fe")])],
     what="frontend rules, then switching, then the backend's rules")

case("use_backend_unless_default", "routing", site("""
use_backend api unless { path_beg /web } || { path_beg /static }
""", backends=("app", "api")), [G("/web/x", server="app"), G("/rest", server="api")], what="use_backend unless")

case("defaults_rules_inherited", "routing", """
defaults web-defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
    option forwardfor

frontend www from web-defaults
    bind @BIND@
    http-request set-header x-fe yes
    default_backend app

backend app from web-defaults
    server app1 @app@
""", [G(srv=[hv("x-fe", "yes"), hv("x-forwarded-for", "127.0.0.1")])], what="named defaults with from")


# ---- option forwardfor / originalto --------------------------------------------

case("forwardfor_basic", "forwardfor", site("""
option forwardfor
"""), [G(srv=[hv("x-forwarded-for", "127.0.0.1")]), G(src="127.0.0.2", headers="X-Forwarded-For: 1.2.3.4",
                                                      srv=[hv("x-forwarded-for", "1.2.3.4"), hv("x-forwarded-for", "127.0.0.2")])],
     what="option forwardfor appends a header")

case("forwardfor_except", "forwardfor", site("""
option forwardfor except 127.0.0.2/32
"""), [G(src="127.0.0.2", nosrv=["x-forwarded-for"]), G(srv=[hv("x-forwarded-for", "127.0.0.1")])],
     what="option forwardfor except a network")

case("forwardfor_header", "forwardfor", site("""
option forwardfor header X-Client-IP
"""), [G(headers="X-Client-IP: spoofed", srv=[hv("x-client-ip", "127.0.0.1")])], what="option forwardfor header NAME")

case("forwardfor_if_none", "forwardfor", site("""
option forwardfor if-none
"""), [G(headers="X-Forwarded-For: 9.9.9.9", srv=[hv("x-forwarded-for", "9.9.9.9")], nosrv=["127.0.0.1"]),
       G(srv=[hv("x-forwarded-for", "127.0.0.1")])], what="option forwardfor if-none")

case("forwardfor_if_none_rule_header", "forwardfor", site("""
http-request set-header X-Forwarded-For 5.6.7.8
http-request set-header X-Other o
option forwardfor if-none
"""), [G(srv=[hv("x-forwarded-for", "5.6.7.8"), hv("x-other", "o")], nosrv=["127.0.0.1"])],
     what="option forwardfor if-none sees a header an http-request rule set")

case("forwardfor_in_backend", "forwardfor", site("""
option forwardfor header X-Fe-For
""", backends=(), extra="""
backend app
    option forwardfor header X-Be-For except 127.0.0.3
    server app1 @app@
"""), [G(), G(src="127.0.0.3")], what="forwardfor in frontend and backend")

case("forwardfor_after_delete", "forwardfor", site("""
option forwardfor
http-request del-header x-forwarded-for
"""), [G(headers="X-Forwarded-For: 6.6.6.6", srv=[hv("x-forwarded-for", "127.0.0.1")], nosrv=["6.6.6.6"])],
     what="rules run before forwardfor adds its header")

case("originalto", "forwardfor", site("""
option originalto
"""), [G(srv=[hv("x-original-to", "127.0.0.1")])], what="option originalto")

case("originalto_header_except", "forwardfor", site("""
option originalto header X-Dst except 10.0.0.0/8
option forwardfor header X-Src except 127.0.0.9
"""), [G(srv=[hv("x-dst", "127.0.0.1"), hv("x-src", "127.0.0.1")]), G(src="127.0.0.9", nosrv=["x-src"])],
     what="option originalto header and except")


# ---- Error pages ----------------------------------------------------------------

ERR503 = ("HTTP/1.1 503 Service Unavailable\r\ncache-control: no-cache\r\nconnection: close\r\n"
          "content-type: text/html\r\n\r\n<html><body><h1>Sorry, we are down</h1></body></html>\n")
ERR403 = ("HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nx-error-page: site\r\n\r\nForbidden by site policy\n")
ERR404 = ("HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 10\r\n\r\nnot here!\n")

case("errorfile_503", "errors", site("""
errorfile 503 @DIR@/503.http
""", backends=(), extra="""
backend app
    server app1 127.0.0.1:9 disabled
"""), [G(status=503, answer="Sorry, we are down")], files={"503.http": ERR503}, what="errorfile for 503")

case("monitor_fail", "errors", site("""
monitor-uri /health
acl down nbsrv(app) lt 1
monitor fail if down
monitor fail if { req.hdr(x-drain) -m found }
""", backends=(), extra="""
backend app
    server app1 127.0.0.1:9 disabled
"""), [G("/health", status=503), G("/health", method="HEAD", status=503), G("/other", status=503)],
     what="monitor fail: a probe gets the 503 page when a condition holds, HEAD without its body")

case("monitor_fail_unless", "errors", site("""
monitor-uri /health
monitor fail unless { req.hdr(x-ready) -m found }
errorfile 503 @DIR@/503.http
"""), [G("/health", status=503, answer="Sorry, we are down"), G("/health", headers=[("X-Ready", "1")], status=200),
       G("/health", method="POST", body=b"abc", status=503), G("/app")],
     files={"503.http": ERR503}, what="monitor fail unless, with the proxy's errorfile 503; a probe with a body")

case("errorfile_403_deny", "errors", site("""
errorfile 403 @DIR@/403.http
http-request deny if { path_beg /x }
"""), [G("/x", status=403, answer="Forbidden by site policy", hdr={"x-error-page": "^site$"})],
     files={"403.http": ERR403}, what="errorfile used by deny, without content-length")

case("errorfiles_http_errors", "errors", """
http-errors site-errors
    errorfile 403 @DIR@/403.http
    errorfile 404 @DIR@/404.http

frontend www
    bind @BIND@
    errorfiles site-errors
    http-request deny if { path_beg /forbidden }
    http-request deny deny_status 404 if { path_beg /missing }
    default_backend app

backend app
    server app1 @app@
""", [G("/forbidden", status=403, answer="Forbidden by site policy"), G("/missing", status=404, answer="not here")],
     files={"403.http": ERR403, "404.http": ERR404}, what="errorfiles naming an http-errors section")

case("errorfiles_partial", "errors", """
http-errors site-errors
    errorfile 403 @DIR@/403.http
    errorfile 404 @DIR@/404.http

frontend www
    bind @BIND@
    errorfiles site-errors 404
    http-request deny if { path_beg /forbidden }
    http-request deny deny_status 404 if { path_beg /missing }
    default_backend app

backend app
    server app1 @app@
""", [G("/forbidden", status=403, answer="Request forbidden"), G("/missing", status=404, answer="not here")],
     files={"403.http": ERR403, "404.http": ERR404}, what="errorfiles importing one code only")

case("http_error_string", "errors", site("""
http-error status 503 content-type "text/html" string "<h1>Down for maintenance</h1>" hdr retry-after 30
http-error status 403 content-type text/plain lf-string "Forbidden: %[path]"
http-request deny if { path_beg /no }
""", backends=(), extra="""
backend app
    server app1 127.0.0.1:9 disabled
"""), [G("/", status=503, answer="Down for maintenance", hdr={"retry-after": "^30$"}), G("/no/way", status=403, answer="Forbidden: /no/way")],
     what="http-error with string, lf-string and hdr")

case("deny_errorfiles_ref", "errors", """
http-errors api-errors
    errorfile 403 @DIR@/403.http

frontend www
    bind @BIND@
    http-request deny errorfiles api-errors if { path_beg /api }
    http-request deny if { path_beg /web }
    default_backend app

backend app
    server app1 @app@
""", [G("/api/x", status=403, answer="site policy"), G("/web", status=403, answer="Request forbidden")],
     files={"403.http": ERR403}, what="deny naming an http-errors section")

case("errorfile_backend_vs_frontend", "errors", """
frontend www
    bind @BIND@
    errorfile 503 @DIR@/fe503.http
    use_backend down if { path_beg /down }
    default_backend app

backend app
    server app1 @app@

backend down
    errorfile 503 @DIR@/be503.http
    server d1 127.0.0.1:9 disabled
""", [G("/down", status=503, answer="backend page"), G("/", status=200)],
     files={"fe503.http": "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\r\nfrontend page\n",
            "be503.http": "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\r\nbackend page\n"},
     what="the backend's errorfile wins once it is chosen")

# option accept-invalid-http-request|response (recorded with Debian's 2.6.12):
# the request's target (with '#' and bytes above 127, which are a 400
# without it) and header names of any bytes, HTTP/0.9 sent on as 1.0,
# another protocol's version sent on as written; still a 400 for a
# lowercase protocol or a word after the version.
case("accept_invalid_request", "parsing", site("""
option accept-invalid-http-request
"""), [RAW(b"GET /a{b}|c\"<d>^`#f HTTP/1.1\r\nhost: a\r\n\r\n", status=200, srv=[r'^GET /a\{b\}\|c"<d>\^`#f HTTP/1\.1\r\n']),
       RAW(b"GET /caf\xc3\xa9 HTTP/1.1\r\nhost: a\r\nx(y) z: 1\r\n\r\n", status=200, srv=[r"x\(y\) z: 1\r\n"]),
       RAW(b"GET / RTSP/1.0\r\nhost: a\r\n\r\n", status=200, srv=[r"^GET / RTSP/1\.0\r\n", "connection: keep-alive"]),
       RAW(b"GET / HTTP/1.10\r\nhost: a\r\n\r\n", status=200, srv=[r"^GET / HTTP/1\.10\r\n"]),
       RAW(b"GET /nine\r\n\r\n", status=200, srv=[r"^GET /nine HTTP/1\.0\r\n"]),
       RAW(b"GET / http/1.1\r\nhost: a\r\n\r\n", status=400),
       RAW(b"GET / HTTP/1.1 more\r\nhost: a\r\n\r\n", status=400)],
     what="option accept-invalid-http-request")

case("strict_request_parsing", "parsing", site("""
"""), [RAW(b"GET /a#b HTTP/1.1\r\nhost: a\r\n\r\n", status=400), RAW(b"GET /caf\xc3\xa9 HTTP/1.1\r\nhost: a\r\n\r\n", status=400),
       RAW(b"GET /a{b}|c HTTP/1.1\r\nhost: a\r\n\r\n", status=200), RAW(b"GET / RTSP/1.0\r\nhost: a\r\n\r\n", status=400),
       RAW(b"GET / HTTP/1.1\r\nhost: a\r\nx(y): 1\r\n\r\n", status=400), RAW(b"GET /nine\r\n\r\n", status=400)],
     what="without the option, the same requests get 400")

# The method of the HTTP/2 preface: a 400 in any case, with or without
# the option; PRIX is any other method. With `option disable-h2-upgrade`
# the preface itself is one more request 2.6 refuses (without it 2.6
# answers HTTP/2, which this build does not speak).
case("pri_method_refused", "parsing", site("""
"""), [RAW(b"PRI / HTTP/1.1\r\nhost: a\r\n\r\n", status=400), RAW(b"pri / HTTP/1.1\r\nhost: a\r\n\r\n", status=400),
       RAW(b"PRIX / HTTP/1.1\r\nhost: a\r\n\r\n", status=200, srv=[r"^PRIX / HTTP/1\.1\r\n"])],
     what="the method PRI is a 400")

case("pri_method_refused_when_accepting_invalid", "parsing", site("""
option accept-invalid-http-request
"""), [RAW(b"PRI / HTTP/1.1\r\nhost: a\r\n\r\n", status=400)],
     what="the method PRI is a 400 with option accept-invalid-http-request too")

case("disable_h2_upgrade", "parsing", site("""
option disable-h2-upgrade
"""), [RAW(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", status=400), G(status=200)],
     what="option disable-h2-upgrade: the HTTP/2 preface is a 400")

# option http-pretend-keepalive, a backend option (recorded with Debian's
# 2.6.12): under http-server-close or httpclose the request goes to the
# server announced as in keep-alive mode (no `connection: close`; an
# HTTP/1.0 request with `connection: keep-alive`); the client's side is
# unchanged (`connection: close` under httpclose, seen with curl: this
# table leaves hop-by-hop headers out) and the server connection is
# still reset after the response (ServerConnectionCloseTests).
case("http_server_close_announces_close", "forward", site("""
option http-server-close
"""), [G(status=200, srv=[r"\r\nconnection: close\r\n"])],
     what="http-server-close: the request to the server says connection: close")

case("http_pretend_keepalive_server_close", "forward", site("""
option http-server-close
""", extra="    option http-pretend-keepalive\n"),
     [G(status=200, nosrv=[r"(?i)\r\nconnection:"]),
      G(version="HTTP/1.0", status=200, srv=[r"\r\nconnection: keep-alive\r\n"], nosrv=[r"connection: close"])],
     what="option http-pretend-keepalive with http-server-close")

case("http_pretend_keepalive_httpclose", "forward", site("""
option httpclose
""", extra="    option http-pretend-keepalive\n"),
     [G(status=200, nosrv=[r"(?i)\r\nconnection:"])],
     what="option http-pretend-keepalive with httpclose")

case("response_version_kept_below_1_1", "parsing", site("""
"""), [G(status=200)], response=b"HTTX/1.0 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
     what="a response version below 1.1 goes out as the server wrote it")

case("response_version_refused", "parsing", site("""
"""), [G(status=502)], response=b"HTTP/1.10 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
     what="a response version of several digits is a 502 without the option")

case("accept_invalid_response", "parsing", site("""
""", extra="    option accept-invalid-http-response\n"),
     [G(status=200, hdr={"x(y)": "^1$"})],
     response=b"HTTP/1.10 200 OK\r\nx(y): 1\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
     what="option accept-invalid-http-response (in the backend)")

case("errorfile_400", "errors", site("""
errorfile 400 @DIR@/400.http
"""), [RAW(b"GET / HTTP/1.1\r\nhost: a\r\nbad header line\r\n\r\n", status=400, answer="400 Bad request"),
       G("/" + "x" * 17000, status=400)],
     files={"400.http": "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\n\r\nbad request page\n"},
     what="a request the parser rejects gets the built-in page, not the frontend's errorfile")

case("errorfile_502", "errors", site("""
errorfile 502 @DIR@/502.http
http-error status 504 content-type text/plain string "timeout"
"""), [G(status=502, answer="upstream broke")], response=b"this is not HTTP\r\n\r\n",
     files={"502.http": "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\n\r\nupstream broke\n"},
     what="errorfile for an invalid server response")

case("errorfile_defaults", "errors", """
defaults site
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
    errorfile 403 @DIR@/403.http
    http-error status 429 content-type text/plain string "slow down"

frontend www from site
    bind @BIND@
    http-request deny if { path /a }
    http-request deny deny_status 429 if { path /b }
    default_backend app

backend app from site
    server app1 @app@
""", [G("/a", status=403, answer="site policy"), G("/b", status=429, answer="slow down")],
     files={"403.http": ERR403}, what="error pages set in a defaults section")


# ---- retry-on: a response sent again elsewhere ------------------------------------

case("retry_on_503_redispatched_with_body", "routing", """
frontend www
    bind @BIND@
    log-format "%HM %HU %ST %s rc=%rc ts=%ts"
    default_backend app

backend app
    balance roundrobin
    retries 2
    option redispatch
    retry-on 503 502
    server s1 @down@
    server s2 @up@
""", [G("/form", method="POST", body=b"name=value&x=1", status=200),
      G("/again", status=200)],
     response={"down": response("503 Service Unavailable", body=b"busy\n"), "up": DEFAULT_RESPONSE},
     log=2, what="retry-on 503 with option redispatch: the request and its body go again to the other server")

case("retry_on_send_name_header_names_each_server", "routing", """
frontend www
    bind @BIND@
    option forwardfor
    log-format "%HM %HU %ST %s rc=%rc"
    default_backend app

backend app
    balance roundrobin
    option redispatch
    retry-on all-retryable-errors
    http-send-name-header x-server
    server s1 @down@
    server s2 @up@
""", [G("/", headers="x-server: forged", status=200)],
     response={"down": response("502 Bad Gateway", body=b"bad\n"), "up": DEFAULT_RESPONSE},
     log=1, what="retry-on: a redispatched request names its new server (http-send-name-header), forwardfor once")

case("retry_on_exhausted_passes_last_response", "routing", """
frontend www
    bind @BIND@
    log-format "%HM %HU %ST %s rc=%rc ts=%ts"
    default_backend app

backend app
    retries 2
    retry-on 503
    server s1 @down@
""", [G("/", status=503)],
     response={"down": response("503 Service Unavailable", body=b"busy\n")},
     log=1, what="retry-on: the server gets the request three times, the client its last 503")

case("retry_on_default_passes_503", "routing", """
frontend www
    bind @BIND@
    log-format "%HM %HU %ST %s rc=%rc ts=%ts"
    default_backend app

backend app
    retries 2
    server s1 @down@
""", [G("/", status=503)],
     response={"down": response("503 Service Unavailable", body=b"busy\n")},
     log=1, what="without retry-on, a 503 is not retried")


# ---- Cookie persistence -----------------------------------------------------------

def web(cookie_line, extra_lines="", s1="cookie s1", s2="cookie s2"):
    return f"""
frontend www
    bind @BIND@
    default_backend web

backend web
    balance roundrobin
    {cookie_line}
{extra_lines}
    server s1 @one@ {s1}
    server s2 @two@ {s2}
"""


case("cookie_insert_indirect", "cookie", web("cookie SERVERID insert indirect nocache"),
     [G(server="one", hdr={"set-cookie": "^SERVERID=s1; path=/$"}),
      G(headers="Cookie: SERVERID=s2", server="two", hdr={"set-cookie": None}, nosrv=["SERVERID"]),
      G(headers="Cookie: lang=fr; SERVERID=s2; theme=x", server="two", srv=[hv("cookie", "lang=fr; theme=x")]),
      G(headers="Cookie: SERVERID=zz", hdr={"set-cookie": "SERVERID=s"}),
      G(headers="Cookie: SERVERID=s1\nCookie: other=1", server="one")],
     what="insert indirect nocache: set on first visit, stripped from requests")

case("cookie_insert_attrs", "cookie", web('cookie SRV insert httponly secure domain .example.com attr "SameSite=Lax"'),
     [G(hdr={"set-cookie": "^SRV=s1; path=/; domain=.example.com; HttpOnly; Secure; SameSite=Lax$"}),
      G(headers="Cookie: SRV=s1", server="one", srv=["SRV=s1"])],
     what="insert with httponly, secure, domain and attr; not indirect, so kept")

case("cookie_rewrite", "cookie", web("cookie JSESSIONID rewrite"),
     [G(server="one", hdr={"set-cookie": "^JSESSIONID=s1"}), G(headers="Cookie: JSESSIONID=s2", server="two")],
     response=response("200 OK", [("Set-Cookie", "JSESSIONID=abc123; Path=/; HttpOnly")], b"ok\n"),
     what="rewrite replaces the value the server sets")

case("cookie_prefix", "cookie", web("cookie JSESSIONID prefix nocache"),
     [G(server="one", hdr={"set-cookie": "^JSESSIONID=s1~abc123"}),
      G(headers="Cookie: JSESSIONID=s2~xyz; other=1", server="two", srv=[hv("cookie", "JSESSIONID=xyz; other=1")]),
      G(headers="Cookie: JSESSIONID=nosuch~xyz")],
     response=response("200 OK", [("Set-Cookie", "JSESSIONID=abc123; Path=/")], b"ok\n"),
     what="prefix: server~value both ways")

case("cookie_maxidle_maxlife", "cookie", web("cookie SRV insert indirect nocache maxidle 30m maxlife 8h"),
     [G(server="one", hdr={"set-cookie": r"^SRV=s1\|"}), G(headers="Cookie: SRV=s2", server="two"),
      G(headers="Cookie: SRV=s2|AAAAA|AAAAA")],
     normalize=[(rb"(SRV=s\d)\|[A-Za-z0-9]+\|[A-Za-z0-9]+", rb"\1|<date>|<date>"), (rb"(SRV=s\d)\|[A-Za-z0-9]+", rb"\1|<date>")],
     what="maxidle and maxlife dates in the cookie (normalised), an old cookie")

case("cookie_persist_disabled", "cookie", web("cookie SERVERID insert indirect", "    option persist\n    option redispatch",
                                              s2="cookie s2 disabled"),
     [G(headers="Cookie: SERVERID=s2", server="two"), G(server="one")],
     what="option persist still reaches a server in maintenance")

case("cookie_force_persist", "cookie", web("cookie SERVERID insert indirect",
                                           "    force-persist if { req.hdr(x-force) 1 }", s2="cookie s2 disabled"),
     [G(headers="Cookie: SERVERID=s2\nX-Force: 1"), G(headers="Cookie: SERVERID=s2", server="one")],
     what="force-persist on a server in maintenance")

case("cookie_ignore_persist", "cookie", web("cookie SERVERID insert indirect",
                                            "    ignore-persist if { path_end .png }"),
     [G("/a.png", headers="Cookie: SERVERID=s2", server="one"), G("/page", headers="Cookie: SERVERID=s2", server="two"),
      G("/b.png", headers="Cookie: SERVERID=s2", server="two")], what="ignore-persist for static files")

case("cookie_dynamic", "cookie", web("cookie SRVID insert dynamic", '    dynamic-cookie-key "s3cr3t-key"', s1="", s2=""),
     [G(server="one", hdr={"set-cookie": "^SRVID=[0-9a-f]+; path=/"}), G(server="two")],
     what="dynamic cookies from the key and each server's address")

case("cookie_postonly_preserve", "cookie", web("cookie SRV insert postonly preserve"),
     [G(server="one", hdr={"set-cookie": None}), G("/form", method="POST", body=b"a=1", server="two", hdr={"set-cookie": "SRV=s2"})],
     what="insert postonly")

case("cookie_server_sets_same", "cookie", web("cookie SERVERID insert indirect preserve"),
     [G(server="one"), G(headers="Cookie: SERVERID=s2", server="two")],
     response=response("200 OK", [("Set-Cookie", "SERVERID=from-app; Path=/")], b"ok\n"),
     what="preserve: the server's own cookie of that name is kept")

case("cookie_with_use_server", "cookie", web("cookie SERVERID insert indirect nocache",
                                             "    use-server s2 if { path_beg /admin }"),
     [G("/admin", server="two", hdr={"set-cookie": None}), G("/admin", headers="Cookie: SERVERID=s1", server="two"),
      G("/", headers="Cookie: SERVERID=s2", server="two"), G("/", server="one", hdr={"set-cookie": "SERVERID=s1"})],
     what="use-server beats a persistence cookie, and sets none")

case("cookie_nocache_cacheable", "cookie", web("cookie SERVERID insert indirect nocache"),
     [G(server="one", hdr={"set-cookie": "^SERVERID=s1; path=/$"}), G(headers="Cookie: SERVERID=s1", server="one")],
     response=response("200 OK", [("Cache-Control", "public, max-age=600"), ("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")],
                       b"cacheable\n"),
     what="nocache on a cacheable response")


# ---- TCP rules --------------------------------------------------------------------

case("tcp_conn_reject_src", "tcp", site("""
tcp-request connection reject if { src 127.0.0.66 }
"""), [G(src="127.0.0.66", noresponse=True, server=None), G(status=200)], what="tcp-request connection reject by source")

case("tcp_conn_accept_then_reject", "tcp", site("""
tcp-request connection accept if { src -f @DIR@/trusted.lst }
tcp-request connection reject
"""), [G(src="127.0.0.2", status=200), G(noresponse=True)], files={"trusted.lst": "# trusted\n127.0.0.2\n"},
     what="accept from a list, reject the rest")

case("tcp_session_reject", "tcp", site("""
tcp-request session reject if { src 127.0.0.67 }
tcp-request content reject if { req.hdr(x-evil) -m found }
"""), [G(src="127.0.0.67", noresponse=True), G(headers="X-Evil: 1", noresponse=True), G(status=200)],
     what="tcp-request session and content reject in an HTTP frontend")

case("tcp_content_set_var_http", "tcp", site("""
tcp-request inspect-delay 2s
tcp-request content set-var(sess.client) src
tcp-request content set-var(txn.early) str(seen)
http-request set-header x-client %[var(sess.client)]
http-request set-header x-early %[var(txn.early)]
"""), [G(srv=[hv("x-client", "127.0.0.1")])], what="tcp-request content set-var read by http rules")

case("unique_id_tcp", "format", """
listen tcpl
    mode tcp
    bind @BIND@
    unique-id-format %{+X}o\\ %ci_%rt_%b_%s_%[str(x)]\\ \\ %ST
    log-format "%ID|%rt|%ST"
    server t1 @tcpl@
""", [RAW(b"ping\n", server="tcpl"), RAW(b"pong\n", server="tcpl")], mode="tcp", log=2,
     what="unique-id-format in mode tcp: the log line's %ID, with %ST 0 as 2.6 writes it")

case("unique_id_tcp_fetch", "format", """
listen tcpl
    mode tcp
    bind @BIND@
    unique-id-format %ci_%rt_%s_%B_%ST
    tcp-request inspect-delay 1s
    tcp-request content set-var(sess.id) unique-id
    tcp-request content set-var(sess.n) unique-id,length
    tcp-request content accept
    log-format "%ID|%[var(sess.id)]|%[var(sess.n)]"
    server t1 @tcpl@
""", [RAW(b"ping\n", server="tcpl"), RAW(b"pong\n", server="tcpl")], mode="tcp", log=2,
     what="the unique-id fetch in a tcp-request rule makes the ID then, and the log line keeps that one")

case("tcp_set_var_fmt_log_variables", "format", """
listen tcpl
    mode tcp
    bind @BIND@
    tcp-request content set-var-fmt(txn.x) "%ci|%rt|%b|%ST|%{+X}o%ci|%tsc|%B|%Tw|%s"
    log-format "%[var(txn.x)]"
    server t1 @tcpl@
""", [RAW(b"ping\n", server="tcpl"), RAW(b"pong\n", server="tcpl")], mode="tcp", log=2,
     what="log-format variables in a tcp-request rule's format, rendered as the log line would then")

HELLO_API = client_hello("api.example.com")
HELLO_WWW = client_hello("www.example.com")
HELLO_NONE = client_hello(None)
HELLO_UPPER = client_hello("API.Example.COM")

case("tcp_sni_routing", "tcp", """
frontend tls
    bind @BIND@
    tcp-request inspect-delay 2s
    tcp-request content accept if { req.ssl_hello_type 1 }
    tcp-request content reject
    use_backend api_tls if { req.ssl_sni -i api.example.com }
    use_backend www_tls if { req_ssl_sni -m end .example.com }
    default_backend other_tls

backend api_tls
    server a @api_tls@

backend www_tls
    server w @www_tls@

backend other_tls
    server o @other_tls@
""", [RAW(HELLO_API, server="api_tls"), RAW(HELLO_WWW, server="www_tls"), RAW(HELLO_NONE, server="other_tls"),
      RAW(HELLO_UPPER, server="api_tls"), RAW(b"GET / HTTP/1.0\r\n\r\n", server=None)],
     mode="tcp", what="SNI routing of real ClientHellos, non-TLS rejected")

case("tcp_sni_map", "tcp", """
frontend tls
    bind @BIND@
    tcp-request inspect-delay 2s
    tcp-request content accept if { req.ssl_hello_type 1 }
    use_backend %[req.ssl_sni,lower,map_dom(@DIR@/sni.map,other_tls)]
    default_backend other_tls

backend api_tls
    server a @api_tls@

backend other_tls
    server o @other_tls@
""", [RAW(HELLO_API, server="api_tls"), RAW(HELLO_NONE, server="other_tls"), RAW(HELLO_WWW, server="other_tls")],
     files={"sni.map": "api.example.com api_tls\n"}, mode="tcp", what="SNI through a map to a backend name")

case("tcp_payload_protocols", "tcp", """
frontend mux
    bind @BIND@
    tcp-request inspect-delay 1s
    tcp-request content accept if { req.payload(0,4) -m bin 5353482d }
    tcp-request content accept if HTTP
    tcp-request content accept if { req.ssl_hello_type 1 }
    use_backend ssh if { req.payload(0,4) -m str SSH- }
    use_backend http if HTTP
    default_backend other

backend ssh
    server s @ssh@

backend http
    server h @http@

backend other
    server o @other@
""", [RAW(b"SSH-2.0-OpenSSH_9.2p1\r\n", server="ssh"), RAW(b"GET / HTTP/1.1\r\nhost: a\r\n\r\n", server="http"),
      RAW(HELLO_WWW, server="other")], mode="tcp", what="protocol detection by payload and the HTTP ACL")

case("tcp_content_reject_payload", "tcp", """
listen raw
    bind @BIND@
    tcp-request inspect-delay 1s
    tcp-request content reject if { req.payload(0,5) -m str DROP: }
    tcp-request content accept if { req.len ge 5 }
    server r @raw@
""", [RAW(b"DROP: everything\n", noresponse=True, server=None), RAW(b"KEEP: this\n", server="raw")], mode="tcp",
     what="reject by the first bytes of the payload")

case("tcp_response_content", "tcp", """
frontend raw
    bind @BIND@
    tcp-request inspect-delay 1s
    tcp-request content accept if { req.len gt 0 }
    use_backend bad if { req.payload(0,3) -m str BAD }
    default_backend good

backend good
    tcp-response inspect-delay 1s
    tcp-response content reject if { res.payload(0,5) -m str ERROR }
    server g @good@

backend bad
    tcp-response inspect-delay 1s
    tcp-response content reject if { res.payload(0,5) -m str ERROR }
    server b @bad@
""", [RAW(b"GOOD request\n", server="good", answer="fine"), RAW(b"BAD request\n", server="bad")], mode="tcp",
     response={"good": b"fine, thanks\n", "bad": b"ERROR: internal details\n"}, what="tcp-response content reject")

case("tcp_conn_reject_tcp_mode", "tcp", """
listen raw
    bind @BIND@
    tcp-request connection reject if { src 127.0.0.66 }
    tcp-request connection accept if { src 127.0.0.0/8 }
    server r @raw@
""", [RAW(b"hello\n", src="127.0.0.66", server=None), RAW(b"hello\n", server="raw")], mode="tcp",
     what="connection reject in mode tcp")


# ---- Request header name restrictions, hostile input ---------------------------

case("restrict_hdr_names_delete", "hostile", site("""
option http-restrict-req-hdr-names delete
"""), [G(headers="X_Forwarded_For: evil\nX-Ok: 1\nX.Dot: 2", srv=["x-ok: 1"], nosrv=["x_forwarded_for"])],
     what="http-restrict-req-hdr-names delete")

case("restrict_hdr_names_reject", "hostile", site("""
option http-restrict-req-hdr-names reject
"""), [G(headers="X_Forwarded_For: evil", status=403), G(headers="X-Ok: 1", status=200)],
     what="http-restrict-req-hdr-names reject")

case("restrict_hdr_names_preserve", "hostile", site("""
option http-restrict-req-hdr-names preserve
http-request set-header x-seen %[req.hdr(x_under)]
"""), [G(headers="X_Under: kept", srv=["x_under: kept", hv("x-seen", "kept")])], what="preserve, and a fetch of the name")

case("hostile_hdr_name_chars", "hostile", site("""
http-request set-header x-dot %[req.hdr(x.dot)]
http-request del-header x~tilde
http-request set-header x-bang %[req.hdr(x!bang)]
"""), [G(headers="X.Dot: d\nX~Tilde: t\nX!Bang: b\nX|Pipe: p", srv=[hv("x-dot", "d")], nosrv=["x~tilde"])],
     what="odd but valid token characters in header names through rules")

case("hostile_huge_cookie", "hostile", site("""
http-request set-header x-session %[req.cook(session)]
http-request set-header x-cookie-len %[req.hdr(cookie),length]
"""), [G(headers=[("Cookie", "pad=" + "x" * 10000 + "; session=tail")], srv=[hv("x-session", "tail")]),
       G(headers=[("Cookie", "pad=" + "x" * 17000 + "; session=tail")], status=400)],
     what="a 10 KB cookie, then one past the buffer")

case("hostile_dup_host", "hostile", site("""
use_backend api if { hdr(host) -i api.example.com }
""", backends=("app", "api")), [RAW(b"GET / HTTP/1.1\r\nHost: api.example.com\r\nHost: www.example.com\r\n\r\n"),
                                RAW(b"GET / HTTP/1.1\r\nHost: www.example.com\r\nHost: api.example.com\r\n\r\n"),
                                RAW(b"GET / HTTP/1.1\r\nHost: api.example.com\r\nHost: api.example.com\r\n\r\n")],
     what="duplicate Host headers and host routing")

case("hostile_path_bypass", "hostile", site("""
http-request deny if { path_beg /admin }
http-request deny deny_status 401 if { path,url_dec -m beg -i /secret }
"""), [G("/%61dmin"), G("//admin"), G("/admin/../x", status=403), G("/ADMIN"), G("/admin;x", status=403),
       G("/%73ecret", status=401), G("/SECRET%2f", status=401), G("/./admin")],
     what="encoded and odd paths against a path_beg deny")

case("hostile_abs_uri_host", "hostile", site("""
use_backend api if { hdr(host) -i api.example.com }
http-request set-header x-host-seen %[req.hdr(host)]
""", backends=("app", "api")), [RAW(b"GET http://api.example.com/x HTTP/1.1\r\nHost: www.example.com\r\n\r\n"),
                                RAW(b"GET http://www.example.com/x HTTP/1.1\r\nHost: api.example.com\r\n\r\n")],
     what="absolute URI authority disagreeing with Host")

case("hostile_crlf_injection", "hostile", site("""
http-request set-header x-next %[url_param(next),url_dec]
http-request return status 200 content-type text/plain hdr x-echo %[url_param(e),url_dec] string ok if { path /echo }
"""), [G("/r?next=%0d%0aX-Injected:%201"), G("/echo?e=a%0d%0aSet-Cookie:%20pwn=1"), G("/r?next=%00nul")],
     what="CR LF and NUL decoded into a header value")

case("hostile_many_headers", "hostile", site("""
http-request set-header x-count %[req.hdr_cnt(x-h)]
"""), [G(headers="\n".join("X-H: %d" % i for i in range(90)), srv=[hv("x-count", "90")]),
       G(headers="\n".join("X-H: %d" % i for i in range(105)), status=400)], what="hdr_cnt near and past the header limit")

case("hostile_long_value_regsub", "hostile", site("""
http-request set-header x-long %[req.hdr(x-big),regsub(a,bb,g)]
"""), [G(headers=[("X-Big", "a" * 3000)])], what="a rewrite growing past maxrewrite")

case("hostile_uppercase_names", "hostile", site("""
http-request del-header X-SECRET
http-request set-header X-MiXeD value
http-request replace-header CONTENT-TYPE ^text/(.*)$ application/\\1
"""), [G("/u", method="POST", headers="x-secret: s\nContent-Type: text/xml", body=b"<a/>", nosrv=["x-secret"],
         srv=["x-mixed: value", hv("content-type", "application/xml")])], what="rule header names in any case")

case("hostile_space_query", "hostile", site("""
http-request set-header x-q %[query]
http-request set-header x-p %[url_param(p)]
"""), [RAW(b"GET /a?p=1 2 HTTP/1.1\r\nhost: a\r\n\r\n"), G("/a?p=%20x&p2=%ZZ", srv=[hv("x-p", "%20x")]),
       RAW(b"GET /a?p=\xff\xfe HTTP/1.1\r\nhost: a\r\n\r\n")], what="spaces and raw bytes in the query")

case("hostile_pipelined_rules", "hostile", site("""
http-request deny if { path_beg /blocked }
http-request set-header x-seq %[path]
"""), [RAW(b"GET /ok HTTP/1.1\r\nhost: a\r\n\r\nGET /blocked HTTP/1.1\r\nhost: a\r\n\r\n", finals=2, status=403),
       RAW(b"GET /blocked HTTP/1.1\r\nhost: a\r\n\r\nGET /ok HTTP/1.1\r\nhost: a\r\n\r\n", finals=2, status=200)],
     what="a denied request pipelined after an allowed one")

# ----------------------------------------------------------------------------
# Compression: bodies are compared decoded (see `decoded`), headers as sent.

TEXT = b"<p>compressible text, compressible text</p>\n" * 100


def text_response(status="200 OK", headers=(("content-type", "text/html"),), body=TEXT, chunked=False):
    if not chunked:
        return response(status, list(headers), body)
    data = b"HTTP/1.1 " + status.encode() + b"\r\n"
    for name, value in headers:
        data += name.encode() + b": " + value.encode() + b"\r\n"
    data += b"transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    for i in range(0, len(body), 1000):
        data += b"%x\r\n" % len(body[i:i + 1000]) + body[i:i + 1000] + b"\r\n"
    return data + b"0\r\n\r\n"


def AE(value, **expect):
    return G("/", headers=[("accept-encoding", value)], **expect)


GZIPPED = {"content-encoding": "^gzip$", "vary": "^Accept-Encoding$", "content-length": None}
PLAIN = {"content-encoding": None, "vary": None, "content-length": "^4400$"}

case("compression_accept_encoding", "compression", site("""
compression algo gzip raw-deflate
compression type text/html text/plain
"""), [AE("gzip", hdr=GZIPPED, answer=r"^\[gzip\] <p>"), G("/", hdr=PLAIN), AE("deflate, gzip", hdr={"content-encoding": "^deflate$"}),
       AE("gzip;q=0.5, deflate;q=0.9", hdr={"content-encoding": "^deflate$"}), AE("*", hdr={"content-encoding": "^deflate$"}),
       AE("gzip;q=0, *", hdr={"content-encoding": "^deflate$"}), AE("*;q=0", hdr=PLAIN), AE("gzip;q=0.000", hdr=PLAIN),
       AE("gzip;q=0.0001", hdr=PLAIN), AE("GZIP;q=0.001", hdr=GZIPPED), AE("x-gzip, br", hdr=PLAIN),
       G("/", method="HEAD", headers=[("accept-encoding", "gzip")], hdr={"content-encoding": None}),
       G("/", version="HTTP/1.0", headers=[("accept-encoding", "gzip")], hdr={"content-encoding": None}),
       G("/", headers=[("accept-encoding", "gzip"), ("user-agent", "Mozilla/4.0 (compatible)")], hdr=PLAIN),
       G("/", headers=[("accept-encoding", "gzip"), ("user-agent", "Mozilla/4.0 (compatible; MSIE 7.0)")], hdr=GZIPPED)],
     response=text_response(), what="Accept-Encoding, q-values, HEAD, HTTP/1.0 and old browsers")

case("compression_chunked_response", "compression", site("""
compression algo gzip
"""), [AE("gzip", hdr=GZIPPED, answer=r"^\[gzip\] <p>"), G("/", hdr={"content-encoding": None})],
     response=text_response(chunked=True), what="a chunked response compressed")

case("compression_offload", "compression", site("""
compression algo gzip
compression offload
"""), [AE("gzip", hdr=GZIPPED, nosrv=["(?i)accept-encoding"]), AE("br", hdr=PLAIN, srv=["(?i)accept-encoding: br"])],
     response=text_response(), what="offload keeps Accept-Encoding from the server once an algorithm is chosen")

for name, resp, what in [
    ("status_404", text_response("404 Not Found"), "a 404"),
    ("status_206", text_response("206 Partial Content"), "a 206"),
    ("encoded", text_response(headers=[("content-type", "text/html"), ("content-encoding", "br")]), "a Content-Encoding"),
    ("no_transform", text_response(headers=[("content-type", "text/html"), ("cache-control", "public, No-Transform")]),
     "Cache-Control no-transform"),
    ("unquoted_etag", text_response(headers=[("content-type", "text/html"), ("etag", "v1")]), "an unquoted ETag"),
    ("two_etags", text_response(headers=[("content-type", "text/html"), ("etag", '"a"'), ("etag", '"b"')]), "two ETags"),
    ("type_not_listed", text_response(headers=[("content-type", "image/png")]), "a type not listed"),
    ("empty_body", text_response(body=b""), "Content-Length: 0"),
]:
    case("compression_not_" + name, "compression", site("""
compression algo gzip
compression type text/html
"""), [AE("gzip", hdr={"content-encoding": None if name != "encoded" else "^br$", "vary": None})],
         response=resp, what="not compressed: " + what)

case("compression_etag_weakened", "compression", site("""
compression algo gzip
"""), [AE("gzip", hdr=dict(GZIPPED, etag='^W/"v1"$'))],
     response=text_response(headers=[("content-type", "text/html"), ("etag", '"v1"'), ("vary", "Cookie")]),
     what="a strong ETag made weak, Vary added after the server's")

case("compression_backend_first", "compression", site("""
compression algo gzip
compression type text/plain
""", extra="""
    compression algo raw-deflate
    compression type text/html
"""), [AE("gzip, deflate", hdr={"content-encoding": "^deflate$"}, answer=r"^\[raw deflate\] <p>")],
     response=text_response(), what="the backend's algorithms and types before the frontend's")

case("compression_before_response_rules", "compression", site("""
compression algo gzip
compression type text/html
http-request set-var(txn.p) path
http-request del-header accept-encoding if { path /del }
http-response set-header Content-Encoding br if { var(txn.p) -m str /ce }
http-response set-header Cache-Control no-transform if { var(txn.p) -m str /nt }
http-response set-header Content-Type image/png if { var(txn.p) -m str /type }
http-response set-status 404 if { var(txn.p) -m str /status }
http-response replace-header ETag (.*) \1-x if { var(txn.p) -m str /etag }
http-response del-header ETag if { var(txn.p) -m str /deletag }
http-after-response set-header x-ce "%[res.hdr(content-encoding)]"
"""), [G(p, headers=[("accept-encoding", "gzip")]) for p in ("/del", "/ce", "/nt", "/type", "/status", "/etag", "/deletag")],
     response=text_response(headers=[("content-type", "text/html"), ("etag", '"v1"')]),
     what="the response decided on as the server sent it, before the response rules")

case("compression_identity", "compression", site("""
compression algo identity
"""), [G("/", hdr={"content-encoding": None, "vary": "^Accept-Encoding$", "content-length": None}, answer="^<p>")],
     response=text_response(), what="identity re-chunks and adds Vary")

if __name__ == "__main__":
    sys.exit(main())
