#!/usr/bin/env python3
"""The statistics page for many servers, ours next to Debian's haproxy 2.6.

For each proxy: a configuration with BACKENDS backends of SERVERS servers
each (addresses on loopback that nothing listens on, no checks) and a
`listen stats` page; the page (HTML, then CSV) is fetched N times and the
proxy's CPU time per page read from /proc/PID/stat. Then, with a wrk load
on a frontend the proxy answers itself (`http-request return`), the page
is fetched in a loop: the load's p99 latency with and without that loop
tells whether rendering stalls the event loop.

    bench/stats-page.py [--candidate .build/release/haproxy] [--haproxy PATH]
                        [--backends 100] [--servers 10] [--pages 50]

A benchmark, not a CI test: it prints numbers, it does not judge them.
"""
import argparse
import os
import re
import shutil
import subprocess
import tempfile
import threading
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
from benchlib import REF, cpu_seconds, free_port, reference_env, wait_listening


def config(stats_port, load_port, backends, servers):
    lines = [
        "global", "    maxconn 4096",
        "defaults", "    mode http", "    timeout connect 1s", "    timeout client 30s", "    timeout server 30s",
        "listen stats", f"    bind 127.0.0.1:{stats_port}", "    stats enable", "    stats uri /stats",
        "frontend load", f"    bind 127.0.0.1:{load_port}", "    http-request return status 200 content-type text/plain string ok",
    ]
    for b in range(backends):
        lines.append(f"backend be{b}")
        for s in range(servers):
            lines.append(f"    server s{s} 127.0.0.1:{20000 + s} weight {1 + s}")
    return "\n".join(lines) + "\n"


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()


def wrk_p99(port, seconds):
    out = subprocess.run(["wrk", "-t1", "-c16", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{port}/"],
                         capture_output=True, text=True, check=True).stdout
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return float(p99.group(1)) * scale, float(rps.group(1))


def measure(name, binary, env, args, workdir):
    stats_port, load_port = free_port(), free_port()
    cfg = os.path.join(workdir, f"{name}.cfg")
    with open(cfg, "w") as f:
        f.write(config(stats_port, load_port, args.backends, args.servers))
    proc = subprocess.Popen([binary, "-db", "-f", cfg], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, restore_signals=True)
    try:
        wait_listening(stats_port, proc)
        url = f"http://127.0.0.1:{stats_port}/stats"
        size = len(fetch(url))
        result = {"html_bytes": size}
        for label, suffix in (("html", ""), ("csv", ";csv")):
            fetch(url + suffix)
            before = cpu_seconds(proc.pid)
            for _ in range(args.pages):
                fetch(url + suffix)
            result[f"{label}_ms"] = (cpu_seconds(proc.pid) - before) * 1000 / args.pages
        quiet_p99, quiet_rps = wrk_p99(load_port, args.seconds)
        stop = threading.Event()

        def loop():
            while not stop.is_set():
                fetch(url)
        fetcher = threading.Thread(target=loop)
        fetcher.start()
        busy_p99, busy_rps = wrk_p99(load_port, args.seconds)
        stop.set()
        fetcher.join()
        result.update(quiet_p99_ms=quiet_p99, busy_p99_ms=busy_p99, quiet_rps=quiet_rps, busy_rps=busy_rps)
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidate", default=os.path.join(HERE, "..", ".build", "release", "haproxy"))
    parser.add_argument("--haproxy", default=os.path.join(REF, "usr", "sbin", "haproxy"))
    parser.add_argument("--backends", type=int, default=100)
    parser.add_argument("--servers", type=int, default=10)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk)")
    workdir = tempfile.mkdtemp(prefix="stats-page-bench.")
    try:
        rows = []
        if os.path.exists(args.haproxy):
            rows.append(("haproxy 2.6", measure("ref", args.haproxy, reference_env(), args, workdir)))
        else:
            print(f"reference missing at {args.haproxy} (make reference): measuring ours only")
        rows.append(("ours", measure("ours", args.candidate, dict(os.environ), args, workdir)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{args.backends} backends x {args.servers} servers, {args.pages} pages each")
    print(f"{'':12} {'HTML bytes':>10} {'CPU/page':>9} {'CPU/CSV':>8} {'p99 quiet':>10} {'p99 page loop':>14} "
          f"{'req/s quiet':>11} {'req/s loop':>10}")
    for label, r in rows:
        print(f"{label:12} {r['html_bytes']:>10} {r['html_ms']:>7.1f}ms {r['csv_ms']:>6.1f}ms "
              f"{r['quiet_p99_ms']:>8.2f}ms {r['busy_p99_ms']:>12.2f}ms {r['quiet_rps']:>11.0f} {r['busy_rps']:>10.0f}")


if __name__ == "__main__":
    main()
