#!/usr/bin/env python3
"""Requests per second and CPU per request at `nbthread 1` and `nbthread 2`,
ours next to Debian's haproxy 2.6 (issue: every core used).

Each proxy runs bench/configs/plain.cfg with `nbthread N` added, unpinned
(N loops need N CPUs), in front of one nginx worker; wrk (one thread, 50
connections) loads it with keep-alive requests, then with
`Connection: close`, for --duration seconds each. The proxy's CPU time
comes from /proc/PID/stat, split into user and system time: on loopback
most of a request's cost is the kernel's TCP work, which the split shows.

On a 2-CPU machine wrk and nginx share the CPUs with the proxy, so the
second thread mostly trades requests per second for CPU per request;
the figures are for comparing the two proxies in one run, not absolute.

    bench/threads.py [--candidate .build/release/haproxy] [--duration 8]
                     [--threads 1,2] [--ours-only]
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import REF, cpu_split, free_port, nginx_config, reference_env, wait_listening  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def start_nginx(tmp, port):
    conf = nginx_config(tmp, f"""server {{
        listen 127.0.0.1:{port} backlog=4096;
        keepalive_requests 1000000;
        location / {{ return 200 "hello world\\n"; }}
    }}""")
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", tmp], stderr=subprocess.DEVNULL)
    wait_listening(port, proc)
    return proc


def run(binary, env, tmp, backend, threads, duration):
    port = free_port()
    with open(os.path.join(HERE, "configs", "plain.cfg")) as f:
        cfg = f.read()
    cfg = cfg.replace("@FRONT_PORT@", str(port)).replace("@BACKEND_PORT@", str(backend)).replace("@DIR@", tmp)
    cfg = cfg.replace("global\n", f"global\n    nbthread {threads}\n", 1)
    path = os.path.join(tmp, f"threads-{threads}-{os.path.basename(binary)}.cfg")
    with open(path, "w") as f:
        f.write(cfg)
    proc = subprocess.Popen([binary, "-f", path, "-db"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    results = {}
    try:
        wait_listening(port, proc)
        for mode in ("keep-alive", "close"):
            args = ["wrk", "-t1", "-c50", f"-d{duration}s", f"http://127.0.0.1:{port}/"]
            if mode == "close":
                args[4:4] = ["-H", "Connection: close"]
            user0, sys0 = cpu_split(proc.pid)
            out = subprocess.run(args, capture_output=True, text=True, timeout=duration + 30).stdout
            user1, sys1 = cpu_split(proc.pid)
            line = next(l for l in out.splitlines() if "requests in" in l)
            requests = int(line.split()[0])
            results[mode] = (requests / duration, 1e6 * (user1 - user0) / requests, 1e6 * (sys1 - sys0) / requests)
    finally:
        proc.terminate()
        proc.wait()
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidate", default=".build/release/haproxy")
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--ours-only", action="store_true")
    args = parser.parse_args()
    systems = [("ours", os.path.abspath(args.candidate), dict(os.environ))]
    if not args.ours_only:
        systems.append(("2.6", os.path.join(REF, "usr/sbin/haproxy"), reference_env()))
    with tempfile.TemporaryDirectory() as tmp:
        backend = free_port()
        nginx = start_nginx(tmp, backend)
        try:
            print(f"{'proxy':6} {'nbthread':>8} {'mode':>10} {'req/s':>9} {'user us/req':>12} {'sys us/req':>11} {'cpu us/req':>11}")
            for threads in (int(t) for t in args.threads.split(",")):
                for name, binary, env in systems:
                    for mode, (rps, user, system) in run(binary, env, tmp, backend, threads, args.duration).items():
                        print(f"{name:6} {threads:>8} {mode:>10} {rps:>9.0f} {user:>12.1f} {system:>11.1f} {user + system:>11.1f}",
                              flush=True)
        finally:
            nginx.terminate()
            nginx.wait()


if __name__ == "__main__":
    main()
