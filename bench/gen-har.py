#!/usr/bin/env python3
"""gen-har.py [--tiny | --big-body] N OUT - write a synthetic Chrome-style HAR.

gen-har.py N OUT: N entries as described below.
gen-har.py --tiny N OUT: N tiny entries (a GET, three headers, a 2-byte
body), the shape of a HAR with many small requests.
gen-har.py --big-body MB OUT: three normal entries around one whose
response body is MB megabytes of text; the body is written in pieces, so
the generator never holds it in memory.

The entries mix JSON API calls, HTML pages and base64 images, with 10-30
request/response headers each (duplicate Set-Cookie, HTTP/2 pseudo-headers,
some credentials), a few failed requests (status 0 + _error) and error
statuses.  Bodies average about 15 KB, so N=20000 gives about 300 MB.
The output depends only on N (fixed random seed).
"""
import base64
import json
import random
import sys


def make_pool(rng):
    """Body templates: (mime, text, encoding)."""
    pool = []
    words = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu "
             "nu xi omicron pi rho sigma tau upsilon phi chi psi omega").split()
    for k in range(24):
        items = [{"id": "item-%d-%d" % (k, i),
                  "name": " ".join(rng.choice(words) for _ in range(4)),
                  "price": round(rng.random() * 1000, 2),
                  "tags": [rng.choice(words) for _ in range(3)],
                  "note": "line one\nline \"two\"\t\\ end"}
                 for i in range(rng.randint(20, 90))]
        pool.append(("application/json; charset=utf-8",
                     json.dumps({"data": items, "page": k}), None))
    for k in range(16):
        paras = "".join("<p class=\"c%d\">%s</p>\n" % (i, " ".join(
            rng.choice(words) for _ in range(rng.randint(10, 40))))
            for i in range(rng.randint(40, 160)))
        pool.append(("text/html; charset=utf-8",
                     "<!DOCTYPE html>\n<html><head><title>Page %d</title>"
                     "<script>var cfg = {\"a\": [1, 2, {\"b\": \"}]\"}]};</script>"
                     "</head><body>\n%s</body></html>\n" % (k, paras), None))
    for k in range(12):
        raw = bytes(rng.getrandbits(8) for _ in range(rng.randint(3000, 16000)))
        pool.append(("image/png", base64.b64encode(raw).decode("ascii"), "base64"))
    return pool


REQ_HEADERS = [
    ("accept", "application/json, text/plain, */*"),
    ("accept-encoding", "gzip, deflate, br"),
    ("accept-language", "en-US,en;q=0.9,de;q=0.8"),
    ("cache-control", "no-cache"),
    ("origin", "https://app.example.com"),
    ("referer", "https://app.example.com/dashboard?tab=usage"),
    ("sec-ch-ua", "\"Chromium\";v=\"120\", \"Not?A_Brand\";v=\"8\""),
    ("sec-ch-ua-mobile", "?0"),
    ("sec-ch-ua-platform", "\"Linux\""),
    ("sec-fetch-dest", "empty"),
    ("sec-fetch-mode", "cors"),
    ("sec-fetch-site", "same-site"),
    ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
                   "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
    ("x-client-version", "4.18.2"),
    ("x-correlation-id", None),
    ("authorization", None),
    ("cookie", None),
]

