#!/bin/sh
# Records the log lines of the real HAProxy 2.6 for the golden tests.
# Usage: HAPROXY=~/.cache/proxybench/ref/usr/sbin/haproxy sh capture.sh OUTDIR
# Every frontend logs raw lines to a UDP receiver (one file per port, one
# Python repr() per datagram); the golden tests rebuild the same LogRecord
# values and compare with times masked.
set -e
HAPROXY=${HAPROXY:-$HOME/.cache/proxybench/ref/usr/sbin/haproxy}
OUT=${1:-.}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
cd "$OUT"
python3 "$HERE/udp_receiver.py" 15514 udp-local.txt & R1=$!
python3 "$HERE/udp_receiver.py" 15515 udp-rfc5424.txt & R2=$!
python3 "$HERE/udp_receiver.py" 15520 udp-raw.txt & R3=$!
python3 "$HERE/udp_receiver.py" 15521 udp-rfc3164.txt & R4=$!
python3 "$HERE/udp_receiver.py" 15522 udp-custom.txt & R5=$!
python3 "$HERE/http_backend.py" 18090 & B=$!
sleep 0.5
"$HAPROXY" -db -f "$HERE/capture.cfg" > haproxy.stdout 2> haproxy.stderr & H=$!
sleep 1
curl -s -A "curl-test/1.0" -b "SID=xyz" "http://127.0.0.1:18080/path/x?a=b" >/dev/null
curl -s -0 "http://127.0.0.1:18081/clf?q=1" >/dev/null
python3 "$HERE/tcp_client.py" 18082
python3 "$HERE/tcp_client.py" 18083
curl -s "http://127.0.0.1:18084/down" >/dev/null
curl -s -X POST -d "abc" "http://127.0.0.1:18085/custom/p?x=1&y=2" >/dev/null
sleep 0.5
kill -USR1 $H
sleep 1.5
kill $R1 $R2 $R3 $R4 $R5 $B 2>/dev/null || true
echo "haproxy pid $H"
# flags-stdout.txt: haproxy -db -f flags.cfg (log stdout format raw), then
# curl -s http://127.0.0.1:18280/p/q with http_backend.py on 18090.
