#!/bin/sh
# Benchmark (not run in CI): throughput of our halog against Debian's on
# the same synthetic log, for -st, -srv and -u, reading standard input.
#
#   Tests/HalogTests/bench.sh [SIZE_MIB]   (default 1024)
#
# Builds ours as the package does (make release: static runtime, no
# dynamic exclusivity checks), generates the log with Golden/gen_log.py
# under ${TMPDIR:-/tmp}, runs each mode three times for each binary after
# a warm-up read, keeps the best wall time and prints MB/s (1 MB = 10^6 bytes).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
size=${1:-1024}
ref=${HALOG_REF:-$HOME/.cache/proxybench/ref/usr/bin/halog}
tmp=${TMPDIR:-/tmp}
log="$tmp/halog-bench-$size.log"
make -C "$root" release >/dev/null
ours="$root/.build/release/halog"
if [ ! -s "$log" ]; then
    # ~185 bytes a line
    lines=$((size * 1048576 / 185))
    python3 "$here/Golden/gen_log.py" "$lines" 3 > "$log"
fi
bytes=$(stat -c %s "$log")
cat "$log" > /dev/null
best() {   # best of 3 wall times in seconds for: $@ < log
    b=
    for i in 1 2 3; do
        s=$(date +%s.%N)
        "$@" < "$log" > /dev/null 2>&1
        e=$(date +%s.%N)
        t=$(echo "$e - $s" | bc -l)
        if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
    done
    echo "$b"
}
printf '%-6s %10s %10s %10s %10s\n' mode "ref s" "ref MB/s" "ours s" "ours MB/s"
for mode in -st -srv -u; do
    tr=$(best "$ref" "$mode")
    to=$(best "$ours" "$mode")
    printf '%-6s %10.2f %10.0f %10.2f %10.0f\n' "$mode" "$tr" "$(echo "$bytes / $tr / 1000000" | bc -l)" \
        "$to" "$(echo "$bytes / $to / 1000000" | bc -l)"
done
echo "log: $log, $bytes bytes"
