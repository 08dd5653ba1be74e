#!/bin/sh
# Memory per stick table entry: fills a table with N entries through the
# stats socket (`set table`) and prints the process's RSS before and after,
# for this build's haproxy and for Debian's 2.6 (unpacked by `make
# reference`). Usage: bench/stick-table-memory.sh [N] (default 100000);
# STORE sets the table's data types (default the rate-limit table of the
# manual, `http_req_rate(10s),conn_cur`), SIZE its size (default 1m).
set -eu
N=${1:-100000}
STORE=${STORE:-http_req_rate(10s),conn_cur}
SIZE=${SIZE:-1m}
OURS=${OURS:-$(dirname "$0")/../.build/release/haproxy}
[ -x "$OURS" ] || OURS=$(dirname "$0")/../.build/debug/haproxy
REF_ROOT=${REF_ROOT:-$HOME/.cache/proxybench/ref}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

run() { # label binary env
    label=$1; bin=$2; libs=$3
    cat > "$DIR/$label.cfg" <<CFG
global
    stats socket $DIR/$label.sock level admin
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    stick-table type ip size $SIZE expire 1h store $STORE
CFG
    LD_LIBRARY_PATH=$libs "$bin" -f "$DIR/$label.cfg" -db > "$DIR/$label.log" 2>&1 &
    pid=$!
    tries=0
    while [ ! -S "$DIR/$label.sock" ]; do
        tries=$((tries + 1))
        if [ $tries -gt 100 ] || ! kill -0 $pid 2>/dev/null; then cat "$DIR/$label.log"; exit 1; fi
        sleep 0.1
    done
    sleep 0.5
    before=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
    python3 - "$DIR/$label.sock" "$N" "${STORE%%,*}" <<'PY'
import socket, sys
path, n, first = sys.argv[1], int(sys.argv[2]), sys.argv[3].split("(")[0]
for start in range(0, n, 500):
    cmds = ";".join(f"set table fe key 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255} data.{first} 1"
                    for i in range(start, min(n, start + 500)))
    s = socket.socket(socket.AF_UNIX); s.connect(path); s.sendall((cmds + "\n").encode())
    while s.recv(65536): pass
    s.close()
PY
    used=$(echo "show table fe" | python3 -c "
import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect('$DIR/$label.sock'); s.sendall(b'show table\n')
d=b''
while True:
    c=s.recv(65536)
    if not c: break
    d+=c
print(d.decode().strip())")
    after=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
    kill $pid; wait $pid 2>/dev/null || true
    echo "$label: $used; RSS ${before} kB -> ${after} kB: $(( (after - before) * 1024 / N )) bytes per entry"
}

run ours "$OURS" ""
run haproxy-2.6 "$REF_ROOT/usr/sbin/haproxy" "$REF_ROOT/lib/x86_64-linux-gnu:$REF_ROOT/usr/lib/x86_64-linux-gnu"
