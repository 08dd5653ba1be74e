#!/usr/bin/env python3
"""Deterministic synthetic haproxy log for halog's tests and benchmark.

Usage: gen_log.py LINES [SEED [bursts]] > file
With "bursts", accept dates come in bursts (many lines in the same
millisecond) separated by holes of seconds, from 23:59 on so that the times
of day wrap past midnight: input for -ad/-ac. Otherwise lines are rsyslog-formatted httplog lines (some with captured headers,
negative timers, query strings, +logasap timers, <NOSRV>, <BADREQ>), tcplog
lines, and a few junk or truncated lines.
"""
import sys
import time

def main():
    n = int(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    bursts = len(sys.argv) > 3 and sys.argv[3] == "bursts"
    state = [seed * 2654435761 % (1 << 32) or 1]

    def rnd(k):
        # xorshift32: same sequence on every Python version
        x = state[0]
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        state[0] = x
        return x % k

    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    servers = ["be_app/app1", "be_app/app2", "be_app/app3", "be_static/s1", "be_static/s2",
               "be_api/api-01", "be_api/api-02", "be_app/<NOSRV>", "fe_main/<NOSRV>"]
    urls = ["/", "/index.html", "/login", "/api/v1/users", "/api/v1/orders", "/static/app.js",
            "/static/style.css", "/img/logo.png", "/health", "/search", "/cart", "/checkout",
            "/api/v1/items/42", "/api/v1/items/43", "/favicon.ico", "/robots.txt"]
    methods = ["GET"] * 8 + ["POST", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"]
    statuses = [200] * 30 + [204, 206, 301, 302, 304, 304, 400, 401, 403, 404, 404, 408,
                             500, 502, 503, 503, 504, 101, -1]
    tcodes = ["----"] * 20 + ["--NI", "--VN", "CD--", "cD--", "SD--", "SH--", "sH--", "CR--",
                              "cR--", "PR--", "CC--", "sQ--", "SC--", "CL--", "LR--", "IR--"]
    out = sys.stdout
    t = 1764064800  # 2025-11-25 10:00:00 UTC
    w = out.write
    if bursts:
        t_ms = (t + 13 * 3600 + 59 * 60) * 1000  # 23:59:00.000
    for i in range(n):
        if bursts:
            r = rnd(100)
            if r < 4:
                t_ms += 1000 + rnd(15000)   # a hole
            elif r < 45:
                pass                        # same millisecond: a burst
            else:
                t_ms += rnd(300)
            t, ms = divmod(t_ms, 1000)
        else:
            t += rnd(3)
            ms = rnd(1000)
        tm = time.gmtime(t)
        day, hh, mm, ss = tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec
        mon = months[tm.tm_mon - 1]
        syslog = "%s %2d %02d:%02d:%02d lb%d haproxy[%d]:" % (mon, day, hh, mm, ss, rnd(2) + 1, 1000 + rnd(3))
        client = "10.%d.%d.%d:%d" % (rnd(2), rnd(4), rnd(20), 1024 + rnd(60000))
        accept = "[%02d/%s/%d:%02d:%02d:%02d.%03d]" % (day, mon, tm.tm_year, hh, mm, ss, ms)
        kind = rnd(100)
        if kind < 2:
            junk = ["", "-- MARK --", "garbage line without fields",
                    "%s Connect from 10.0.0.1:1234 to 10.0.0.2:80 (fe/HTTP)" % syslog,
                    "%s %s" % (syslog, client),
                    "%s %s %s fe_main" % (syslog, client, accept),
                    "%s %s %s fe_main be_app/app1 1/2/3/4/5" % (syslog, client, accept)][rnd(7)]
            w(junk + "\n")
            continue
        srv = servers[rnd(len(servers))]
        fe = "fe_main" if rnd(4) else "fe_alt~"
        conns = "%d/%d/%d/%d/%s%d" % (rnd(500), rnd(300), rnd(200), rnd(50), "+" if rnd(30) == 0 else "", rnd(3))
        queues = "%d/%d" % (rnd(4) if rnd(8) == 0 else 0, rnd(5) if rnd(10) == 0 else 0)
        if kind < 12:
            # tcplog: Tw/Tc/Tt bytes term conns queues
            tw = rnd(5) if rnd(5) else -1
            tc = rnd(30) if rnd(10) else -1
            tt = rnd(100000)
            w("%s %s %s %s %s %d/%d/%s%d %d %s %s %s\n" % (syslog, client, accept, "tcp_in", srv, tw, tc,
              "+" if rnd(20) == 0 else "", tt, rnd(1 << 20), ["--", "CD", "SD", "sD", "cD"][rnd(5)], conns, queues))
            continue
        tq = rnd(50) if rnd(20) else -1
        tw = rnd(10) if rnd(4) == 0 else 0
        tc = rnd(20) if rnd(15) else -1
        tr = rnd(2000) if rnd(12) else -1
        if rnd(40) == 0:
            tw = -1
        ta = max(tq, 0) + max(tw, 0) + max(tc, 0) + max(tr, 0) + rnd(3000)
        tas = ("+%d" % ta) if rnd(25) == 0 else ("-1" if rnd(60) == 0 else str(ta))
        st = statuses[rnd(len(statuses))]
        if srv.endswith("<NOSRV>"):
            st = [503, 403, 400, -1][rnd(4)]
        term = tcodes[rnd(len(tcodes))]
        byt = rnd(200000) if st != -1 else 0
        u = urls[rnd(len(urls))]
        if rnd(5) == 0:
            u += "?q=%d&page=%d" % (rnd(100), rnd(5))
        if rnd(50) == 0:
            u = "/user/%d/profile" % rnd(5000)
        caps = ""
        if rnd(6) == 0:
            caps = " {example.com|Mozilla/5.0} {text/html|%d}" % rnd(10)
        elif rnd(10) == 0:
            caps = " {www.example.org}"
        if st == -1 and rnd(2):
            req = '"<BADREQ>"'
        else:
            req = '"%s %s HTTP/1.%d"' % (methods[rnd(len(methods))], u, rnd(2))
        ck = ["- -", "- -", "- -", "SRVID=1 -", "- SRVID=app1"][rnd(5)]
        w("%s %s %s %s %s %d/%d/%d/%d/%s %d %d %s %s %s %s%s %s\n" % (
            syslog, client, accept, fe, srv, tq, tw, tc, tr, tas, st, byt, ck, term, conns, queues, caps, req))

if __name__ == "__main__":
    main()
