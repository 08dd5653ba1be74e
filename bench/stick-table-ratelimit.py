#!/usr/bin/env python3
"""The manual's request rate limit on a full table, ours beside Debian's 2.6.

    stick-table type ip size 1m expire 10m store http_req_rate(10s)
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt LIMIT }

The table is first filled with ENTRIES entries (1,000,000 by default) over
the stats socket (`set table`); each proxy answers the requests itself
(`http-request return`), so what differs is the proxy's own work per
request. Measured for each binary:

- memory per entry: RSS growth over the filling, divided by ENTRIES;
- CPU per request: the proxy's user+system time over a wrk run (keep-alive,
  10 connections, DURATION seconds) divided by the requests done;
- instructions per request (with --callgrind): the proxy under callgrind
  with instrumentation off while the table fills, then on for WARMUP
  requests (dumped and dropped) and REQUESTS more on one keep-alive
  connection. Build ours for it without the lld flags of `make release`
  (valgrind cannot read packed relative relocations):
  swift build -c release --static-swift-stdlib -Xswiftc -enforce-exclusivity=unchecked
  --scratch-path .build-rel
  (a copy of the binary without its debugging sections runs under valgrind;
  ANNOTATE=REGEX prints callgrind_annotate's inclusive lines that match it,
  KEEP=DIR keeps the measured callgrind files there).

Usage: bench/stick-table-ratelimit.py [--ours BIN] [--entries N]
       [--duration S] [--limit N] [--callgrind] [--requests N]
"""
import argparse
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import REF, cpu_seconds, free_port, reference_env  # noqa: E402


def config(port, sock, limit, table=True):
    rules = f"""    stick-table type ip size 1m expire 10m store http_req_rate(10s)
    http-request track-sc0 src
    http-request deny deny_status 429 if {{ sc_http_req_rate(0) gt {limit} }}
""" if table else ""
    return f"""global
    stats socket {sock} level admin
    stats timeout 10m
defaults
    mode http
    timeout client 30s
    timeout server 30s
    timeout connect 5s
frontend fe
    bind 127.0.0.1:{port}
{rules}    http-request return status 200 content-type text/plain string ok
"""