RESP_HEADERS = [
    ("date", "Mon, 06 May 2024 07:08:09 GMT"),
    ("server", "envoy"),
    ("vary", "Accept-Encoding"),
    ("cache-control", "private, max-age=0"),
    ("strict-transport-security", "max-age=31536000; includeSubDomains"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("access-control-allow-origin", "https://app.example.com"),
    ("access-control-allow-credentials", "true"),
    ("x-request-id", None),
    ("x-envoy-upstream-service-time", None),
    ("set-cookie", None),
    ("set-cookie", None),
    ("etag", None),
    ("content-encoding", "br"),
]

HOSTS = ["api.example.com", "app.example.com", "cdn.example.net",
         "auth.example.com", "api.stripe.com", "ai-gateway.vercel.sh"]
STATUS = [200] * 40 + [201, 204, 301, 304, 400, 401, 403, 404, 429, 500, 502, 503, 0]


def entry(i, rng, pool):
    mime, text, enc = rng.choice(pool)
    host = rng.choice(HOSTS)
    status = rng.choice(STATUS)
    method = "POST" if i % 7 == 0 else "GET"
    path = "/v1/resources/%d/items" % (i % 997)
    req_h = [{"name": ":authority", "value": host}, {"name": ":method", "value": method},
             {"name": ":path", "value": path + "?page=%d" % (i % 13)},
             {"name": ":scheme", "value": "https"}]
    n_req = rng.randint(5, 13)
    for name, value in rng.sample(REQ_HEADERS, n_req):
        if value is None:
            if name == "authorization":
                value = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLSVkIiwiZXhwIjoxNzE1MDAwMDAwfQ.sig%d" % i
            elif name == "cookie":
                value = "session=s%08x; theme=dark" % rng.getrandbits(32)
            else:
                value = "%08x-%04x" % (rng.getrandbits(32), i % 65536)
        req_h.append({"name": name, "value": value})
    resp_h = [{"name": "content-type", "value": mime}]
    for name, value in rng.sample(RESP_HEADERS, rng.randint(4, 14)):
        if value is None:
            value = "%s-%d-%08x" % (name, i, rng.getrandbits(32))
        resp_h.append({"name": name, "value": value})
    e = {
        "_initiator": {"type": "script"},
        "_priority": "High",
        "_resourceType": "fetch" if mime.startswith("application/json") else "document",
        "cache": {},
        "connection": str(1000 + i % 50),
        "pageref": "page_1",
        "request": {
            "method": method,
            "url": "https://%s%s?page=%d" % (host, path, i % 13),
            "httpVersion": "http/2.0",
            "headers": req_h,
            "queryString": [{"name": "page", "value": str(i % 13)}],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "http/2.0",
            "headers": resp_h if status else [],
            "cookies": [],
            "content": {"size": len(text), "mimeType": mime},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "_transferSize": len(text) // 3,
            "_error": None if status else "net::ERR_CONNECTION_RESET",
        },
        "serverIPAddress": "192.0.2.%d" % (i % 250 + 1),
        "startedDateTime": "2024-05-06T07:%02d:%02d.%03dZ" % (i // 60000 % 60, i // 1000 % 60, i % 1000),
        "time": round(rng.random() * 900, 3),
        "timings": {"blocked": round(rng.random() * 5, 3), "dns": -1, "ssl": -1, "connect": -1,
                    "send": 0.1, "wait": round(rng.random() * 800, 3), "receive": 2.5,
                    "_blocked_queueing": 0.4},
    }
    if method == "POST":
        e["request"]["postData"] = {"mimeType": "application/json",
                                    "text": json.dumps({"query": "q%d" % i, "password": "hunter%d" % i})}
    if status:
        e["response"]["content"]["text"] = text
        if enc:
            e["response"]["content"]["encoding"] = enc
    return e


def tiny_entry(i):
    return {
        "startedDateTime": "2024-05-06T07:%02d:%02d.%03dZ" % (i // 60000 % 60, i // 1000 % 60, i % 1000),
        "time": 1.5,
        "request": {"method": "GET", "url": "https://api.example.com/t/%d" % i,
                    "httpVersion": "http/2.0", "headers": [{"name": ":authority", "value": "api.example.com"}],
                    "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 200 if i % 50 else 503, "statusText": "", "httpVersion": "http/2.0",
                     "headers": [{"name": "content-type", "value": "application/json"},
                                 {"name": "x-request-id", "value": "r%d" % i}],
                     "cookies": [], "content": {"size": 2, "mimeType": "application/json", "text": "{}"},
                     "redirectURL": "", "headersSize": -1, "bodySize": 2},
        "cache": {},
        "timings": {"send": 0.1, "wait": 1.2, "receive": 0.2},
    }


def write_big_body(out, rng, pool, mb):
    """One entry with a body of about MB megabytes of escaped JSON text,
    written in pieces of whole lines so that no escape is ever cut."""
    unit = json.dumps('upstream said: "retry later" \t ' * 30 + "\n")[1:-1]
    count = (mb << 20) // len(unit)
    decoded = len(json.loads('"' + unit + '"'))
    e = entry(1, rng, pool)
    e["response"]["status"] = 500
    e["response"]["content"] = {"size": count * decoded, "mimeType": "text/plain", "text": "@BODY@"}
    head, tail = json.dumps(e, indent=1).split('"@BODY@"')
    out.write(head + '"')
    batch = unit * 1024
    while count >= 1024:
        out.write(batch)
        count -= 1024
    out.write(unit * count + '"' + tail)


def main():
    args = sys.argv[1:]
    mode = "normal"
    if args and args[0] in ("--tiny", "--big-body"):
        mode = args.pop(0)
    if len(args) != 2:
        sys.stderr.write("usage: gen-har.py [--tiny | --big-body] N OUT\n")
        return 2
    n = int(args[0])
    rng = random.Random(20240506)
    pool = make_pool(rng)
    with open(args[1], "w", encoding="utf-8") as out:
        out.write('{"log": {"version": "1.2", "creator": {"name": "WebInspector", '
                  '"version": "537.36"}, "pages": [{"startedDateTime": '
                  '"2024-05-06T07:00:00.000Z", "id": "page_1", "title": "bench", '
                  '"pageTimings": {"onContentLoad": -1, "onLoad": -1}}], "entries": [\n')
        if mode == "--big-body":
            out.write(json.dumps(entry(0, rng, pool), indent=1) + ",\n")
            write_big_body(out, rng, pool, n)
            for i in (2, 3):
                out.write(",\n" + json.dumps(entry(i, rng, pool), indent=1))
        else:
            for i in range(n):
                if i:
                    out.write(",\n")
                e = tiny_entry(i) if mode == "--tiny" else entry(i, rng, pool)
                out.write(json.dumps(e, indent=1))
        out.write("\n]}}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
