#!/usr/bin/env bash
# The README's first command on a fresh machine.
#
#   tests/e2e/fresh-machine.sh
#
# In a fresh Debian 12 root (debootstrap minbase plus what the Swift
# toolchain itself needs, so without liblz4-dev and pkg-config), with
# /opt/swift bind-mounted read-only and a copy of this checkout (tracked and
# untracked files, no build tree), runs `make run` as root: it must install
# the missing build dependencies with apt-get, build, and serve the
# hello-world configuration. Passes when http://127.0.0.1:8080/ answers
# "Hello, world!", then stops the proxy. Prints one line per step.
#
# The chroot shares the host's network (apt and SwiftPM need it), so port
# 8080 must be free on the host. Git URL rewrites of the host
# (`url.X.insteadOf` in the system git configuration, such as a local mirror
# of GitHub) are copied into the root and their local targets bind-mounted,
# so SwiftPM resolves packages as it does on the host.
#
# Needs root, debootstrap, unshare, chroot and overlayfs. The root is built
# once and cached under $E2E_CACHE (default /var/tmp/haproxy-e2e); each run
# mounts an overlay on it in a private mount and PID namespace, so a run
# leaves nothing behind. FRESH_TIMEOUT (seconds, default 1500) bounds the run.
set -uo pipefail

