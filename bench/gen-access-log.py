#!/usr/bin/env python3
"""gen-access-log.py N OUT - write N lines of an nginx access log in the
combined format with $request_time $upstream_response_time
"$upstream_addr" $upstream_status $request_id appended: one request every
60 ms from 2026-12-04T00:00:00Z, about one in 200 a 502 or 504 from the
upstream, the rest 200, 304 and a few 404.  Deterministic (seeded)."""
import random
import sys
import time

def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    rnd = random.Random(18)
    t0 = 1796342400.0  # 2026-12-04T00:00:00Z
    paths = ["/api/items", "/api/cart", "/api/checkout", "/static/app.js", "/api/orders/%d"]
    with open(out, "w") as f:
        for i in range(n):
            t = time.gmtime(t0 + i * 0.06)
            stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", t)
            p = rnd.choice(paths)
            if "%d" in p:
                p = p % rnd.randint(1, 99999)
            r = rnd.random()
            if r < 0.003:
                st, up, rt = 504, "504", "60.001"
            elif r < 0.005:
                st, up, rt = 502, "502", "0.002"
            elif r < 0.02:
                st, up, rt = 404, "404", "0.004"
            elif r < 0.1:
                st, up, rt = 304, "304", "0.001"
            else:
                st, up, rt = 200, "200", "0.0%02d" % rnd.randint(1, 99)
            m = "POST" if p == "/api/checkout" else "GET"
            f.write('198.51.100.%d - - [%s] "%s %s HTTP/1.1" %d %d "-" "Mozilla/5.0 (X11; Linux x86_64)" '
                    '%s %s "10.0.3.%d:8080" %s %032x\n'
                    % (i % 250, stamp, m, p, st, rnd.randint(100, 9000), rt, rt, 10 + i % 4, up,
                       rnd.getrandbits(128)))

if __name__ == "__main__":
    main()
