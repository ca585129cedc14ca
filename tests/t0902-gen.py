#!/usr/bin/env python3
"""t0902-gen.py KIND OUT [SIZE]: write one hostile input, streamed.

Used by tests/t0902-hostile-inputs.sh (small sizes) and for the full-size
measurements of docs/fuzzing.md (issue 16).  Nothing is held whole in
memory: large parts are written in chunks.  Every HAR input has a good
entry after the bad one, whose URL ends in /good, so a test can check that
the rest of the file is kept.
"""
import io, sys, tarfile, zipfile

CHUNK = 1 << 20

def entry(url, status=502, headers='[{"name":"Server","value":"nginx"}]', text='"bad gateway"', extra=''):
    return ('{"startedDateTime":"2026-03-16T09:41:18.302Z","time":10,'
            '"request":{"method":"GET","url":"%s","httpVersion":"HTTP/1.1","headers":[],'
            '"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},'
            '"response":{"status":%d,"statusText":"Bad Gateway","httpVersion":"HTTP/1.1",'
            '"headers":%s,"cookies":[],"content":{"size":11,"mimeType":"text/html","text":%s%s},'
            '"redirectURL":"","headersSize":-1,"bodySize":-1},"cache":{},"timings":{"send":1,"wait":8,"receive":1}}'
            % (url, status, headers, text, extra))

HEAD = '{"log":{"version":"1.2","creator":{"name":"gen","version":"1"},"entries":['
TAIL = ']}}\n'
GOOD = entry("https://api.example.com/v1/good", 503)

def repeat(f, unit, total):
    """Write unit repeatedly until total bytes (unit is bytes)."""
    big = unit * max(1, CHUNK // len(unit))
    left = total
    while left > 0:
        piece = big[:left]
        f.write(piece)
        left -= len(piece)

def main():
    kind, out = sys.argv[1], sys.argv[2]
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    with open(out, 'wb') as f:
        if kind == 'longline-prose':
            # text with no newline at all
            repeat(f, b'word ', size)
        elif kind == 'longline-capture':
            # a pasted exchange whose body is one line of size bytes
            f.write(b'GET /v1/x HTTP/1.1\nHost: api.example.com\n\nHTTP/1.1 500 Internal Server Error\n'
                    b'Content-Type: text/plain\n\n')
            repeat(f, b'x', size)
            f.write(b'\n\nGET /v1/good HTTP/1.1\nHost: api.example.com\n\nHTTP/1.1 503 Busy\n\nbusy\n')
        elif kind == 'headers':
            pass  # written below
        elif kind == 'bigbody':
            pre, post = entry("https://api.example.com/v1/big", text='"@@"').split('@@')
            f.write((HEAD + pre).encode())
            repeat(f, b'a', size)
            f.write((post + ',' + GOOD + TAIL).encode())
        elif kind == 'deep':
            pre, post = entry("https://api.example.com/v1/deep", extra=',"_deep":@@').split('@@')
            f.write((HEAD + pre).encode())
            repeat(f, b'[', size)
            repeat(f, b']', size)
            f.write((post + ',' + GOOD + TAIL).encode())
        elif kind == 'badutf8':
            # invalid UTF-8 in a header value and the body, a lone and a
            # cut \u escape; then a good entry
            bad = entry("https://api.example.com/v1/bad\xff",
                        headers='[{"name":"X-Bad","value":"a\xff\xfeb"},{"name":"Server","value":"nginx"}]',
                        text='"lone \\ud800 cut \\u12 end \xc3"')
            f.write(HEAD.encode() + bad.encode('latin-1') + (',' + GOOD + TAIL).encode())
        elif kind == 'badname':
            # header names with invalid bytes
            bad = entry("https://api.example.com/v1/name",
                        headers='[{"name":"X-\xff\xfe-Id","value":"v"},{"name":"Server","value":"nginx"}]')
            f.write(HEAD.encode() + bad.encode('latin-1') + (',' + GOOD + TAIL).encode())
        elif kind == 'badbytes':
            # a curl -i dump with a few bad bytes in its first 4 KB
            f.write(b'HTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\nX-Junk: a\xff\xfe\x00b\r\n'
                    b'Content-Type: text/html\r\n\r\n<h1>502 Bad \xc3 Gateway</h1>\x00\r\n')
        elif kind == 'links':
            good = (HEAD + GOOD + TAIL).encode()
            with tarfile.open(fileobj=f, mode='w', format=tarfile.USTAR_FORMAT) as t:
                ti = tarfile.TarInfo('a.har'); ti.size = len(good); ti.mtime = 0
                t.addfile(ti, io.BytesIO(good))
                ti = tarfile.TarInfo('sym.har'); ti.type = tarfile.SYMTYPE; ti.linkname = '/etc/passwd'; ti.mtime = 0
                t.addfile(ti)
                ti = tarfile.TarInfo('hard.har'); ti.type = tarfile.LNKTYPE; ti.linkname = 'a.har'; ti.mtime = 0
                t.addfile(ti)
        elif kind == 'manyfiles':
            with zipfile.ZipFile(f, 'w', zipfile.ZIP_STORED) as z:
                for i in range(size):
                    z.writestr(zipfile.ZipInfo('f/%06d.txt' % i, (2026, 1, 1, 0, 0, 0)), b'x\n')
        else:
            sys.exit('unknown kind ' + kind)
    if kind == 'headers':
        with open(out, 'wb') as f:
            pre, post = entry("https://api.example.com/v1/many", headers='@@').split('@@')
            f.write((HEAD + pre + '[').encode())
            one = b'{"name":"X-H","value":"v"},'
            repeat(f, one, len(one) * (size - 1))
            f.write(b'{"name":"Server","value":"nginx"}]')
            f.write((post + ',' + GOOD + TAIL).encode())

main()
