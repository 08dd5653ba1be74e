#!/usr/bin/env bash
# Two load balancers behind one virtual IP held by keepalived (VRRP), their
# stick tables kept in sync by a `peers` section, tested between network
# namespaces (issue: stick tables beyond one machine).
#
#   tests/netns/keepalived-failover.sh [--lb2-reference ROOT] [path/to/haproxy]
#
# Builds, in namespaces of its own: a switch (a bridge), a client, two load
# balancers and two backends, all on 198.18.0.0/24 (the benchmark range of
# RFC 2544; no route out of the namespaces, nothing touches the host's
# network). keepalived (Debian's) holds 198.18.0.100 on LB1 (priority 150)
# or LB2 (100); our haproxy runs on both with the same configuration:
#
#   (a) a client over the request rate limit on LB1 is still refused by LB2
#       right after LB1 (haproxy and keepalived) is killed and the VIP moves;
#   (c) a client kept on its server by `stick on src` stays on it after the
#       failover, although LB2's round robin alone would send it elsewhere;
#   (d) a client polling every 100 ms sees failed requests only until the
#       VIP answers through LB2 (the VRRP switch time, measured);
#   (b) with --lb2-reference ROOT, LB2 is Debian's haproxy 2.6 unpacked in
#       ROOT (as `make reference` leaves it in ~/.cache/proxybench/ref):
#       the same checks with ours on LB1 and 2.6 on LB2.
#
# Prints one line per check, the VRRP switch time measured, and exits 1 when
# a check failed. Needs root, iproute2, keepalived, curl, socat, python3.
set -uo pipefail

REFERENCE_ROOT=
if [ "${1:-}" = --lb2-reference ]; then REFERENCE_ROOT=$2; shift 2; fi
HAPROXY=${1:-${HAPROXY:-$(cd "$(dirname "$0")/../.." && pwd)/.build/debug/haproxy}}
[ -x "$HAPROXY" ] || { echo "no haproxy binary at $HAPROXY (build first)"; exit 2; }
if [ -n "$REFERENCE_ROOT" ]; then
    [ -x "$REFERENCE_ROOT/usr/sbin/haproxy" ] || { echo "no haproxy under $REFERENCE_ROOT"; exit 2; }
    echo "INFO LB2 is $("$REFERENCE_ROOT/usr/sbin/haproxy" -v 2>/dev/null | head -1 || true)"
fi
# LB N's haproxy command.
lb_haproxy() {
    if [ "$1" = 2 ] && [ -n "$REFERENCE_ROOT" ]; then
        echo env LD_LIBRARY_PATH="$REFERENCE_ROOT/lib/x86_64-linux-gnu:$REFERENCE_ROOT/usr/lib/x86_64-linux-gnu" \
            "$REFERENCE_ROOT/usr/sbin/haproxy"
    else
        echo "$HAPROXY"
    fi
}
for tool in ip keepalived curl socat python3; do
    command -v $tool >/dev/null || { echo "missing $tool"; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 2; }

TAG=hk$$
NS_SW=$TAG-sw NS_CLI=$TAG-cli NS_LB1=$TAG-lb1 NS_LB2=$TAG-lb2 NS_BE1=$TAG-be1 NS_BE2=$TAG-be2
VIP=198.18.0.100
DIR=$(mktemp -d /tmp/keepalived-failover.XXXXXX)
PIDS=()
FAILED=0

