#!/usr/bin/env bash
# Records the golden scrapes of PrometheusExporterTests from the real
# HAProxy 2.6 (Debian's, unpacked by `make reference`):
#   Tests/HAProxyCoreTests/Stats/Golden/capture.sh
# It starts a python HTTP server (the UP servers' address; nothing listens
# on DOWN_PORT), then haproxy -db on prometheus.cfg, waits for the checks
# to settle and curls /metrics with each query of queries.txt, writing
# <name>.txt here: the response body with the values that depend on time,
# the host or the scrapes themselves replaced by `*` (see mask.py), and
# headers.txt: the response's status line and headers.
set -euo pipefail
REF=${HAPROXY_REFERENCE_DIR:-$HOME/.cache/proxybench/ref}
HAPROXY=${HAPROXY:-$REF/usr/sbin/haproxy}
HERE=$(cd "$(dirname "$0")" && pwd)
export PROMEX_PORT=18480 FE_TCP_PORT=18481 LISTEN_PORT=18482 UP_PORT=18490 DOWN_PORT=18499
export PROMEX_SOCK=$(mktemp -u /tmp/promex-golden.XXXXXX.sock)
LD_LIBRARY_PATH=$(find "$REF" -name '*.so*' -printf '%h\n' | sort -u | paste -sd:)
export LD_LIBRARY_PATH
cd "$HERE"
py= hap=
trap 'kill $hap $py 2>/dev/null; rm -f "$PROMEX_SOCK"' EXIT
python3 -m http.server "$UP_PORT" --bind 127.0.0.1 >/dev/null 2>&1 & py=$!
for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $UP_PORT), 0.2)" 2>/dev/null && break
    sleep 0.1
done
"$HAPROXY" -db -f prometheus.cfg >/dev/null 2>&1 & hap=$!
sleep 1.5
curl -s -o /dev/null -D headers.raw "http://127.0.0.1:$PROMEX_PORT/metrics"
tr -d '\r' < headers.raw > headers.txt && rm headers.raw
while read -r name query; do
    [ -n "$name" ] && [ "${name#\#}" = "$name" ] || continue
    curl -s "http://127.0.0.1:$PROMEX_PORT/metrics${query#-}" | python3 mask.py > "$name.txt"
done < queries.txt
"$HAPROXY" -v | head -1
