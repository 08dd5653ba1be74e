"""What the project's benchmarks share: ports, Debian's 2.6 unpacked by
`make reference` (its libraries beside it), a process's CPU time, and a
wait for a proxy's port."""
import os
import socket
import time

REF = os.path.expanduser("~/.cache/proxybench/ref")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reference_env():
    libs = [os.path.join(REF, d) for d in ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu")]
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = ":".join(p for p in libs if os.path.isdir(p))
    return env


def cpu_seconds(pid):
    """User and system CPU time of `pid`, in seconds (/proc/PID/stat)."""
    return sum(cpu_split(pid))


def cpu_split(pid):
    """User and system CPU time of `pid`, each in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def wait_listening(port, proc, timeout=10):
    """Until 127.0.0.1:`port` accepts; stops the benchmark if `proc` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"proxy exited: {proc.stderr.read().decode(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"port {port} never listened")


def nginx_config(tmp, server):
    """Writes an nginx.conf for one worker in `tmp` (pid, logs and temporary
    files kept there) with the `server` block given; returns its path."""
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx.err;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp};
    proxy_temp_path {tmp};
    fastcgi_temp_path {tmp};
    uwsgi_temp_path {tmp};
    scgi_temp_path {tmp};
    {server}
}}
""")
    return conf