def cli(sock, line):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall((line + "\n").encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.decode(errors="replace")


def fill(sock, entries):
    """`entries` keys 10.x.y.z (500 commands per connection)."""
    for start in range(0, entries, 500):
        cli(sock, ";".join(
            f"set table fe key 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255} data.http_req_rate 1"
            for i in range(start, min(entries, start + 500))))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def wait_socket(path, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"proxy exited ({proc.returncode})")
        if os.path.exists(path):
            try:
                cli(path, "show info")
                return
            except OSError:
                pass
        time.sleep(0.1)
    raise SystemExit("the stats socket never answered")


def start(binary, env, workdir, label, limit, prefix=(), table=True):
    port = free_port()
    sock = os.path.join(workdir, f"{label}.sock")
    cfg = os.path.join(workdir, f"{label}.cfg")
    with open(cfg, "w") as f:
        f.write(config(port, sock, limit, table))
    log = open(os.path.join(workdir, f"{label}.log"), "w")
    proc = subprocess.Popen([*prefix, binary, "-f", cfg, "-db"], env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_socket(sock, proc, timeout=300 if prefix else 30)
    return proc, port, sock


def used(sock):
    return int(re.search(r"used:(\d+)", cli(sock, "show table")).group(1))


def keepalive_requests(port, count):
    """`count` GETs on one keep-alive connection; returns the statuses seen."""
    s = socket.create_connection(("127.0.0.1", port))
    statuses = {}
    request = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
    buffer = b""
    for _ in range(count):
        s.sendall(request)
        while True:
            head, sep, rest = buffer.partition(b"\r\n\r\n")
            if sep:
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
                if len(rest) >= length:
                    status = int(head.split(b" ", 2)[1])
                    statuses[status] = statuses.get(status, 0) + 1
                    buffer = rest[length:]
                    break
            chunk = s.recv(65536)
            if not chunk:
                raise SystemExit("connection closed")
            buffer += chunk
    s.close()
    return statuses


def measure(label, binary, env, args, workdir):
    proc, port, sock = start(binary, env, workdir, label, args.limit)
    try:
        keepalive_requests(port, 10)
        before = rss_kb(proc.pid)
        t0 = time.monotonic()
        fill(sock, args.entries)
        fill_seconds = time.monotonic() - t0
        after = rss_kb(proc.pid)
        n = used(sock)
        per_entry = (after - before) * 1024 / max(1, n)
        cpu0 = cpu_seconds(proc.pid)
        out = subprocess.run(["wrk", "-t1", "-c10", f"-d{args.duration}s", f"http://127.0.0.1:{port}/"],
                             capture_output=True, text=True).stdout
        cpu = cpu_seconds(proc.pid) - cpu0
        requests = int(re.search(r"(\d+) requests in", out).group(1))
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        print(f"{label}: used:{n}, RSS {before} kB -> {after} kB: {per_entry:.0f} bytes per entry "
              f"(filled in {fill_seconds:.1f} s); wrk {requests} requests"
              f"{' (' + non2xx.group(1) + ' denied)' if non2xx else ''}, "
              f"{cpu * 1e6 / max(1, requests):.1f} us CPU per request", flush=True)
    finally:
        proc.terminate()
        proc.wait()


def callgrind(label, binary, env, args, workdir, table=True):
    out = os.path.join(workdir, f"callgrind.{label}.out")
    # Valgrind 3.19 cannot read the DWARF 5 our binary carries: a copy
    # without debugging sections (the symbols stay).
    stripped = os.path.join(workdir, f"{label}-nodebug")
    subprocess.run(["strip", "--strip-debug", "-o", stripped, binary], check=True)
    binary = stripped
    prefix = ("valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}")
    proc, port, sock = start(binary, env, workdir, f"cg-{label}", args.limit, prefix, table)
    try:
        if table:
            fill(sock, args.entries)
        n = used(sock) if table else 0
        control = ["callgrind_control"]
        subprocess.run([*control, "-i", "on", str(proc.pid)], capture_output=True, check=True)
        keepalive_requests(port, args.warmup)
        subprocess.run([*control, "-d", str(proc.pid)], capture_output=True, check=True)
        statuses = keepalive_requests(port, args.requests)
        subprocess.run([*control, "-d", str(proc.pid)], capture_output=True, check=True)
        dumps = sorted(glob.glob(out + ".*"), key=lambda p: int(p.rsplit(".", 1)[1].split("-")[0]))
        total = 0
        with open(dumps[-1]) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    total = int(line.split()[1])
                    break
        print(f"{label}{'' if table else ' (no table, no rules)'}: used:{n}, {args.requests} requests {statuses}: "
              f"{total / args.requests:.0f} instructions per request", flush=True)
        if os.environ.get("KEEP"):
            os.makedirs(os.environ["KEEP"], exist_ok=True)
            shutil.copy(dumps[-1], os.path.join(os.environ["KEEP"], f"callgrind.{label}{'' if table else '.notable'}.out"))
        if os.environ.get("ANNOTATE"):
            report = subprocess.run(["callgrind_annotate", "--inclusive=yes", dumps[-1]],
                                    capture_output=True, text=True).stdout
            pattern = os.environ["ANNOTATE"]
            print("\n".join(line for line in report.splitlines() if re.search(pattern, line))[:6000])
    finally:
        proc.terminate()
        proc.wait()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    default = os.path.join(here, "..", ".build-rel", "release", "haproxy")
    parser.add_argument("--ours", default=default if os.path.exists(default)
                        else os.path.join(here, "..", ".build", "release", "haproxy"))
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--limit", type=int, default=1_000_000_000)
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--only", choices=["ours", "haproxy-2.6"])
    parser.add_argument("--skip-native", action="store_true", help="callgrind only")
    parser.add_argument("--without-table", action="store_true",
                        help="also count the same requests without the table and its rules (what they cost)")
    args = parser.parse_args()
    systems = [("ours", os.path.abspath(args.ours), dict(os.environ)),
               ("haproxy-2.6", os.path.join(REF, "usr/sbin/haproxy"), reference_env())]
    with tempfile.TemporaryDirectory() as workdir:
        for label, binary, env in systems:
            if args.only and args.only != label:
                continue
            if not args.skip_native:
                measure(label, binary, env, args, workdir)
            if args.callgrind:
                callgrind(label, binary, env, args, workdir)
                if args.without_table:
                    callgrind(label, binary, env, args, workdir, table=False)


if __name__ == "__main__":
    main()
