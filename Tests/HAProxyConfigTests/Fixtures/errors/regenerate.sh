#!/bin/sh
# Regenerates the *.expected golden files from the real HAProxy 2.6 (Debian
# 12's 2.6.12 unpacked under ~/.cache/proxybench/ref), PIDs masked as 0 and
# the start-up NOTICE lines and final summary lines (printed by the command
# line, not the parser) removed. Run from this directory.
H=${HAPROXY:-$HOME/.cache/proxybench/ref/usr/sbin/haproxy}
for cfg in *.cfg; do
  name=${cfg%.cfg}
  {
    echo "# made by: cd Tests/HAProxyConfigTests/Fixtures/errors && FOO=bar LIST=\"a b  c\" haproxy -c -f $cfg (haproxy 2.6.12-1+deb12u4), PID masked, start-up NOTICEs and summary lines removed (see regenerate.sh)"
    FOO=bar LIST="a b  c" "$H" -c -f "$cfg" 2>&1 | sed -E 's/^(\[[A-Z]+\] +)\([0-9]+\)/\1(0)/' \
      | grep -v -e 'haproxy version is' -e 'path to executable is' -e '^Warnings were found.$' \
          -e '^Configuration file is valid$' -e 'will not start (no listener)'
  } > "$name.expected"
done
