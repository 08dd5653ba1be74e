#!/usr/bin/env bash
# Streams 1 GiB down and 1 GiB up through the proxy (mode http) and reports
# the proxy's peak resident memory: bodies must stream with back-pressure,
# never be buffered whole. A benchmark, not a CI test.
#   bench/big-transfer.sh [BINARY] [MiB]
set -euo pipefail
BIN=${1:-.build/release/haproxy}
MIB=${2:-1024}
DIR=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT
cat > "$DIR/backend.py" <<'PY'
import http.server, socketserver, sys
CHUNK = b"\0" * (1 << 20)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        n = int(self.path.split("=")[1]) << 20
        self.send_response(200); self.send_header("Content-Length", str(n)); self.end_headers()
        for _ in range(n >> 20): self.wfile.write(CHUNK)
    def do_POST(self):
        left = int(self.headers["Content-Length"])
        while left:
            d = self.rfile.read(min(left, 1 << 20)); left -= len(d)
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
cat > "$DIR/h.cfg" <<CFG
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend fe
    bind 127.0.0.1:19611
    default_backend be
backend be
    server s1 127.0.0.1:19612
CFG
python3 "$DIR/backend.py" 19612 &
"$BIN" -db -f "$DIR/h.cfg" &
PROXY=$!
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:19611/?n=0 && break; sleep 0.1; done
peak=0
sample() { while kill -0 $PROXY 2>/dev/null; do r=$(awk '/VmRSS/{print $2}' /proc/$PROXY/status); [ "$r" -gt "$peak" ] && peak=$r && echo $peak > "$DIR/peak"; sleep 0.1; done; }
sample & SAMPLER=$!
start=$(date +%s.%N)
curl -s -o /dev/null -w "download: %{size_download} bytes, %{speed_download} B/s\n" "http://127.0.0.1:19611/?n=$MIB"
head -c $((MIB << 20)) /dev/zero | curl -s -o /dev/null -H "Expect:" -T - -X POST \
    -H "Content-Length: $((MIB << 20))" -w "upload: %{size_upload} bytes, %{speed_upload} B/s\n" http://127.0.0.1:19611/up
end=$(date +%s.%N)
kill $SAMPLER 2>/dev/null || true
echo "elapsed: $(echo "$end - $start" | bc) s; proxy peak RSS: $(cat "$DIR/peak") KiB"
