#!/usr/bin/env python3
"""TLS termination, ours next to Debian's haproxy 2.6 (same OpenSSL 3).

Measured the way ../shared/tools/proxybench.py measures: the proxy pinned
to CPU 0, the clients to CPU 1, the proxy's CPU time read from
/proc/PID/stat around each scenario, both proxies in the same run:

  full-ecdsa   new TLS connections (full handshakes), ECDSA P-256
  full-rsa     the same with an RSA 2048 certificate
  resumed      resumed handshakes (session tickets), ECDSA
  keepalive    HTTPS requests on kept connections (wrk), answered by the
               proxy itself (`http-request return`)
  bulk         a 16 MiB body from nginx behind the proxy, over HTTPS (wrk)

Handshakes come from `openssl s_time` (one connection at a time, TLS 1.3
by default; --tls12 for TLS 1.2). For each scenario it prints units per
second and the proxy's CPU per unit, and the ratio ours/2.6.

    bench/tls.py [--candidate .build/release/haproxy] [--haproxy PATH]
                 [--seconds 5] [--tls12]

A benchmark, not a CI test: it prints numbers, it does not judge them.
Needs openssl, wrk and nginx-light (apt-get install wrk nginx-light).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import REF, cpu_seconds, free_port, nginx_config, reference_env, wait_listening


def make_files(tmp):
    script = f"""
        set -e
        cd '{tmp}'
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ec.key -out ec.crt \
            -days 30 -subj /CN=localhost 2>/dev/null
        openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt -days 30 -subj /CN=localhost 2>/dev/null
        cat ec.crt ec.key > ec.pem
        cat rsa.crt rsa.key > rsa.pem
        mkdir -p www
        head -c 16777216 /dev/zero > www/big
        printf 'hello world\n' > www/small
    """
    subprocess.run(["sh", "-c", script], check=True)


def start_nginx(tmp, port):
    conf = nginx_config(
        tmp, f"server {{ listen 127.0.0.1:{port}; root {tmp}/www; keepalive_requests 100000; }}")
    argv = ["nginx", "-c", conf, "-p", tmp]
    if shutil.which("taskset"):
        argv = ["taskset", "-c", "1"] + argv
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_listening(port, proc)
    return proc


def proxy_config(tmp, ports, backend_port):
    return f"""global
    maxconn 4096
    tune.ssl.default-dh-param 2048

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s

frontend ecdsa
    bind 127.0.0.1:{ports['ecdsa']} ssl crt {tmp}/ec.pem alpn http/1.1
    http-request return status 200 content-type text/plain string ok unless {{ path /big /small }}
    default_backend www

frontend rsa
    bind 127.0.0.1:{ports['rsa']} ssl crt {tmp}/rsa.pem alpn http/1.1
    http-request return status 200 content-type text/plain string ok

backend www
    http-reuse always
    server nginx 127.0.0.1:{backend_port}
"""


def s_time(port, mode, seconds, tls12):
    argv = ["openssl", "s_time", "-connect", f"127.0.0.1:{port}", mode, "-time", str(seconds)]
    if tls12:
        argv.append("-tls1_2")
    if shutil.which("taskset"):
        argv = ["taskset", "-c", "1"] + argv
    out = subprocess.run(argv, capture_output=True, text=True).stdout
    found = re.search(r"(\d+) connections in ([\d.]+)s", out) or re.search(r"(\d+) connections in (\d+) real", out)
    if not found:
        sys.exit(f"openssl s_time said: {out}")
    return int(found.group(1))


def wrk(url, connections, seconds):
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]
    if shutil.which("taskset"):
        argv = ["taskset", "-c", "1"] + argv
    out = subprocess.run(argv, capture_output=True, text=True).stdout
    requests = re.search(r"(\d+) requests in", out)
    if not requests:
        sys.exit(f"wrk said: {out}")
    return int(requests.group(1))


def measure(label, binary, env, tmp, backend_port, seconds, tls12):
    ports = {"ecdsa": free_port(), "rsa": free_port()}
    cfg = os.path.join(tmp, f"{label}.cfg")
    with open(cfg, "w") as f:
        f.write(proxy_config(tmp, ports, backend_port))
    argv = [binary, "-db", "-f", cfg]
    if shutil.which("taskset"):
        argv = ["taskset", "-c", "0"] + argv
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for port in ports.values():
            wait_listening(port, proc)
        results = {}

        def run(name, unit, body):
            before = cpu_seconds(proc.pid)
            start = time.time()
            count = body()
            elapsed = time.time() - start
            cpu = cpu_seconds(proc.pid) - before
            results[name] = (count / elapsed, cpu / count if count else float("nan"), unit)

        run("full-ecdsa", "handshake", lambda: s_time(ports["ecdsa"], "-new", seconds, tls12))
        run("full-rsa", "handshake", lambda: s_time(ports["rsa"], "-new", seconds, tls12))
        run("resumed", "handshake", lambda: s_time(ports["ecdsa"], "-reuse", seconds, tls12))
        run("keepalive", "request", lambda: wrk(f"https://127.0.0.1:{ports['ecdsa']}/", 50, seconds))
        run("proxied", "request", lambda: wrk(f"https://127.0.0.1:{ports['ecdsa']}/small", 50, seconds))
        run("bulk", "MiB", lambda: 16 * wrk(f"https://127.0.0.1:{ports['ecdsa']}/big", 4, seconds))
        return results
    finally:
        proc.terminate()
        proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidate", default=".build/release/haproxy")
    parser.add_argument("--haproxy", default=os.path.join(REF, "usr/sbin/haproxy"))
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--tls12", action="store_true", help="handshakes in TLS 1.2 instead of 1.3")
    args = parser.parse_args()
    for tool in ("openssl", "wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install openssl wrk nginx-light")
    with tempfile.TemporaryDirectory(prefix="tls-bench-") as tmp:
        make_files(tmp)
        backend_port = free_port()
        nginx = start_nginx(tmp, backend_port)
        try:
            ref = measure("reference", args.haproxy, reference_env(), tmp, backend_port, args.seconds, args.tls12)
            ours = measure("candidate", os.path.abspath(args.candidate), dict(os.environ), tmp, backend_port,
                           args.seconds, args.tls12)
        finally:
            nginx.terminate()
            nginx.wait()
    print(f"{'scenario':<12} {'2.6 /s':>10} {'ours /s':>10} {'2.6 CPU/unit':>14} {'ours CPU/unit':>14} {'CPU ratio':>10}")
    for name in ref:
        r_rate, r_cpu, unit = ref[name]
        o_rate, o_cpu, _ = ours[name]
        print(f"{name:<12} {r_rate:>10.1f} {o_rate:>10.1f} {r_cpu * 1e6:>11.1f} us {o_cpu * 1e6:>11.1f} us {o_cpu / r_cpu:>9.2f}x"
              f"  (per {unit})")


if __name__ == "__main__":
    main()
