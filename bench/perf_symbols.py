#!/usr/bin/env python3
"""Where each proxy's CPU time goes, function by function, in microseconds
per request: ours and Debian's haproxy 2.6 under the same wrk load, each
sampled with `perf record -e cpu-clock` (the only event a VM without
hardware counters offers), kernel and user functions apart.

Each proxy runs one configuration of bench/configs (rules.cfg, plain.cfg...)
pinned to CPU 0, with wrk and the backend on CPU 1, as bench/callgrind.py
--wrk runs them; the samples of each function times the sampling period,
divided by the requests wrk completed, give its CPU time per request. The
functions are listed by the difference between the two proxies, largest
first: where ours spends more (or less) than 2.6.

    bench/perf_symbols.py [--config bench/configs/rules.cfg]
                          [--candidate .build/release/haproxy]
                          [--seconds 6] [--keepalive] [--top 40]

Connection close by default (a new connection per request), --keepalive
for requests on kept-alive connections. Wait for the TIME_WAIT sockets of
an earlier close run to drain first (`ss -tan state time-wait | wc -l`):
tens of thousands of them slow both proxies' connects.

A benchmark, not a CI test. Needs perf (apt-get install linux-perf), wrk,
and 2.6 unpacked by `make reference`.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import callgrind  # noqa: E402  (the benchmark's request, maps and backend)
from benchlib import REF, free_port, reference_env, wait_listening  # noqa: E402

FREQUENCY = 20000  # samples per second: one every 50 µs of CPU


def profile(binary, env, config_text, tmp, backend_port, seconds, close):
    """{(kind, function): µs per request}, kind "k" (kernel) or "." (user)."""
    proc, port = callgrind.start_pinned(binary, env, config_text, tmp, backend_port)
    data = os.path.join(tmp, "perf.data")
    try:
        wait_listening(port, proc)
        perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", str(FREQUENCY), "-p", str(proc.pid),
                                 "-o", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # perf attaches before wrk starts: its first samples are of an idle proxy.
        time.sleep(0.3)
        result = subprocess.run(
            ["taskset", "-c", "1", "wrk", "-t1", "-c10", f"-d{seconds}s", "-s", callgrind.wrk_script(tmp, close),
             f"http://127.0.0.1:{port}{callgrind.REQUEST_PATH}"], capture_output=True, text=True, check=True).stdout
        perf.send_signal(signal.SIGINT)
        perf.wait()
        m = re.search(r"(\d+) requests in", result)
        if m is None or int(m.group(1)) == 0 or "Non-2xx" in result:
            raise SystemExit(f"wrk failed against {binary}: {result}")
        requests = int(m.group(1))
    finally:
        proc.terminate()
        proc.wait()
    report = subprocess.run(["perf", "report", "-i", data, "--stdio", "--sort", "sym", "-F", "overhead,sample,sym",
                             "--no-children"], capture_output=True, text=True).stdout
    per_sample = 1e6 / FREQUENCY
    rows = {}
    for line in report.splitlines():
        m = re.match(r"\s*[\d.]+%\s+(\d+)\s+\[(.)\]\s+(.*)", line)
        if m:
            rows[(m.group(2), m.group(3).strip())] = int(m.group(1)) * per_sample / requests
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=os.path.join(HERE, "configs", "rules.cfg"))
    parser.add_argument("--candidate", default=os.path.join(HERE, "..", ".build", "release", "haproxy"))
    parser.add_argument("--haproxy", default=os.path.join(REF, "usr", "sbin", "haproxy"))
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--keepalive", action="store_true", help="kept-alive connections instead of close")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with open(args.config) as f:
        config_text = f.read()
    with tempfile.TemporaryDirectory(prefix="perf-symbols-") as tmp:
        callgrind.write_maps(tmp)
        backend_port = free_port()
        backend = callgrind.start_backend(tmp, backend_port, pin=["taskset", "-c", "1"])
        try:
            ours = profile(args.candidate, dict(os.environ), config_text, tmp, backend_port, args.seconds,
                           not args.keepalive)
            ref = profile(args.haproxy, reference_env(), config_text, tmp, backend_port, args.seconds,
                          not args.keepalive)
        finally:
            backend.terminate()
            backend.wait()
    mode = "keep-alive" if args.keepalive else "close"
    print(f"{os.path.basename(args.config)}, {mode}: CPU µs per request by function (perf cpu-clock)")
    for kind, title in (("k", "kernel"), (".", "user")):
        a = {k[1]: v for k, v in ours.items() if k[0] == kind}
        b = {k[1]: v for k, v in ref.items() if k[0] == kind}
        print(f"== {title}: ours {sum(a.values()):.2f}, 2.6 {sum(b.values()):.2f}")
        print(f"{'ours':>8} {'2.6':>8} {'diff':>8}  function")
        names = sorted(set(a) | set(b), key=lambda n: -abs(a.get(n, 0) - b.get(n, 0)))
        for name in names[:args.top]:
            print(f"{a.get(name, 0):>8.3f} {b.get(name, 0):>8.3f} {a.get(name, 0) - b.get(name, 0):>+8.3f}  {name[:100]}")


if __name__ == "__main__":
    main()
