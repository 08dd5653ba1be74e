#!/bin/sh
# Make the HTML manual of haproxy-doc from the text manuals, offline:
#   docs/txt2html.sh OUTDIR docs/configuration.txt docs/management.txt
# Each manual becomes OUTDIR/NAME.html (the text, escaped, in <pre>), and
# OUTDIR/index.html links to them.
set -eu
out=$1; shift
mkdir -p "$out"
head='<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">'
{
    echo "$head"
    echo '<title>HAProxy (Swift) documentation</title></head><body>'
    echo '<h1>HAProxy (Swift) documentation</h1><ul>'
    for txt in "$@"; do
        name=$(basename "$txt" .txt)
        echo "<li><a href=\"$name.html\">$name</a></li>"
    done
    echo '</ul></body></html>'
} >"$out/index.html"
for txt in "$@"; do
    name=$(basename "$txt" .txt)
    {
        echo "$head"
        echo "<title>HAProxy (Swift): $name</title></head><body>"
        echo '<p><a href="index.html">index</a></p><pre>'
        sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' "$txt"
        echo '</pre></body></html>'
    } >"$out/$name.html"
done
