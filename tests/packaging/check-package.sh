#!/usr/bin/env bash
# Checks on the built haproxy package that lintian does not make.
#
#   tests/packaging/check-package.sh dist/haproxy_*.deb .build/release/haproxy
#
# - Installed-Size is at most $MAX_INSTALLED_KIB KiB (default 16384, 16 MiB;
#   Debian's own haproxy 2.6 is about 4 MiB). The Swift runtime is linked
#   statically: one binary carries it, /usr/sbin/halog is a link to it.
#   The rules engine (samples, converters, ACLs, actions) brought the
#   package from 11.1 to 12.1 MiB; building with -O instead of -Osize
#   (a quarter fewer instructions per request, docs/architecture.md) added
#   1.3 MiB, the binary then 14.3 MiB stripped. The guard is there to catch
#   ICU or Foundation (38 MB) and runaway growth, not a feature.
# - The binary (not stripped: the release build before dh_strip) links
#   neither ICU (its data alone is ~38 MB: `import Foundation` brings it) nor
#   the full Foundation.
# - The package ships /var/lib/haproxy and /var/lib/haproxy/dev (the chroot)
#   as directories, as Debian's haproxy does, so that dpkg knows their owner;
#   halog is a link to haproxy in /usr/sbin and /usr/bin.
#
# Prints one line per check and exits non-zero when one fails.
set -uo pipefail

MAX_INSTALLED_KIB=${MAX_INSTALLED_KIB:-16384}
if [ $# -ne 2 ]; then
    echo "usage: $0 haproxy_*.deb path/to/unstripped/haproxy" >&2
    exit 2
fi
DEB=$1 BIN=$2
[ -f "$DEB" ] || { echo "no such package: $DEB" >&2; exit 2; }
[ -f "$BIN" ] || { echo "no such binary: $BIN" >&2; exit 2; }

FAILED=0
ok() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; FAILED=$((FAILED + 1)); }

name="Installed-Size at most $MAX_INSTALLED_KIB KiB"
size=$(dpkg-deb -f "$DEB" Installed-Size)
if [ -z "$size" ]; then
    fail "$name" "no Installed-Size field"
elif [ "$size" -gt "$MAX_INSTALLED_KIB" ]; then
    fail "$name" "$size KiB ($(dpkg-deb -c "$DEB" | sort -k3 -n -r | head -3 | awk '{print $6 " " $3}' | tr '\n' ' '))"
else
    ok "$name ($size KiB)"
fi

name="no ICU and no Foundation linked into $BIN"
syms=$(nm "$BIN" 2>&1)
if ! grep -q ' [TtDdBbRr] ' <<<"$syms"; then
    fail "$name" "no symbol table (give the binary before stripping): $(printf '%s' "$syms" | head -1)"
else
    # ICU's data blob (icudt76_dat), its C API (also as swift_ucol_open...),
    # and Swift's Foundation / FoundationInternationalization / _FoundationICU.
    found=$(printf '%s\n' "$syms" | awk '{print $NF}' | grep -E \
        '^icudt[0-9]+[lb]?_dat$|^(swift_)?(ucol|ubrk|unorm2|ucnv|udat|unum|uloc|ucal)_[A-Za-z]+(_[0-9]+)?$|^\$s(10Foundation|30FoundationInternationalization|14_FoundationICU)' \
        | head -5 | tr '\n' ' ')
    if [ -n "$found" ]; then fail "$name" "found $found"; else ok "$name"; fi
fi

name="/var/lib/haproxy and /var/lib/haproxy/dev are directories of the package"
listing=$(dpkg-deb -c "$DEB")
missing=
for dir in ./var/lib/haproxy/ ./var/lib/haproxy/dev/; do
    grep -Eq "^d[rwx-]{9} root/root .* $dir\$" <<<"$listing" || missing="$missing $dir"
done
if [ -n "$missing" ]; then fail "$name" "missing:$missing"; else ok "$name"; fi

name="halog is a link to haproxy"
links=$(printf '%s\n' "$listing" | awk '$1 ~ /^l/ && ($6 == "./usr/sbin/halog" || $6 == "./usr/bin/halog") {print $6 "->" $8}' | sort | tr '\n' ' ')
if [ "$links" = "./usr/bin/halog->../sbin/haproxy ./usr/sbin/halog->haproxy " ]; then
    ok "$name"
else
    fail "$name" "got '${links}'"
fi

[ "$FAILED" -eq 0 ]
