#!/usr/bin/env bash
# The operator's flow, end to end, in a Debian 12 container booted with systemd.
#
#   tests/e2e/operator-flow.sh [--reference] haproxy_*.deb [haproxy-doc_*.deb]
#
# Installs the given package(s) with apt in a fresh container, drives the
# service the way an operator does (systemctl, service, init script, reload
# under load, logs, logrotate, upgrade, remove, purge) and prints one line per
# step and a final "N passed, N failed, N skipped".
#
# --reference skips the checks of what our package adds over Debian's own
# haproxy (the .lz4 rotation, the lintian overrides file, purge removing state
# and logs), so the harness itself can be proven on `apt-get download haproxy`.
#
# Then, on our package (not with --reference), the switch-over an operator
# of Debian's haproxy makes: Debian's 2.6 from the archive serving an edited
# haproxy.cfg under a client loop, our package installed over it
# unattended, Debian's put back, and an upgrade of ours to a newer version
# of ours (the same package repacked with a higher version), each with no
# failed request, the edited files kept and the master running the new
# binary; and what apt does without --force-confold and no terminal.
#
# --with SRC:DEST (repeatable) puts the file SRC at DEST in the container
# right after the first install (then reloads systemd and restarts the
# service): e.g. our init script or unit over Debian's, to test them with
# Debian's binary. E2E_CHECK_OURS=1 runs the checks of our additions even
# with --reference (to test our logrotate file on Debian's binary).
#
# Needs root, debootstrap, systemd-container (systemd-nspawn), util-linux
# (nsenter) and overlayfs. The Debian root is built once and cached under
# $E2E_CACHE (default /var/tmp/haproxy-e2e); each run mounts an overlay on it,
# so a run leaves nothing behind. See ../shared/E2E.md for why it is done so.
set -uo pipefail

REFERENCE=0
DEBS=()
WITH=()
while [ $# -gt 0 ]; do
    arg=$1; shift
    case "$arg" in
        --reference) REFERENCE=1 ;;
        --with) WITH+=("$1"); shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        -*) echo "unknown option: $arg" >&2; exit 2 ;;
        *) DEBS+=("$(readlink -f "$arg")") ;;
    esac
