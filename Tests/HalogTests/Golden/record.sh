#!/bin/sh
# Regenerates the golden outputs of HalogTests from Debian's real halog
# (haproxy 2.6 .deb, unpacked, never installed):
#
#   Tests/HalogTests/Golden/record.sh [path/to/reference/halog]
#
# For each line of modes.txt it runs
#   "$HALOG" <args> < input.log > <name>.out 2> <name>.err
# where <name> is the arguments with spaces turned into '_'.
# input.log comes from the deterministic generator: gen_log.py 2500 7.
# Each subdirectory holds another input.log with its own modes.txt, recorded
# the same way: bursts/ (gen_log.py 2000 11 bursts: holes and bursts in the
# accept dates, for -ad/-ac) and odddates/ (hand-written odd accept dates).
set -eu
cd "$(dirname "$0")"
HALOG=${1:-$HOME/.cache/proxybench/ref/usr/bin/halog}
if [ ! -x "$HALOG" ]; then
    echo "reference halog not found at $HALOG" >&2
    echo "(cd /tmp && apt-get download haproxy && dpkg -x haproxy_*.deb /tmp/debhaproxy)" >&2
    exit 1
fi
case $HALOG in /*) ;; *) HALOG=$PWD/$HALOG ;; esac
record() (
    cd "$1"
    rm -f ./*.out ./*.err
    while IFS= read -r args; do
        [ -n "$args" ] || continue
        name=$(printf '%s' "$args" | tr ' ' '_')
        # shellcheck disable=SC2086
        "$HALOG" $args < input.log > "$name.out" 2> "$name.err" || true
    done < modes.txt
)
python3 gen_log.py 2500 7 > input.log
python3 gen_log.py 2000 11 bursts > bursts/input.log
record .
record bursts
record odddates
"$HALOG" -h > help.out
"$HALOG" > noaction.out 2> noaction.err || true
