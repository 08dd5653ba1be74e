#!/usr/bin/env bash
# Unpacks Debian's haproxy 2.6 into ~/.cache/proxybench/ref (where
# ../shared/tools/proxybench.py keeps it too) for the tests that compare
# with the real one. Never installs the package: only its libraries.
set -euo pipefail
cache="${HAPROXY_REFERENCE_DIR:-$HOME/.cache/proxybench/ref}"
binary="$cache/usr/sbin/haproxy"
if [ -x "$binary" ] && "$binary" -v >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "Debian's haproxy is not unpacked at $binary; run this as root once (it uses apt-get)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$cache"
cd "$cache"
rm -f haproxy_*.deb
apt-get download haproxy 2>/dev/null || { apt-get update -q && apt-get download haproxy; }
dpkg -x haproxy_*.deb "$cache"
libs=$(apt-cache depends --important haproxy | awk '$1 == "Depends:" && $2 ~ /^lib/ {print $2}')
if [ -n "$libs" ]; then
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $libs
fi
"$binary" -v | head -1
