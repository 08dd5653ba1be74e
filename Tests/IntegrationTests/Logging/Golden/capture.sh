#!/bin/sh
# Records the golden lines of LogGoldenTests from the real HAProxy 2.6:
#   HAPROXY=~/.cache/proxybench/ref/usr/sbin/haproxy sh capture.sh
# writes bytes-termination-raw.txt and bytes-termination-rfc5424.txt here
# (one Python repr() of each datagram a line, as
# Tests/HAProxyObservabilityTests/Golden). The test runs our binary on the
# same configuration and traffic, on free ports.
set -e
HAPROXY=${HAPROXY:-$HOME/.cache/proxybench/ref/usr/sbin/haproxy}
HERE=$(cd "$(dirname "$0")" && pwd)
RECEIVER=$HERE/../../../HAProxyObservabilityTests/Golden/udp_receiver.py
export LOG_RAW=16514 LOG_5424=16515
export FE_READY=16080 FE_HTTPLOG=16081 FE_FORMAT=16082 FE_NONE=16083
export FE_TCP_SRVCLOSE=16084 FE_TCP_CLICLOSE=16085 FE_TCP_CLIRST=16086 FE_TCP_ECHO=16087
export BE_HTTP=16090 BE_BANNER=16091 BE_BANNER_CLOSE=16092 BE_ECHO=16093 BE_BANNER_RST=16094
cd "$HERE"
trap 'kill $R1 $R2 $B $H 2>/dev/null' EXIT
python3 "$RECEIVER" $LOG_RAW bytes-termination-raw.txt & R1=$!
python3 "$RECEIVER" $LOG_5424 bytes-termination-rfc5424.txt & R2=$!
python3 traffic.py backends & B=$!
sleep 0.5
"$HAPROXY" -db -f bytes-termination.cfg 2>/dev/null & H=$!
sleep 1
python3 traffic.py clients
sleep 1
kill $R1 $R2
"$HAPROXY" -v | head -1