cleanup() {
    for pid in "${PIDS[@]}" $(cat "$DIR"/vrrp-lb*.pid 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    for ns in $NS_CLI $NS_LB1 $NS_LB2 $NS_BE1 $NS_BE2 $NS_SW; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$DIR"
}
trap cleanup EXIT

check() { # check NAME CONDITION-RESULT(0 ok) DETAIL
    if [ "$2" = 0 ]; then echo "PASS $1"; else echo "FAIL $1: $3"; FAILED=1; fi
}

# Waits up to $1 tenths of a second for the command that follows to succeed.
wait_for() {
    local n=$1; shift
    while [ "$n" -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
    return 1
}

now_ms() { date +%s%3N; }

# --- the network ---------------------------------------------------------
ip netns add $NS_SW
ip -n $NS_SW link add br0 type bridge
ip -n $NS_SW link set br0 up
ip -n $NS_SW link set lo up
attach() { # attach NS ADDRESS...
    local ns=$1; shift
    ip netns add "$ns"
    ip -n $NS_SW link add "p-${ns##*-}" type veth peer name eth0 netns "$ns"
    ip -n $NS_SW link set "p-${ns##*-}" master br0 up
    ip -n "$ns" link set lo up
    for a in "$@"; do ip -n "$ns" addr add "$a/24" dev eth0; done
    ip -n "$ns" link set eth0 up
}
attach $NS_CLI 198.18.0.10 198.18.0.11 198.18.0.13 198.18.0.14
attach $NS_LB1 198.18.0.1
attach $NS_LB2 198.18.0.2
attach $NS_BE1 198.18.0.21
attach $NS_BE2 198.18.0.22

# --- backends: each answers its name -------------------------------------
for n in 1 2; do
    mkdir -p "$DIR/be$n"
    echo "be$n" > "$DIR/be$n/index.html"
    ns_var=NS_BE$n
    ip netns exec "${!ns_var}" python3 -m http.server 8080 --bind 198.18.0.2$n --directory "$DIR/be$n" \
        >"$DIR/be$n.log" 2>&1 &
    PIDS+=($!)
done

# --- load balancers: keepalived and haproxy ------------------------------
# The recipe documented in docs/stick-tables.md ("Two load balancers").
for n in 1 2; do
    other=$((3 - n))
    cat > "$DIR/keepalived-lb$n.conf" <<EOF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $((n == 1 ? 150 : 100))
    advert_int 1
    unicast_src_ip 198.18.0.$n
    unicast_peer {
        198.18.0.$other
    }
    virtual_ipaddress {
        $VIP/24 dev eth0
    }
}
EOF
    cat > "$DIR/haproxy-lb$n.cfg" <<EOF
global
    stats socket $DIR/lb$n.sock level admin

peers lbs
    peer lb1 198.18.0.1:10000
    peer lb2 198.18.0.2:10000

defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s

frontend fe
    bind :80
    stick-table type ip size 100k expire 10m peers lbs store http_req_rate(1m)
    http-request track-sc0 src
    http-request deny deny_status 429 if { path /limited } { sc_http_req_rate(0) gt 5 }
    http-request return status 200 content-type text/plain string ok if { path /limited } || { path /health }
    default_backend be

backend be
    balance roundrobin
    stick-table type ip size 100k expire 10m peers lbs
    stick on src
    server be1 198.18.0.21:8080 id 1
    server be2 198.18.0.22:8080 id 2
EOF
    ns_var=NS_LB$n
    ip netns exec "${!ns_var}" keepalived -n -l -P -f "$DIR/keepalived-lb$n.conf" \
        -p "$DIR/keepalived-lb$n.pid" -r "$DIR/vrrp-lb$n.pid" >"$DIR/keepalived-lb$n.log" 2>&1 &
    eval "KEEPALIVED_LB$n=$!"
    PIDS+=($!)
    ip netns exec "${!ns_var}" $(lb_haproxy $n) -f "$DIR/haproxy-lb$n.cfg" -db -L lb$n >"$DIR/haproxy-lb$n.log" 2>&1 &
    eval "HAPROXY_LB$n=$!"
    PIDS+=($!)
done

cli() { echo "$2" | socat - "UNIX-CONNECT:$DIR/$1.sock"; }
has_vip() { ip -n "$1" -4 addr show dev eth0 | grep -q "inet $VIP/"; }
status() { # status SOURCE PATH: the HTTP status through the VIP
    ip netns exec $NS_CLI curl -s -m 3 --interface "$1" -o /dev/null -w '%{http_code}' "http://$VIP$2" 2>/dev/null
}
server() { # server SOURCE: the backend that answered / (its name)
    ip netns exec $NS_CLI curl -s -m 3 --interface "$1" "http://$VIP/" 2>/dev/null
}

wait_for 100 has_vip $NS_LB1
check "keepalived gives the VIP to LB1" $? "$(cat "$DIR/keepalived-lb1.log" | tail -5)"
wait_for 100 sh -c "echo 'show peers' | socat - UNIX-CONNECT:$DIR/lb2.sock | grep -q 'last_status=ESTA'"
check "the load balancers' peers session is up" $? "$(cli lb2 'show peers' | head -3)"
wait_for 100 sh -c "ip netns exec $NS_CLI curl -s -m 1 -o /dev/null --interface 198.18.0.13 http://$VIP/"
check "the VIP answers through LB1" $? "no answer from http://$VIP/"
# That request took the first server for 198.18.0.13 (round robin).

# (a) a client over the limit on LB1 (/limited is answered by the
# frontend: the round robin of (c) does not move).
statuses=""
for i in 1 2 3 4 5 6 7; do statuses="$statuses $(status 198.18.0.10 /limited)"; done
[ "$statuses" = " 200 200 200 200 200 429 429" ]
check "(a) LB1 refuses the client over its rate" $? "statuses:$statuses"

# (c) 198.18.0.11 takes the second server: on LB2, whose round robin has
# not moved, a client unknown there would get the first one.
kept=$(server 198.18.0.11)
again=$(server 198.18.0.11)
[ -n "$kept" ] && [ "$kept" = "$again" ]
check "(c) LB1 keeps 198.18.0.11 on $kept" $? "kept=$kept again=$again"
wait_for 150 sh -c "echo 'show table be' | socat - UNIX-CONNECT:$DIR/lb2.sock | grep -q 'key=198.18.0.11 .*server_id='"
check "(c) LB2 learned the stickiness" $? "$(cli lb2 'show table be')"
wait_for 150 sh -c "echo 'show table fe key 198.18.0.10' | socat - UNIX-CONNECT:$DIR/lb2.sock | grep -q 'http_req_rate(60000)=[1-9]'"
check "(a) LB2 learned the client's rate" $? "$(cli lb2 'show table fe')"

# (d) a client polling during the failover, its results timed.
ip netns exec $NS_CLI bash -c "while [ ! -e $DIR/stop-polling ]; do
    code=\$(curl -s -m 1 --interface 198.18.0.14 -o /dev/null -w '%{http_code}' http://$VIP/health)
    echo \$(date +%s%3N) \$code; sleep 0.1; done" > "$DIR/polling.log" 2>/dev/null &
PIDS+=($!)
wait_for 50 grep -q ' 200$' "$DIR/polling.log"

# --- LB1 dies -------------------------------------------------------------
start=$(now_ms)
# As a machine that dies: its processes stop and its link goes down.
for pid in $(cat "$DIR/vrrp-lb1.pid" 2>/dev/null) "$HAPROXY_LB1" "$KEEPALIVED_LB1"; do kill -9 "$pid" 2>/dev/null; done
ip -n $NS_LB1 link set eth0 down
wait_for 150 has_vip $NS_LB2
check "the VIP moves to LB2" $? "$(tail -5 "$DIR/keepalived-lb2.log")"
moved=$(now_ms)
# The probe is answered by the frontend (no server chosen).
wait_for 100 sh -c "ip netns exec $NS_CLI curl -s -m 1 -o /dev/null --interface 198.18.0.10 http://$VIP/limited"
served=$(now_ms)
echo "INFO VRRP switch: VIP on LB2 after $((moved - start)) ms, first answer through it after $((served - start)) ms"
sleep 1
touch "$DIR/stop-polling"
failed=$(awk -v s="$start" '$1 >= s && $2 != "200"' "$DIR/polling.log" | wc -l)
late=$(awk -v s="$served" '$1 > s + 1000 && $2 != "200"' "$DIR/polling.log" | wc -l)
last=$(awk -v s="$start" '$1 >= s && $2 != "200" { t = $1 - s } END { print t + 0 }' "$DIR/polling.log")
echo "INFO (d) the polling client saw $failed failed requests, the last $last ms after LB1 died"
[ "$late" = 0 ]
check "(d) no failed request once the VIP answers through LB2" $? "$late failures later: $(awk -v s="$served" '$1 > s + 1000 && $2 != "200"' "$DIR/polling.log" | head -3)"

# (a) still limited on LB2.
status=$(status 198.18.0.10 /limited)
[ "$status" = 429 ]
check "(a) LB2 still refuses the client after the failover" $? "status $status; $(cli lb2 'show table fe key 198.18.0.10')"
status=$(status 198.18.0.11 /limited)
[ "$status" = 200 ]
check "(a) LB2 serves a client under the limit" $? "status $status"

# (c) still on its server.
after=""
for i in 1 2 3; do after="$after $(server 198.18.0.11)"; done
[ "$after" = " $kept $kept $kept" ]
check "(c) 198.18.0.11 stays on $kept through LB2" $? "got:$after"

if [ $FAILED = 0 ]; then echo "all checks passed"; else
    for f in "$DIR"/*.log; do echo "--- $f"; tail -20 "$f"; done
fi
exit $FAILED