done
if [ ${#DEBS[@]} -eq 0 ]; then
    echo "usage: $0 [--reference] haproxy_*.deb [haproxy-doc_*.deb]" >&2
    exit 2
fi
for deb in "${DEBS[@]}"; do
    [ -f "$deb" ] || { echo "no such package: $deb" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "operator-flow: must run as root" >&2; exit 2; }
for tool in debootstrap systemd-nspawn nsenter setsid timeout mount; do
    command -v "$tool" >/dev/null || { echo "operator-flow: $tool is missing (apt-get install debootstrap systemd-container)" >&2; exit 2; }
done

SUITE=bookworm
MIRROR=${E2E_MIRROR:-http://deb.debian.org/debian}
# Everything the flow runs inside the container; the package's own
# dependencies are fetched per run from the .deb itself.
INCLUDES=systemd,systemd-sysv,dbus,libpam-systemd,rsyslog,logrotate,curl,procps,socat,lz4,python3,ca-certificates
CACHE=${E2E_CACHE:-/var/tmp/haproxy-e2e}
ROOT=$CACHE/$SUITE-$(printf '%s %s' "$MIRROR" "$INCLUDES" | sha1sum | cut -c1-12)
CT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { printf '%s\n' "operator-flow: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- the root ---

build_root() {
    [ -f "$ROOT/.e2e-ready" ] && return 0
    log "building the cached Debian root in $ROOT (about a minute, once)"
    local tmp=$ROOT.tmp.$$
    rm -rf "$tmp"
    mkdir -p "$CACHE"
    timeout 900 debootstrap --variant=minbase --include="$INCLUDES" \
        "$SUITE" "$tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
        || { tail -20 "$CACHE/debootstrap.log" >&2; rm -rf "$tmp"; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
    # The same suites as the host (updates and security), so the
    # dependencies of the package under test resolve as they would there.
    rm -f "$tmp/etc/apt/sources.list"
    cat >"$tmp/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    timeout 300 chroot "$tmp" apt-get update -q >>"$CACHE/debootstrap.log" 2>&1 \
        || die "apt-get update in the new root failed"
    echo e2e >"$tmp/etc/hostname"
    : >"$tmp/etc/machine-id"
    chroot "$tmp" apt-get clean
    touch "$tmp/.e2e-ready"
    rm -rf "$ROOT"
    mv "$tmp" "$ROOT"
}

# --------------------------------------------------------- the container ---

RUN=
MERGED=
NSPAWN_PID=
LEADER=
MACHINE=e2e-haproxy-$$

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
        if [ -n "$LEADER" ] && kill -0 "$LEADER" 2>/dev/null; then
            timeout 10 nsenter -t "$LEADER" -a -r -w env -i PATH=$CT_PATH \
                systemctl poweroff >/dev/null 2>&1
        fi
        local i
        for i in $(seq 1 100); do
            kill -0 "$NSPAWN_PID" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$NSPAWN_PID" 2>/dev/null; then
            kill -TERM "$NSPAWN_PID" 2>/dev/null
            for i in $(seq 1 50); do
                kill -0 "$NSPAWN_PID" 2>/dev/null || break
                sleep 0.2
            done
            kill -KILL "$NSPAWN_PID" 2>/dev/null
        fi
        wait "$NSPAWN_PID" 2>/dev/null
    fi
    if [ -n "$MERGED" ] && mountpoint -q "$MERGED"; then
        umount "$MERGED" 2>/dev/null || umount -l "$MERGED"
    fi
    [ -n "$RUN" ] && rm -rf "$RUN"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The host PID of the container's systemd: a descendant of the nspawn process
# whose comm is systemd and whose PID in its own namespace is 1 (the first
# child of nspawn can be a short-lived helper).
find_leader() {
    local todo=("$NSPAWN_PID") pid child
    while [ ${#todo[@]} -gt 0 ]; do
        pid=${todo[0]}; todo=("${todo[@]:1}")
        for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
            if [ "$(cat /proc/"$child"/comm 2>/dev/null)" = systemd ] &&
               [ "$(awk '/^NSpid:/ {print $NF}' /proc/"$child"/status 2>/dev/null)" = 1 ]; then
                echo "$child"; return 0
            fi
            todo+=("$child")
        done
    done
    return 1
}

# Run a command inside the booted container, bounded in time.
ct() {
    timeout "${CT_TIMEOUT:-60}" nsenter -t "$LEADER" -a -r -w \
        env -i PATH=$CT_PATH HOME=/root LC_ALL=C.UTF-8 TERM=dumb "$@"
}
ctsh() { ct sh -c "$1"; }

# wait_until SECONDS 'CONDITION': poll every 0.2 s until the shell
# condition (evaluated anew each time) holds, for at most SECONDS.
wait_until() {
    local deadline=$(( $(date +%s) + $1 )) cond=$2
    while :; do
        eval "$cond" >/dev/null 2>&1 && return 0
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.2
    done
}

boot() {
    RUN=$(mktemp -d "$CACHE/run.XXXXXX")
    mkdir -p "$RUN/upper" "$RUN/work" "$RUN/merged"
    mount -t overlay overlay \
        -o "lowerdir=$ROOT,upperdir=$RUN/upper,workdir=$RUN/work" "$RUN/merged" \
        || die "cannot mount the overlay on $ROOT"
    MERGED=$RUN/merged

    # The container has no network: fetch the package's dependencies into
    # its apt cache from here first.
    mkdir -p "$MERGED/root/debs"
    cp "${DEBS[@]}" "$MERGED/root/debs/"
    local inside=() deb
    for deb in "${DEBS[@]}"; do inside+=("/root/debs/$(basename "$deb")"); done
    if ! timeout 300 chroot "$MERGED" apt-get install -y -q --download-only "${inside[@]}" >"$RUN/fetch.log" 2>&1; then
        timeout 300 chroot "$MERGED" apt-get update -q >>"$RUN/fetch.log" 2>&1
        timeout 300 chroot "$MERGED" apt-get install -y -q --download-only "${inside[@]}" >>"$RUN/fetch.log" 2>&1 \
            || { cat "$RUN/fetch.log" >&2; die "cannot fetch the package's dependencies"; }
    fi
    INSIDE_DEBS="${inside[*]}"
    [ "$REFERENCE" = 1 ] || prepare_switch_over

    # No background job may hold the dpkg lock, rotate the logs or wake up
    # during a test: the test runs logrotate itself.
    local unit
    for unit in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
                e2scrub_all.timer fstrim.timer man-db.timer logrotate.timer \
                systemd-networkd-wait-online.service getty@.service \
                console-getty.service; do
        ln -sf /dev/null "$MERGED/etc/systemd/system/$unit"
    done

    setsid systemd-nspawn -q -b -D "$MERGED" -M "$MACHINE" --register=no --keep-unit \
        --private-network --console=read-only >"$RUN/console.log" 2>&1 </dev/null &
    NSPAWN_PID=$!
    local i
    for i in $(seq 1 150); do
        LEADER=$(find_leader) && break
        kill -0 "$NSPAWN_PID" 2>/dev/null || break
        sleep 0.2
    done
    if [ -z "$LEADER" ]; then
        cat "$RUN/console.log" >&2
        die "the container did not boot (no systemd found under systemd-nspawn)"
    fi
    # Early in the boot systemctl cannot reach the manager yet and answers
    # at once with nothing: ask again until it says running (or degraded).
    local state= deadline=$(( $(date +%s) + 90 ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        state=$(CT_TIMEOUT=30 ct systemctl is-system-running --wait 2>/dev/null)
        case "$state" in running|degraded) break ;; esac
        sleep 0.5
    done
    case "$state" in
        running|degraded) ;;
        *) cat "$RUN/console.log" >&2; die "the container's systemd did not come up (state: ${state:-none})" ;;
    esac
}

# For the switch-over steps: Debian's haproxy (the archive's candidate)
# and its dependencies in the container's apt cache, and our package
# repacked with a higher version (1:X+e2e.1) for the upgrade of ours.
DEBIAN_VERSION=
OURS_DEB=
NEWER_DEB=
NEWER_VERSION=
prepare_switch_over() {
    local deb
    for deb in $INSIDE_DEBS; do case "${deb##*/}" in haproxy_*) OURS_DEB=$deb ;; esac; done
    [ -n "$OURS_DEB" ] || die "no haproxy_*.deb among the packages"
    fetch_debian() {
        DEBIAN_VERSION=$(chroot "$MERGED" apt-cache policy haproxy 2>/dev/null | awk '/Candidate:/ {print $2}')
        [ -n "$DEBIAN_VERSION" ] && [ "$DEBIAN_VERSION" != "(none)" ] &&
            timeout 300 chroot "$MERGED" apt-get install -y -q --download-only "haproxy=$DEBIAN_VERSION" >>"$RUN/fetch.log" 2>&1
    }
    if ! fetch_debian; then
        timeout 300 chroot "$MERGED" apt-get update -q >>"$RUN/fetch.log" 2>&1
        fetch_debian || { tail -5 "$RUN/fetch.log" >&2; die "cannot fetch Debian's haproxy from the archive"; }
    fi
    local unpacked=$RUN/newer
    dpkg-deb -R "$MERGED$OURS_DEB" "$unpacked" || die "cannot unpack $OURS_DEB"
    NEWER_VERSION="$(awk '/^Version:/ {print $2}' "$unpacked/DEBIAN/control")+e2e.1"
    sed -i "s/^Version: .*/Version: $NEWER_VERSION/" "$unpacked/DEBIAN/control"
    NEWER_DEB=/root/debs/haproxy_newer.deb
    dpkg-deb -b -Zxz "$unpacked" "$MERGED$NEWER_DEB" >/dev/null || die "cannot repack $OURS_DEB"
    rm -rf "$unpacked"
}

# --------------------------------------------------------------- steps ---

PASSED=0
FAILED=0
SKIPPED=0
STEPNO=0
DETAIL=
step() {
    local name=$1; shift
    STEPNO=$((STEPNO + 1))
    DETAIL=
    if "$@"; then
        PASSED=$((PASSED + 1))
        printf 'ok   %2d %s\n' "$STEPNO" "$name"
    else
        FAILED=$((FAILED + 1))
        printf 'FAIL %2d %s%s\n' "$STEPNO" "$name" "${DETAIL:+: $DETAIL}"
    fi
}
# A check of what our package adds over Debian's; skipped with --reference.
ours() {
    if [ "$REFERENCE" = 1 ] && [ -z "${E2E_CHECK_OURS:-}" ]; then
        STEPNO=$((STEPNO + 1)); SKIPPED=$((SKIPPED + 1))
        printf 'skip %2d %s (our addition; --reference)\n' "$STEPNO" "$1"
    else
        step "$@"
    fi
}
fail() { DETAIL=$*; return 1; }

mainpid() { ct systemctl show -p MainPID --value haproxy; }
# PIDs of the processes the master started (the workers).
workers() {
    ctsh "m=\$(systemctl show -p MainPID --value haproxy); [ \"\$m\" -gt 0 ] || exit 0
          ps -o pid= --ppid \$m | tr -d ' ' | sort | tr '\n' ' '"
}
# The test restarts far more often than systemd's default start limit
# (5 in 10 s) allows; clear the counter first, as an operator would.
restart() { ct systemctl reset-failed haproxy >/dev/null 2>&1; ct systemctl restart haproxy 2>>"$RUN/systemctl.log"; }
http_code() { ctsh "curl -s -o /dev/null -w '%{http_code}' --max-time 5 $1"; }
is_active() { [ "$(ct systemctl is-active haproxy)" = active ]; }
haproxy_procs() { ctsh "pgrep -x haproxy | wc -l" | tr -d ' '; }

# The test configuration: Debian's global section, plus a frontend on :8080
# in front of a Python web server on :8000, both inside the container.
TEST_CFG='global
	log /dev/log	local0
	log /dev/log	local1 notice
	chroot /var/lib/haproxy
	stats socket /run/haproxy/admin.sock mode 660 level admin
	stats timeout 30s
	user haproxy
	group haproxy
	daemon

defaults
	log	global
	mode	http
	option	httplog
	option	dontlognull
	timeout connect 5s
	timeout client  30s
	timeout server  30s

frontend web
	bind 127.0.0.1:8080
	default_backend app

backend app
	server app1 127.0.0.1:8000
'

s_boot_install() {
    ct test -d /run/systemd/system || fail "not booted with systemd"
    # No prompt: no terminal and no answers given.
    CT_TIMEOUT=300 ct apt-get install -y -q $INSIDE_DEBS </dev/null >"$RUN/install.log" 2>&1 \
        || { tail -5 "$RUN/install.log" >&2; fail "apt-get install failed"; }
}

s_with_files() {
    local pair
    for pair in "${WITH[@]}"; do
        cp "${pair%%:*}" "$MERGED/${pair#*:}" || fail "cannot copy $pair" || return 1
    done
    ct systemctl daemon-reload
    restart || fail "restart after replacing files failed"
}

s_newest() {
    ct apt-get -s install haproxy 2>/dev/null | grep -q 'haproxy is already the newest version' \
        || fail "apt would replace the package: $(ct apt-get -s install haproxy 2>&1 | grep -E '^Inst' | head -1)"
}

s_enabled_active() {
    [ "$(ct systemctl is-enabled haproxy)" = enabled ] || fail "not enabled"
    wait_until 20 is_active || fail "not active: $(ct systemctl is-active haproxy)"
}

SPEC_FILES='/usr/sbin/haproxy /usr/sbin/halog /usr/bin/halog
/etc/haproxy/haproxy.cfg
/etc/haproxy/errors/400.http /etc/haproxy/errors/403.http /etc/haproxy/errors/408.http
/etc/haproxy/errors/500.http /etc/haproxy/errors/502.http /etc/haproxy/errors/503.http
/etc/haproxy/errors/504.http
/etc/default/haproxy /etc/init.d/haproxy /lib/systemd/system/haproxy.service
/etc/logrotate.d/haproxy /etc/rsyslog.d/49-haproxy.conf /usr/lib/tmpfiles.d/haproxy.conf
/usr/share/doc/haproxy/copyright
/usr/share/doc/haproxy/configuration.txt.gz /usr/share/doc/haproxy/management.txt.gz
/usr/share/man/man1/haproxy.1.gz /usr/share/man/man1/halog.1.gz
/run/haproxy.pid'
s_spec_paths() {
    local missing
    missing=$(ctsh "for p in $(echo $SPEC_FILES); do [ -e \$p ] || echo \$p; done
        [ -d /var/lib/haproxy ] || echo /var/lib/haproxy
        [ -d /var/lib/haproxy/dev ] || echo /var/lib/haproxy/dev
        for d in /var/lib/haproxy /var/lib/haproxy/dev; do
            dpkg -S \$d 2>/dev/null | grep -q '^haproxy: ' || echo \"\$d (not owned by the package: dpkg -S)\"
        done
        [ \"\$(stat -c '%a %U:%G' /run/haproxy 2>/dev/null)\" = '2775 haproxy:haproxy' ] || echo '/run/haproxy (2775 haproxy:haproxy)'
        [ -S /run/haproxy/admin.sock ] || echo /run/haproxy/admin.sock
        [ -S /run/haproxy-master.sock ] || echo /run/haproxy-master.sock
        ls /usr/share/doc/haproxy/changelog*.gz >/dev/null 2>&1 || echo /usr/share/doc/haproxy/changelog.gz
        [ -x /etc/init.d/haproxy ] || echo '/etc/init.d/haproxy (executable)'
        for f in /etc/haproxy/haproxy.cfg /etc/haproxy/errors/503.http /etc/default/haproxy /etc/logrotate.d/haproxy /etc/rsyslog.d/49-haproxy.conf /etc/init.d/haproxy; do
            grep -qx \$f /var/lib/dpkg/info/haproxy.conffiles || echo \"\$f (not a conffile)\"
        done")
    [ -z "$missing" ] || fail "missing: $(echo $missing)"
}

s_doc_html() {
    ctsh 'ls /usr/share/doc/haproxy/html/*.html' >/dev/null 2>&1 || fail "no HTML manual under /usr/share/doc/haproxy/html"
}

s_lintian_overrides() {
    ct test -s /usr/share/lintian/overrides/haproxy || fail "/usr/share/lintian/overrides/haproxy missing"
}

s_show_info() {
    local out
    out=$(ctsh 'echo "show info" | socat -t 5 stdio /run/haproxy/admin.sock' 2>&1)
    echo "$out" | grep -q '^Pid: ' || fail "no 'Pid:' in the answer: $(echo "$out" | head -2)"
}

s_master_socket() {
    local out
    out=$(ctsh 'echo "show proc" | socat -t 5 stdio /run/haproxy-master.sock' 2>&1)
    echo "$out" | grep -q master || fail "no master line: $(echo "$out" | head -2)"
}

s_worker_not_root() {
    local w users root
    w=$(workers)
    [ -n "$w" ] || fail "no worker under MainPID $(mainpid)" || return 1
    users=$(ct ps -o user= -p "$(echo $w | tr ' ' ,)" | sort -u | tr '\n' ' ')
    case " $users " in *" root "*|"  ") fail "worker users: $users"; return 1 ;; esac
    # ...and it is in its chroot.
    root=$(ct readlink "/proc/${w%% *}/root")
    [ "$root" = /var/lib/haproxy ] || fail "worker root is '$root', not /var/lib/haproxy"
}

s_stop() {
    ct systemctl stop haproxy 2>>"$RUN/systemctl.log" || fail "systemctl stop failed" || return 1
    [ "$(ct systemctl is-active haproxy)" = inactive ] || fail "still $(ct systemctl is-active haproxy)" || return 1
    wait_until 10 'test "$(haproxy_procs)" = 0' || fail "haproxy processes remain"
}
s_start() {
    ct systemctl reset-failed haproxy >/dev/null 2>&1
    ct systemctl start haproxy 2>>"$RUN/systemctl.log" || fail "systemctl start failed" || return 1
    is_active || fail "not active"
}
s_status() {
    local out
    out=$(ct systemctl status haproxy --no-pager 2>&1) || fail "exit $?" || return 1
    echo "$out" | grep -q 'Active: active (running)' || fail "no 'active (running)'"
}
s_restart() {
    local before after
    before=$(mainpid)
    restart || fail "systemctl restart failed" || return 1
    wait_until 10 is_active || fail "not active after restart" || return 1
    after=$(mainpid)
    [ "$before" != "$after" ] || fail "MainPID unchanged ($after)"
}

s_backend() {
    printf '%s' "$TEST_CFG" >"$MERGED/etc/haproxy/haproxy.cfg"
    # systemd-run reaches the container's own manager through nsenter.
    ct systemd-run --unit=e2e-backend --property=WorkingDirectory=/usr/share/doc \
        python3 -m http.server 8000 --bind 127.0.0.1 >/dev/null 2>&1 || fail "cannot start the backend" || return 1
    wait_until 15 "ctsh 'curl -sf -o /dev/null http://127.0.0.1:8000/'" || fail "backend does not answer" || return 1
    restart || fail "restart with the test configuration failed" || return 1
    wait_until 10 'test "$(http_code http://127.0.0.1:8080/)" = 200' \
        || fail "proxy answers $(http_code http://127.0.0.1:8080/)"
}

# A bounded client loop inside the container, in the background: COUNT
# requests one after the other, each line an HTTP code (000 = failed).
CLIENT_PID=
start_clients() {
    ctsh ': >/root/codes'
    CT_TIMEOUT=120 ct sh -c "i=0; while [ \$i -lt $1 ]; do curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 http://127.0.0.1:8080/ >>/root/codes; i=\$((i+1)); done" &
    CLIENT_PID=$!
}
codes_seen() { ctsh 'wc -l </root/codes' | tr -d ' '; }
clients_result() {
    wait "$CLIENT_PID"
    local total bad
    total=$(codes_seen)
    bad=$(ctsh 'grep -vc "^200$" /root/codes' | tr -d ' ')
    [ "$total" -gt 0 ] && [ "$bad" = 0 ] || fail "$bad of $total requests failed ($(ctsh 'sort /root/codes | uniq -c' | tr '\n' ' '))"
}

s_reload_under_load() {
    local master workers_before workers_after n
    master=$(mainpid); workers_before=$(workers)
    start_clients 600
    wait_until 20 'test "$(codes_seen)" -ge 50' || fail "client loop does not run" || return 1
    ct systemctl reload haproxy 2>>"$RUN/systemctl.log" || fail "systemctl reload failed" || return 1
    n=$(codes_seen)
    wait_until 20 "test \"\$(codes_seen)\" -ge $((n + 50))" || fail "client loop stalled after reload" || return 1
    ct systemctl reload haproxy 2>>"$RUN/systemctl.log" || fail "second systemctl reload failed" || return 1
    clients_result || return 1
    workers_after=$(workers)
    [ "$(mainpid)" = "$master" ] || fail "master changed: $master -> $(mainpid)" || return 1
    [ -n "$workers_after" ] && [ "$workers_after" != "$workers_before" ] \
        || fail "workers not replaced ($workers_before -> $workers_after)"
}

s_broken_reload() {
    local master workers_before
    master=$(mainpid); workers_before=$(workers)
    cp "$MERGED/etc/haproxy/haproxy.cfg" "$RUN/good.cfg"
    printf '\nfrontend broken\n\tbind 127.0.0.1:8090\n\tno-such-keyword here\n' >>"$MERGED/etc/haproxy/haproxy.cfg"
    if ct systemctl reload haproxy >/dev/null 2>&1; then
        cp "$RUN/good.cfg" "$MERGED/etc/haproxy/haproxy.cfg"
        fail "reload with a broken configuration succeeded"; return 1
    fi
    cp "$RUN/good.cfg" "$MERGED/etc/haproxy/haproxy.cfg"
    is_active || fail "service not active after the failed reload" || return 1
    [ "$(mainpid)" = "$master" ] && [ "$(workers)" = "$workers_before" ] \
        || fail "processes changed: $master/$workers_before -> $(mainpid)/$(workers)" || return 1
    [ "$(http_code http://127.0.0.1:8080/)" = 200 ] || fail "old process does not serve"
}

s_default_config() {
    cp "$MERGED/etc/default/haproxy" "$RUN/default.orig"
    sed 's/:8080/:8081/' "$MERGED/etc/haproxy/haproxy.cfg" >"$MERGED/etc/haproxy/alt.cfg"
    echo 'CONFIG="/etc/haproxy/alt.cfg"' >>"$MERGED/etc/default/haproxy"
    restart
    local on_alt on_main
    wait_until 10 'test "$(http_code http://127.0.0.1:8081/)" = 200'
    on_alt=$(http_code http://127.0.0.1:8081/); on_main=$(http_code http://127.0.0.1:8080/)
    cp "$RUN/default.orig" "$MERGED/etc/default/haproxy"
    rm -f "$MERGED/etc/haproxy/alt.cfg"
    restart
    wait_until 10 'test "$(http_code http://127.0.0.1:8080/)" = 200' || fail "back on haproxy.cfg: no answer" || return 1
    [ "$on_alt" = 200 ] && [ "$on_main" = 000 ] || fail "with CONFIG=alt.cfg: :8081 gave $on_alt, :8080 gave $on_main"
}

MARK=0
log_has() { ctsh "grep -q 'GET /$1 ' /var/log/haproxy.log"; }
request_logged() {
    MARK=$((MARK + 1))
    local path=e2e-mark-$$-$MARK
    http_code "http://127.0.0.1:8080/$path" >/dev/null
    wait_until 15 "log_has $path"
}
s_log() {
    request_logged || fail "request not in /var/log/haproxy.log ($(ctsh 'tail -c 300 /var/log/haproxy.log' 2>&1 | tail -1))"
}

# halog reads the whole log (rsyslog's RFC 3339 timestamps shift the fields
# halog expects, so it is not asked to parse the lines, only to read them).
s_halog() {
    local out lines
    lines=$(ctsh 'wc -l </var/log/haproxy.log' | tr -d ' ')
    out=$(ctsh 'halog -st </var/log/haproxy.log 2>&1 >/dev/null') || fail "halog -st: exit $?: $(echo "$out" | tail -1)" || return 1
    echo "$out" | grep -q "^$lines lines in" || fail "expected '$lines lines in', got: $(echo $out)"
}

s_service_cmd() {
    ct service haproxy status >/dev/null 2>&1 || fail "service haproxy status: exit $?" || return 1
    ct service haproxy stop >/dev/null 2>&1 || fail "service haproxy stop failed" || return 1
    is_active && { fail "active after service stop"; return 1; }
    ct service haproxy status >/dev/null 2>&1 && { fail "status says running when stopped"; return 1; }
    ct systemctl reset-failed haproxy >/dev/null 2>&1
    ct service haproxy start >/dev/null 2>&1 || fail "service haproxy start failed" || return 1
    wait_until 10 is_active || fail "not active after service start" || return 1
    local master; master=$(mainpid)
    ct service haproxy reload >/dev/null 2>&1 || fail "service haproxy reload failed" || return 1
    [ "$(mainpid)" = "$master" ] || fail "service reload changed the master" || return 1
    wait_until 10 'test "$(http_code http://127.0.0.1:8080/)" = 200' || fail "no answer after service reload"
}
s_initd_status() {
    ct /etc/init.d/haproxy status >/dev/null 2>&1 || fail "/etc/init.d/haproxy status: exit $?"
}

# The init script itself, as on a system without systemd: the LSB functions
# hand over to systemctl unless SYSTEMCTL_SKIP_REDIRECT is set.
initd() { ct env SYSTEMCTL_SKIP_REDIRECT=1 /etc/init.d/haproxy "$@" >>"$RUN/initd.log" 2>&1; }
pidfile_pids() { ct cat /run/haproxy.pid 2>/dev/null | tr '\n' ' '; }
s_initd_sysv() {
    ct systemctl stop haproxy 2>>"$RUN/systemctl.log"
    local rc=0
    initd_flow || rc=1
    # Back to the service for the steps that follow, whatever happened.
    initd stop
    ct systemctl reset-failed haproxy >/dev/null 2>&1
    ct systemctl start haproxy 2>>"$RUN/systemctl.log" || { [ $rc = 1 ] || fail "systemctl start afterwards failed"; rc=1; }
    return $rc
}
initd_flow() {
    initd start || fail "start: exit $?" || return 1
    initd status || fail "status after start: exit $?" || return 1
    wait_until 10 'test "$(http_code http://127.0.0.1:8080/)" = 200' || fail "no answer after start" || return 1
    local before; before=$(pidfile_pids)
    initd reload || fail "reload: exit $?" || return 1
    wait_until 10 'test "$(pidfile_pids)" != "$before"' || fail "reload did not start new processes" || return 1
    [ "$(http_code http://127.0.0.1:8080/)" = 200 ] || fail "no answer after reload" || return 1
    cp "$MERGED/etc/haproxy/haproxy.cfg" "$RUN/good.cfg"
    printf '\nfrontend broken\n\tno-such-keyword here\n' >>"$MERGED/etc/haproxy/haproxy.cfg"
    before=$(pidfile_pids)
    local rc=0; initd reload || rc=$?
    cp "$RUN/good.cfg" "$MERGED/etc/haproxy/haproxy.cfg"
    [ $rc -ne 0 ] || fail "reload of a broken configuration succeeded" || return 1
    [ "$(pidfile_pids)" = "$before" ] && [ "$(http_code http://127.0.0.1:8080/)" = 200 ] \
        || fail "the old process does not serve after the refused reload" || return 1
    initd stop || fail "stop: exit $?" || return 1
    rc=0; initd status || rc=$?
    [ $rc = 3 ] || fail "status after stop: exit $rc, LSB says 3" || return 1
    wait_until 10 'test "$(haproxy_procs)" = 0' || fail "processes remain after stop"
}

s_logrotate() {
    local out
    out=$(ct logrotate -f /etc/logrotate.d/haproxy 2>&1) || fail "first logrotate -f failed: $(echo "$out" | tail -2)" || return 1
    ct test -s /var/log/haproxy.log.1 || fail "no haproxy.log.1 after the first rotation" || return 1
    request_logged || fail "no logging after the first rotation" || return 1
    out=$(ct logrotate -f /etc/logrotate.d/haproxy 2>&1) || fail "second logrotate -f failed: $(echo "$out" | tail -2)" || return 1
    ct test -s /var/log/haproxy.log.1 || fail "no haproxy.log.1 after the second rotation" || return 1
    ctsh 'ls /var/log/haproxy.log.2.*' >/dev/null 2>&1 || fail "no compressed haproxy.log.2.* ($(ctsh 'ls /var/log/haproxy.log*' | tr '\n' ' '))" || return 1
    request_logged || fail "no logging after the second rotation"
}
s_logrotate_lz4() {
    ct test -s /var/log/haproxy.log.2.lz4 || fail "no haproxy.log.2.lz4 ($(ctsh 'ls /var/log/haproxy.log*' | tr '\n' ' '))" || return 1
    ct lz4 -t /var/log/haproxy.log.2.lz4 >/dev/null 2>&1 || fail "lz4 -t rejects haproxy.log.2.lz4" || return 1
    ctsh 'lz4 -dc /var/log/haproxy.log.2.lz4 | grep -q "GET /e2e-mark-"' || fail "haproxy.log.2.lz4 lacks the logged requests"
}

s_upgrade_reload() {
    local master workers_before exe
    master=$(mainpid); workers_before=$(workers)
    start_clients 400
    wait_until 20 'test "$(codes_seen)" -ge 30' || fail "client loop does not run" || return 1
    CT_TIMEOUT=300 ct apt-get install -y -q --reinstall $INSIDE_DEBS </dev/null >"$RUN/upgrade.log" 2>&1 \
        || { clients_result; fail "reinstall failed"; return 1; }
    clients_result || return 1
    wait_until 10 is_active || fail "not active after the upgrade" || return 1
    [ "$(mainpid)" = "$master" ] || fail "the upgrade restarted the master ($master -> $(mainpid)) instead of reloading" || return 1
    exe=$(ct readlink "/proc/$master/exe")
    [ "$exe" = /usr/sbin/haproxy ] || fail "the master still runs the old binary ($exe)" || return 1
    [ "$(workers)" != "$workers_before" ] || fail "workers not replaced"
}

s_remove_keeps_config() {
    printf '# edited by the operator\n%s' "$TEST_CFG" >"$MERGED/etc/haproxy/haproxy.cfg"
    CT_TIMEOUT=300 ct apt-get remove -y -q haproxy </dev/null >"$RUN/remove.log" 2>&1 || fail "apt-get remove failed" || return 1
    ct test -e /usr/sbin/haproxy && { fail "/usr/sbin/haproxy still there"; return 1; }
    wait_until 10 'test "$(haproxy_procs)" = 0' || fail "haproxy still running" || return 1
    ct grep -q '^# edited by the operator' /etc/haproxy/haproxy.cfg || fail "edited haproxy.cfg not kept"
}
s_reinstall_serves() {
    CT_TIMEOUT=300 ct apt-get install -y -q $INSIDE_DEBS </dev/null >"$RUN/reinstall.log" 2>&1 || fail "reinstall failed" || return 1
    ct grep -q '^# edited by the operator' /etc/haproxy/haproxy.cfg || fail "edited haproxy.cfg replaced" || return 1
    wait_until 10 is_active || fail "not active after reinstall" || return 1
    wait_until 10 'test "$(http_code http://127.0.0.1:8080/)" = 200' || fail "does not serve with the kept configuration"
}

s_purge() {
    local pkgs=haproxy
    ct dpkg -s haproxy-doc >/dev/null 2>&1 && pkgs="haproxy haproxy-doc"
    CT_TIMEOUT=300 ct apt-get purge -y -q $pkgs </dev/null >"$RUN/purge.log" 2>&1 || fail "apt-get purge failed" || return 1
    local left
    left=$(ctsh 'for p in /etc/haproxy /etc/default/haproxy /etc/init.d/haproxy /etc/logrotate.d/haproxy \
            /etc/rsyslog.d/49-haproxy.conf /lib/systemd/system/haproxy.service /usr/sbin/haproxy \
            /usr/share/doc/haproxy /etc/systemd/system/multi-user.target.wants/haproxy.service; do
            [ -e $p ] && echo $p; done
        dpkg -l haproxy 2>/dev/null | grep -q "^[a-z][a-z] *haproxy " && echo "dpkg record"
        pgrep -x haproxy >/dev/null && echo "process"
        getent passwd haproxy >/dev/null && echo "user"
        getent group haproxy >/dev/null && echo "group"
        systemctl is-active -q haproxy && echo "active unit"
        true')
    [ -z "$left" ] || fail "left behind: $(echo $left)"
}
s_purge_state() {
    local left
    left=$(ctsh 'ls -d /var/lib/haproxy /var/log/haproxy.log* /run/haproxy /run/haproxy.pid 2>/dev/null')
    [ -z "$left" ] || fail "left behind: $(echo $left)"
}

# ------------------------------------------------------ switch-over ---

# The operator's configuration: the test one with a frontend of their own,
# and one error page they edited.
OPERATOR_CFG="# edited by the operator
$TEST_CFG
frontend operator
	bind 127.0.0.1:8082
	http-request return status 200 content-type text/plain string operator
"
# Debian's binary says `HAProxy version 2.6.12-1+deb12u4 ...`, ours
# `2.6.0-swift-...` (read whole: grep -q would cut the pipe short).
is_debian_binary() {
    local version; version=$(ct /usr/sbin/haproxy -v | head -1)
    echo "$version" | grep -Eq "version 2\.6\.[0-9]+-[0-9]" || fail "not Debian's binary: $version"
}
installed_version() { ct dpkg-query -W -f='${Version}' haproxy 2>/dev/null; }
# The master runs /usr/sbin/haproxy as installed now (not a replaced file).
master_runs_installed() {
    local exe
    exe=$(ct readlink "/proc/$(mainpid)/exe")
    [ "$exe" = /usr/sbin/haproxy ] || fail "the master runs '$exe'"
}
operator_files_kept() {
    ct grep -q '^# edited by the operator' /etc/haproxy/haproxy.cfg || fail "edited haproxy.cfg replaced" || return 1
    ct grep -q 'edited by the operator' /etc/haproxy/errors/500.http || fail "edited errors/500.http replaced" || return 1
    [ "$(ctsh 'curl -s --max-time 5 http://127.0.0.1:8082/')" = operator ] || fail "the operator's frontend does not answer"
}
# The untouched error pages are those of the package installed now.
pages_of() {
    ctsh "dpkg-deb --fsys-tarfile $1 | tar -xOf - ./etc/haproxy/errors/503.http | cmp -s - /etc/haproxy/errors/503.http" \
        || fail "errors/503.http is not the one of ${1##*/}"
}
# Installs with apt under a client loop and checks what the operator
# expects: no failed request, the service active with the same master
# running the new binary, the edited files kept.
switch_under_load() {
    local want=$1; shift
    local master; master=$(mainpid)
    start_clients 400
    wait_until 20 'test "$(codes_seen)" -ge 30' || fail "client loop does not run" || return 1
    CT_TIMEOUT=300 ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" </dev/null >"$RUN/switch.log" 2>&1 \
        || { clients_result; fail "apt-get install $* failed: $(tail -1 "$RUN/switch.log")"; return 1; }
    clients_result || return 1
    [ "$(installed_version)" = "$want" ] || fail "installed: $(installed_version), expected $want" || return 1
    wait_until 10 is_active || fail "not active" || return 1
    [ "$(mainpid)" = "$master" ] || fail "the master was restarted ($master -> $(mainpid)), not reloaded" || return 1
    master_runs_installed || return 1
    operator_files_kept
}
CONFOLD=(-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

s_debian_serves() {
    CT_TIMEOUT=300 ct apt-get install -y -q "haproxy=$DEBIAN_VERSION" </dev/null >"$RUN/debian.log" 2>&1 \
        || fail "apt-get install haproxy=$DEBIAN_VERSION failed: $(tail -1 "$RUN/debian.log")" || return 1
    printf '%s' "$OPERATOR_CFG" >"$MERGED/etc/haproxy/haproxy.cfg"
    sed -i '1i <!-- edited by the operator -->' "$MERGED/etc/haproxy/errors/500.http"
    ct systemctl reload haproxy 2>>"$RUN/systemctl.log" || fail "reload with the operator's configuration failed" || return 1
    wait_until 10 'test "$(http_code http://127.0.0.1:8080/)" = 200' || fail "Debian's haproxy does not serve" || return 1
    is_debian_binary || return 1
    operator_files_kept
}
s_switch_no_terminal() {
    local master; master=$(mainpid)
    # No terminal and no conffile option: dpkg cannot ask about the edited
    # haproxy.cfg, the package is left unpacked, the old process serves.
    if CT_TIMEOUT=300 ct apt-get install -y -q "$OURS_DEB" </dev/null >"$RUN/prompt.log" 2>&1; then
        fail "apt-get install went through without a conffile answer"; return 1
    fi
    grep -q "Configuration file '/etc/haproxy/" "$RUN/prompt.log" || fail "no conffile question in apt's output: $(tail -2 "$RUN/prompt.log")" || return 1
    [ "$(http_code http://127.0.0.1:8080/)" = 200 ] || fail "the old process does not serve" || return 1
    [ "$(mainpid)" = "$master" ] || fail "the master changed" || return 1
    # The way out an operator takes: finish the configuration keeping the
    # edited files; the service is reloaded onto our binary.
    CT_TIMEOUT=300 ct env DEBIAN_FRONTEND=noninteractive dpkg --configure -a --force-confdef --force-confold \
        </dev/null >>"$RUN/prompt.log" 2>&1 || fail "dpkg --configure -a --force-confold failed" || return 1
    [ "$(ct dpkg-query -W -f='${Status}' haproxy)" = "install ok installed" ] || fail "not configured: $(ct dpkg-query -W -f='${Status}' haproxy)" || return 1
    wait_until 10 is_active || fail "not active" || return 1
    master_runs_installed && operator_files_kept || return 1
    # Back to Debian's for the unattended switch.
    CT_TIMEOUT=300 ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades "${CONFOLD[@]}" \
        "haproxy=$DEBIAN_VERSION" </dev/null >>"$RUN/prompt.log" 2>&1 || fail "back to Debian's failed" || return 1
    wait_until 10 is_active || fail "not active on Debian's"
}
s_switch_to_ours() {
    switch_under_load "$(dpkg-deb -f "$MERGED$OURS_DEB" Version)" "${CONFOLD[@]}" "$OURS_DEB" || return 1
    local version; version=$(ct /usr/sbin/haproxy -v | head -1)
    case "$version" in *swift*) ;; *) fail "not our binary: $version"; return 1 ;; esac
    pages_of "$OURS_DEB"
}
s_switch_back() {
    switch_under_load "$DEBIAN_VERSION" --allow-downgrades "${CONFOLD[@]}" "haproxy=$DEBIAN_VERSION" || return 1
    is_debian_binary
}
s_upgrade_ours() {
    CT_TIMEOUT=300 ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${CONFOLD[@]}" "$OURS_DEB" \
        </dev/null >"$RUN/ours.log" 2>&1 || fail "installing ours again failed" || return 1
    wait_until 10 is_active || fail "not active on ours" || return 1
    switch_under_load "$NEWER_VERSION" "${CONFOLD[@]}" "$NEWER_DEB"
}

# ---------------------------------------------------------------- main ---

START=$(date +%s)
build_root
boot
log "container booted (leader $LEADER) in $(( $(date +%s) - START )) s"

step "boot and apt install ${DEBS[*]##*/} (offline, no prompt)" s_boot_install
if [ ${#WITH[@]} -gt 0 ]; then
    step "replace files: ${WITH[*]}" s_with_files
fi
step "apt sees the installed version as the newest" s_newest
step "service enabled and active" s_enabled_active
step "every path of the SPEC exists (sockets, pidfile, /run/haproxy 2775, conffiles)" s_spec_paths
ours "lintian overrides installed in /usr/share/lintian/overrides/haproxy" s_lintian_overrides
if printf '%s\n' "${DEBS[@]##*/}" | grep -q '^haproxy-doc_'; then
    step "haproxy-doc installs the HTML manual" s_doc_html
fi
step "show info through /run/haproxy/admin.sock" s_show_info
step "show proc through the master socket /run/haproxy-master.sock" s_master_socket
step "the worker does not run as root and is chrooted" s_worker_not_root
step "systemctl stop" s_stop
step "systemctl start" s_start
step "systemctl status" s_status
step "systemctl restart gives a new master" s_restart
step "proxy a backend inside the container (test configuration)" s_backend
step "systemctl reload keeps the master, replaces the worker, fails no request" s_reload_under_load
step "reload with a broken haproxy.cfg fails and the old process serves" s_broken_reload
step "CONFIG= in /etc/default/haproxy takes effect on restart" s_default_config
step "a request appears in /var/log/haproxy.log through rsyslog" s_log
step "halog reads /var/log/haproxy.log (every line in)" s_halog
step "service haproxy status|stop|start|reload" s_service_cmd
step "/etc/init.d/haproxy status" s_initd_status
step "init script without systemd: start, status, reload -sf, broken reload refused, stop" s_initd_sysv
step "logrotate -f twice: haproxy.log.1, a compressed .2, logging goes on" s_logrotate
ours "rotated log compressed with LZ4 (.2.lz4, lz4 -t)" s_logrotate_lz4
step "upgrade (reinstall) reloads: same master on the new binary, no failed request" s_upgrade_reload
step "apt remove keeps an edited haproxy.cfg" s_remove_keeps_config
step "reinstall serves with the kept haproxy.cfg" s_reinstall_serves
step "apt purge leaves no file, process, user or active unit" s_purge
ours "apt purge removes /var/lib/haproxy, the logs and runtime files" s_purge_state
if [ "$REFERENCE" = 0 ]; then
    step "Debian's haproxy $DEBIAN_VERSION from the archive serves an edited haproxy.cfg" s_debian_serves
    step "over Debian's without --force-confold and no terminal: stops at the conffile, old process serves; dpkg --configure -a --force-confold finishes" s_switch_no_terminal
    step "ours over Debian's (noninteractive, --force-confold) under load: no failed request, same master on our binary, edits kept, other pages ours" s_switch_to_ours
    step "back to Debian's (--allow-downgrades) under load: no failed request, same master on Debian's binary, edits kept" s_switch_back
    step "ours over Debian's, then ours upgraded to $NEWER_VERSION under load: no failed request, same master on the new binary" s_upgrade_ours
fi

log "done in $(( $(date +%s) - START )) s"
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
