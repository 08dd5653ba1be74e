#!/usr/bin/env python3
"""Record how a real HAProxy answers malformed HTTP/1 requests.

Usage: record-malformed.py /path/to/haproxy > malformed-requests.txt

Starts the given binary with `-db -f cfg` on a free loopback port, with a
frontend in `mode http` that answers `http-request return status 200` after
buffering the request body (`option http-buffer-request`), so the answer
reflects both head parsing and body framing. Each case is sent on a fresh
connection; the status code of the first response line is recorded, or
`close` when the connection closes without a response. Incomplete requests
end in `timeout http-request` (408).

Output: one case per line, TAB separated: name, request bytes escaped
(\\r \\n \\t \\\\ \\xNN), expected status or `close`.
"""
import os, socket, subprocess, sys, tempfile, time

CASES = []
def case(name, data):
    if isinstance(data, str):
        data = data.encode('latin-1')
    CASES.append((name, data))

H = "Host: a\r\n"
case("ok_get", "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
case("ok_http10_no_host", "GET / HTTP/1.0\r\n\r\n")
case("http11_without_host", "GET / HTTP/1.1\r\n\r\n")
case("bare_lf_everywhere", "GET / HTTP/1.1\nHost: a\n\n")
case("bare_lf_end_of_head", "GET / HTTP/1.1\r\nHost: a\r\n\n")
case("cr_without_lf_in_value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n")
case("missing_colon", "GET / HTTP/1.1\r\nHost: a\r\nFoo\r\n\r\n")
case("obs_fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n")
case("obs_fold_tab", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n")
case("fold_first_header", "GET / HTTP/1.1\r\n Host: a\r\n\r\n")
case("space_before_colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n")
case("tab_before_colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n")
case("empty_header_name", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n")
case("space_in_header_name", "GET / HTTP/1.1\r\nHost: a\r\nX Y: b\r\n\r\n")
case("at_in_header_name", "GET / HTTP/1.1\r\nHost: a\r\nX@Y: b\r\n\r\n")
case("paren_in_header_name", "GET / HTTP/1.1\r\nHost: a\r\nX(Y): b\r\n\r\n")
case("underscore_header_name", "GET / HTTP/1.1\r\nHost: a\r\nX_Y: b\r\n\r\n")
case("highbit_header_name", b"GET / HTTP/1.1\r\nHost: a\r\nX\xe9: b\r\n\r\n")
case("nul_in_header_value", b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n")
case("ctl_in_header_value", b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n")
case("del_in_header_value", b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n")
case("highbit_in_header_value", b"GET / HTTP/1.1\r\nHost: a\r\nX: a\xe9b\r\n\r\n")
case("empty_header_value", "GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n")
case("nul_in_uri", b"GET /a\x00b HTTP/1.1\r\nHost: a\r\n\r\n")
case("highbit_in_uri", b"GET /a\xe9b HTTP/1.1\r\nHost: a\r\n\r\n")
case("ctl_in_uri", b"GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n")
case("del_in_uri", b"GET /a\x7fb HTTP/1.1\r\nHost: a\r\n\r\n")
case("quote_in_uri", 'GET /a"b HTTP/1.1\r\nHost: a\r\n\r\n')
case("brace_in_uri", "GET /a{b}<c> HTTP/1.1\r\nHost: a\r\n\r\n")
case("hash_in_uri", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n")
case("space_in_uri", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n")
case("two_spaces_after_method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n")
case("two_spaces_before_version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n")
case("tab_separators", "GET\t/\tHTTP/1.1\r\nHost: a\r\n\r\n")
case("trailing_space_request_line", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n")
case("empty_uri", "GET  HTTP/1.1\r\nHost: a\r\n\r\n")
case("absolute_uri", "GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n")
case("absolute_uri_host_mismatch", "GET http://b/x HTTP/1.1\r\nHost: a\r\n\r\n")
case("asterisk_uri_options", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")
case("connect_authority", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n")
case("lowercase_method", "get / HTTP/1.1\r\nHost: a\r\n\r\n")
case("unknown_method", "FOO / HTTP/1.1\r\nHost: a\r\n\r\n")
case("invalid_char_in_method", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n")
case("slash_in_method", "G/T / HTTP/1.1\r\nHost: a\r\n\r\n")
case("highbit_in_method", b"G\xe9T / HTTP/1.1\r\nHost: a\r\n\r\n")
case("empty_method", " / HTTP/1.1\r\nHost: a\r\n\r\n")
case("http09_request", "GET /\r\n\r\n")
case("http09_request_with_headers", "GET /\r\nHost: a\r\n\r\n")
case("version_http12", "GET / HTTP/1.2\r\nHost: a\r\n\r\n")
case("version_http20", "GET / HTTP/2.0\r\nHost: a\r\n\r\n")
case("version_http09", "GET / HTTP/0.9\r\nHost: a\r\n\r\n")
case("version_lowercase", "GET / http/1.1\r\nHost: a\r\n\r\n")
case("version_no_minor", "GET / HTTP/1\r\nHost: a\r\n\r\n")
case("version_two_digit_minor", "GET / HTTP/1.10\r\nHost: a\r\n\r\n")
case("version_letters", "GET / HTTP/x.y\r\nHost: a\r\n\r\n")
case("version_garbage", "GET / FOO/1.1\r\nHost: a\r\n\r\n")
case("empty_lines_before_request", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
case("bare_lf_lines_before_request", "\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
case("space_before_request_line", " GET / HTTP/1.1\r\nHost: a\r\n\r\n")
case("binary_garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n")
case("incomplete_head", "GET / HTTP/1.1\r\nHost: a\r\n")
case("incomplete_request_line", "GET / HTT")
case("only_crlf", "\r\n")
case("duplicate_host_same", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n")
case("duplicate_host_different", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
case("empty_host", "GET / HTTP/1.1\r\nHost:\r\n\r\n")
case("cl_valid", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc")
case("cl_zero", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
case("cl_leading_zeros", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 003\r\n\r\nabc")
case("cl_not_digits", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n")
case("cl_plus_sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc")
case("cl_negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -3\r\n\r\nabc")
case("cl_empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n")
case("cl_hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\nabc")
case("cl_space_inside", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\nabcdefghijkl")
case("cl_duplicate_same", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc")
case("cl_duplicate_different", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")
case("cl_list_same", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc")
case("cl_list_different", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3,4\r\n\r\nabcd")
case("cl_list_empty_element", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3,,3\r\n\r\nabc")
case("cl_trailing_comma", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3,\r\n\r\nabc")
case("cl_huge", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\nabc")
case("cl_body_short", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
case("te_chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
case("te_chunked_with_cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
case("te_chunked_uppercase", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
case("te_gzip_chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
case("te_chunked_gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
case("te_chunked_twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
case("te_gzip_only", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabc")
case("te_identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n")
case("te_chunked_http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
case("te_empty", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n")
case("chunk_extension", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\n\r\n")
case("chunk_trailers", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n")
case("chunk_uppercase_hex", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n")
case("chunk_size_space_before_crlf", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n")
case("chunk_bad_size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
case("chunk_empty_size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\nabc\r\n0\r\n\r\n")
case("chunk_missing_crlf_after_data", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n")
case("chunk_bare_lf", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n")
case("chunk_size_overflow", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n0\r\n\r\n")
case("chunk_incomplete", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
case("connection_close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
case("expect_100", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc")
case("te_chunked_then_cl_invalid", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: abc\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
case("te_chunked_trailing_comma", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked,\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
case("te_leading_empty_element", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
case("cl_tab_ows", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\t3\t\r\n\r\nabc")
case("absolute_uri_without_host", "GET http://b/x HTTP/1.1\r\n\r\n")
case("headers_100", "GET / HTTP/1.1\r\n" + "".join("X-%d: v\r\n" % i for i in range(100)) + "\r\n")
case("headers_101", "GET / HTTP/1.1\r\n" + "".join("X-%d: v\r\n" % i for i in range(101)) + "\r\n")

def head_of_size(n, extra_headers):
    base = "GET / HTTP/1.1\r\nHost: a\r\n" + "".join("H%03d: v\r\n" % i for i in range(extra_headers)) + "X: "
    return base + "a" * (n - len(base) - 4) + "\r\n\r\n"

# HAProxy converts the head to HTX, whose size must stay under
# tune.bufsize - tune.maxrewrite (minus its own bookkeeping): the raw limit
# therefore shrinks by 4 bytes per header. Boundaries found by bisection.
for n, extra in [(15273, 0), (15274, 0), (15073, 50), (15074, 50), (16384, 0), (20000, 0)]:
    case("head_size_%d_with_%d_headers" % (n, extra + 2), head_of_size(n, extra))
case("websocket_without_key", "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
case("websocket_short_key", "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: abc\r\n\r\n")
case("websocket_24_byte_key", "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\nSec-WebSocket-Key: ************************\r\n\r\n")
case("websocket_in_list_http10", "GET / HTTP/1.0\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: foo, websocket\r\n\r\n")
case("websocket_without_connection_upgrade", "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n")
case("http10_get_with_body", "GET / HTTP/1.0\r\nHost: a\r\nContent-Length: 2\r\n\r\nab")
case("http10_head_with_body", "HEAD / HTTP/1.0\r\nHost: a\r\nContent-Length: 2\r\n\r\nab")
case("http10_delete_chunked", "DELETE / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n")
case("http10_get_identity_chunked", "GET / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n")
case("http10_get_empty_body", "GET / HTTP/1.0\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
case("http10_options_with_body", "OPTIONS / HTTP/1.0\r\nHost: a\r\nContent-Length: 2\r\n\r\nab")
case("http11_get_with_body", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab")
case("bad_chunk_with_head", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n")
case("head_incomplete_20000", "GET / HTTP/1.1\r\nHost: a\r\nX: " + "a" * 20000)

CFG = """global
    maxconn 100
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-request 700ms
frontend fe
    bind 127.0.0.1:%d
    option http-buffer-request
    http-request return status 200 content-type text/plain string ok
"""

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def ask(port, data, timeout=3.0):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(timeout)
    try:
        s.sendall(data)
    except OSError:
        pass
    got = b""
    deadline = time.time() + timeout
    try:
        while b"\n" not in got and time.time() < deadline:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    if not got:
        return "close"
    parts = got.split(b" ")
    return parts[1].decode() if len(parts) > 1 else "close"

def escape(b):
    out = []
    for c in b:
        if c == 0x0d: out.append("\\r")
        elif c == 0x0a: out.append("\\n")
        elif c == 0x09: out.append("\\t")
        elif c == 0x5c: out.append("\\\\")
        elif 0x20 <= c < 0x7f: out.append(chr(c))
        else: out.append("\\x%02x" % c)
    return "".join(out)

def main():
    binary = sys.argv[1]
    port = free_port()
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "h.cfg")
        open(cfg, "w").write(CFG % port)
        p = subprocess.Popen([binary, "-db", "-f", cfg], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(50):
                try:
                    socket.create_connection(("127.0.0.1", port)).close(); break
                except OSError:
                    time.sleep(0.1)
            version = subprocess.run([binary, "-v"], capture_output=True, text=True).stdout.splitlines()[0]
            print("# Malformed HTTP/1 requests and the status the real HAProxy answers.")
            print("# Produced by: python3 Tests/HAProxyHTTPTests/Golden/record-malformed.py <haproxy binary>")
            print("# with %s" % version)
            print("# Config (port varies):")
            for line in (CFG % 0).splitlines():
                print("#   " + line)
            print("# Format: name TAB escaped request (\\r \\n \\t \\\\ \\xNN) TAB status or `close`.")
            for name, data in CASES:
                print("%s\t%s\t%s" % (name, escape(data), ask(port, data)), flush=True)
        finally:
            p.terminate(); p.wait()

main()