SUITE=bookworm
MIRROR=${E2E_MIRROR:-http://deb.debian.org/debian}
# Swift 6.3's own dependencies on Debian 12 (compiler, linker, SwiftPM), and
# make: what a machine that can run the README's commands has before them.
INCLUDES=make,git,ca-certificates,binutils,gcc,libc6-dev,libgcc-12-dev,libstdc++-12-dev,libcurl4,libxml2,libsqlite3-0,libncurses6,libedit2,libpython3.11,libuuid1,zlib1g-dev
CACHE=${E2E_CACHE:-/var/tmp/haproxy-e2e}
ROOT=$CACHE/fresh-$SUITE-$(printf '%s %s' "$MIRROR" "$INCLUDES" | sha1sum | cut -c1-12)
SWIFT_DIR=${SWIFT_DIR:-/opt/swift}
LIMIT=${FRESH_TIMEOUT:-1500}
REPO=$(cd "$(dirname "$0")/../.." && pwd)

log() { printf '%s\n' "fresh-machine: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------ inside the namespaces ---

# Runs as PID 1 of a private PID and mount namespace: everything it starts
# dies and everything it mounts goes away with it.
inner() {
    local run=$1 merged=$1/merged
    mount -t overlay overlay -o "lowerdir=$ROOT,upperdir=$run/upper,workdir=$run/work" "$merged" \
        || die "cannot mount the overlay on $ROOT"
    mount -t proc proc "$merged/proc"
    mount --bind /dev "$merged/dev"
    mkdir -p "$merged$SWIFT_DIR"
    mount --bind -o ro "$SWIFT_DIR" "$merged$SWIFT_DIR"
    cp -L /etc/resolv.conf "$merged/etc/resolv.conf"
    local target
    while read -r target; do
        [ -d "$target" ] || continue
        mkdir -p "$merged$target"
        mount --bind -o ro "$target" "$merged$target"
    done <"$run/git-targets"
    [ -s "$run/gitconfig" ] && cp "$run/gitconfig" "$merged/etc/gitconfig"
    mkdir -p "$merged/src"
    tar -C "$REPO" -cf - -T "$run/files" | tar -C "$merged/src" -xf -

    local step=0 failed=0
    check() { step=$((step + 1)); if "${@:2}"; then printf 'ok   %d %s\n' $step "$1"; else printf 'FAIL %d %s\n' $step "$1"; failed=1; fi; }
    missing_before() { chroot "$merged" dpkg-query -W -f='${db:Status-Status}\n' liblz4-dev pkg-config 2>/dev/null | grep -qx installed && return 1; return 0; }
    check "the fresh root has neither liblz4-dev nor pkg-config" missing_before

    setsid chroot "$merged" env -i PATH="$SWIFT_DIR/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        HOME=/root LANG=C.UTF-8 sh -c 'cd /src && exec make run' >"$run/make-run.log" 2>&1 </dev/null &
    local make_pid=$! body= answered=1 deadline=$(( $(date +%s) + LIMIT - 30 ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        body=$(curl -s --max-time 2 http://127.0.0.1:8080/ 2>/dev/null) && [ "$body" = "Hello, world!" ] && { answered=0; break; }
        kill -0 "$make_pid" 2>/dev/null || break
        sleep 1
    done
    proxy_answers() { return $answered; }
    check "make run installs liblz4-dev and pkg-config, builds, and the proxy answers on 127.0.0.1:8080" proxy_answers
    installed_after() { [ "$(chroot "$merged" dpkg-query -W -f='${db:Status-Status}\n' liblz4-dev pkg-config | grep -cx installed)" = 2 ]; }
    check "liblz4-dev and pkg-config are installed afterwards" installed_after
    if [ $failed = 1 ]; then
        log "make run's output (last lines):"
        tail -25 "$run/make-run.log" >&2
    fi
    kill -TERM -- -"$make_pid" 2>/dev/null
    wait "$make_pid" 2>/dev/null
    return $failed
}

if [ "${1:-}" = --inner ]; then
    inner "$2"
    exit $?
fi

# --------------------------------------------------------------- outside ---

[ "$(id -u)" -eq 0 ] || { echo "fresh-machine: must run as root" >&2; exit 2; }
for tool in debootstrap unshare chroot mount curl timeout git; do
    command -v "$tool" >/dev/null || { echo "fresh-machine: $tool is missing" >&2; exit 2; }
done
[ -x "$SWIFT_DIR/usr/bin/swift" ] || { echo "fresh-machine: no Swift toolchain in $SWIFT_DIR" >&2; exit 2; }
if curl -s --max-time 2 -o /dev/null http://127.0.0.1:8080/; then
    die "something already answers on 127.0.0.1:8080 on this host"
fi

if [ ! -f "$ROOT/.fresh-ready" ]; then
    log "building the cached Debian root in $ROOT (a few minutes, once)"
    tmp=$ROOT.tmp.$$
    rm -rf "$tmp"
    mkdir -p "$CACHE"
    timeout 900 debootstrap --variant=minbase --include="$INCLUDES" "$SUITE" "$tmp" "$MIRROR" \
        >"$CACHE/fresh-debootstrap.log" 2>&1 \
        || { tail -20 "$CACHE/fresh-debootstrap.log" >&2; rm -rf "$tmp"; die "debootstrap failed (log: $CACHE/fresh-debootstrap.log)"; }
    # No lists in the cache: the first apt-get install of a run finds none
    # and updates them, as on a machine that never ran apt-get update.
    rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/*.bin
    touch "$tmp/.fresh-ready"
    mv "$tmp" "$ROOT"
fi

RUN=$(mktemp -d "$CACHE/fresh-run.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
mkdir -p "$RUN/upper" "$RUN/work" "$RUN/merged"
# What a fresh clone has: tracked files and new ones, not the build tree.
git -C "$REPO" ls-files -z --cached --others --exclude-standard \
    | xargs -0 -I{} sh -c '[ -e "$1/$2" ] && printf "%s\n" "$2"' _ "$REPO" {} >"$RUN/files"
git config --system --get-regexp '^url\..*\.insteadof$' >"$RUN/rewrites" 2>/dev/null || :
: >"$RUN/gitconfig"; : >"$RUN/git-targets"
while read -r key value; do
    base=${key#url.}; base=${base%.insteadof}
    git config -f "$RUN/gitconfig" --add "url.$base.insteadOf" "$value"
    case "$base" in /*) printf '%s\n' "${base%/}" >>"$RUN/git-targets" ;; esac
done <"$RUN/rewrites"
sort -u -o "$RUN/git-targets" "$RUN/git-targets"

START=$(date +%s)
timeout --kill-after=10 "$LIMIT" unshare --mount --pid --fork --propagation private \
    bash "$0" --inner "$RUN"
rc=$?
[ $rc = 124 ] && log "ERROR: timed out after $LIMIT s"
log "done in $(( $(date +%s) - START )) s"
exit $rc
