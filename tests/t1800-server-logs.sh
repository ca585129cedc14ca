#!/bin/sh
# t1800-server-logs.sh - server logs (issue 18) end to end: a ticket's HAR
# failure joined to the server's log line by request ID (and a log without
# a zone joined by nothing else), many matching lines as one finding with a
# per-minute histogram, line caps, and what the sniffer leaves to others.
. "$srcdir/tests/tap.sh"

DUMP="$builddir/tests/import-dump"
[ -x "$DUMP" ] || skip_all "tests/import-dump is not built (make check builds it)"

# 1. The HAR's 504 and the nginx error log line with the same request ID
# are one event: each side shows the other.
out=$TMPDIR_T/joined.md
"$HARTRIAGE" analyze -q -r "$srcdir/rules" -o "$out" "$srcdir/tests/golden/log-joined/tickets"
grep -q '^| The server saw | nginx-error line 1: "upstream timed out (110: Connection timed out) while reading response header from upstream" .*same request ID) |$' "$out"
ok $? "the HAR's 504 shows the nginx error line of its request ID"
grep -q '^| The customer saw | `POST https://api.example.com/api/checkout` 504 in `T-1042/checkout.har` exchange 0; same request ID |$' "$out"
ok $? "the error line shows the customer's failed request"
grep -q '^| The server saw | access line 2: status 504 · upstream 10.0.3.12:8080 answered 504' "$out"
ok $? "the access log line of the same request ID is shown too"
n=$(grep -c '^| The server saw | nginx-error line 2' "$out")
is "$n" 0 "an error line of another request ID is not joined"

"$HARTRIAGE" analyze -q -f json -r "$srcdir/rules" -o "$TMPDIR_T/joined.json" "$srcdir/tests/golden/log-joined/tickets"
grep -q '"server_saw": \[' "$TMPDIR_T/joined.json"
ok $? "the JSON report has the server's side of the captured failure"
grep -q '"message": "upstream timed out (110: Connection timed out) while reading response header from upstream",' "$TMPDIR_T/joined.json"
ok $? "JSON: the nginx error line's message"

# 2. Without a request ID: a zoned access line joins by method, path,
# status and time; the zoneless nginx error line never joins by time.
t=$TMPDIR_T/tickets/T-7
mkdir -p "$t"
sed -e 's/"X-Request-Id", "value": "5f2a9c0d3b1e4f7a8c6d2e1f0a9b8c7d"/"X-Other", "value": "x"/' \
	-e 's/2026-12-04T09:15:02.120Z/2026-12-04T10:16:02.120Z/' \
	"$srcdir/tests/golden/log-joined/tickets/T-1042/checkout.har" > "$t/checkout.har"
printf '%s\n' '2026/12/04 10:16:02 [error] 7#7: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 203.0.113.7, server: api.example.com, request: "POST /api/checkout HTTP/1.1", upstream: "http://10.0.3.12:8080/api/checkout", host: "api.example.com"' > "$t/error.txt"
printf '%s\n' '203.0.113.7 - - [04/Dec/2026:11:16:04 +0100] "POST /api/checkout HTTP/1.1" 504 167 "-" "Mozilla/5.0" 60.002 60.001 "10.0.3.12:8080" 504' > "$t/access.txt"
"$HARTRIAGE" analyze -q -r "$srcdir/rules" -o "$TMPDIR_T/t7.md" "$TMPDIR_T/tickets"
grep -q '^| The server saw | access line 1: status 504 .*(`T-7/access.txt` at 2026-12-04T10:16:04.000Z; same request within seconds) |$' "$TMPDIR_T/t7.md"
ok $? "a zoned access line joins the capture by request and time (its +0100 read as UTC)"
n=$(grep -c '^| The server saw | nginx-error' "$TMPDIR_T/t7.md")
is "$n" 0 "a log line without a zone is not joined by time"

# 3. Many matching lines: one finding with the count, first and last time
# and a per-minute histogram, three examples.
awk 'BEGIN { for (i = 0; i < 600; i++) {
	m = int(i / 60); s = i % 60
	st = (i % 3 == 0) ? 502 : 200
	printf "198.51.100.%d - - [04/Dec/2026:10:%02d:%02d +0000] \"GET /api/items/%d HTTP/1.1\" %d 512 \"-\" \"Mozilla/5.0\" 0.010 0.009 \"10.0.3.12:8080\" %d\n", i % 250, m, s, i, st, st
} }' > "$TMPDIR_T/access-600.txt"
"$HARTRIAGE" analyze -q -r "$srcdir/rules" -o "$TMPDIR_T/many.md" "$TMPDIR_T/access-600.txt"
grep -q '^`http.access-log-gateway-error` · seen on 200 exchanges · first 2026-12-04T10:00:00.000Z, last 2026-12-04T10:09:57.000Z$' "$TMPDIR_T/many.md"
ok $? "200 failing lines are one finding with count, first and last time"
is "$(grep -c '^### MEDIUM: Access log' "$TMPDIR_T/many.md")" 1 "one heading for the rule"
grep -q '^\*\*Per 1 minute (UTC)\*\*, 200 log records:$' "$TMPDIR_T/many.md"
ok $? "the finding has a per-minute histogram"
is "$(grep -c '^2026-12-04T10:0[0-9]  #* 20$' "$TMPDIR_T/many.md")" 10 "ten minutes of 20 failures each"
grep -q '^\*\*Evidence\*\* (3 of 200):$' "$TMPDIR_T/many.md"
ok $? "three example lines"

"$HARTRIAGE" analyze -q -f json -r "$srcdir/rules" -o "$TMPDIR_T/many.json" "$TMPDIR_T/access-600.txt"
grep -q '"log_histograms": {' "$TMPDIR_T/many.json"
ok $? "the JSON report has the histograms too"
is "$(grep -c '"count": 20$' "$TMPDIR_T/many.json")" 10 "JSON: ten one-minute buckets of 20"

# 4. Records without a zone get a histogram of their own, so labelled.
for i in 1 2 3; do
	printf '2026/12/04 10:1%d:02 [error] 7#7: *%d connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.7, server: api.example.com, request: "GET /x HTTP/1.1", upstream: "http://10.0.3.12:8080/x", host: "api.example.com"\n' "$i" "$i"
done > "$TMPDIR_T/error-3.txt"
"$HARTRIAGE" analyze -q -r "$srcdir/rules" -o "$TMPDIR_T/zoneless.md" "$TMPDIR_T/error-3.txt"
grep -q "^\*\*Per 1 minute (the log's own time, zone unknown)\*\*, 3 log records:$" "$TMPDIR_T/zoneless.md"
ok $? "a zoneless log's histogram says the zone is unknown"

# 5. A line longer than the line cap is read up to the cap and noted.
{
	printf '%s\n' '203.0.113.7 - - [04/Dec/2026:10:00:01 +0000] "GET / HTTP/1.1" 200 5 "-" "x"'
	head -c 70000 /dev/zero | tr '\0' 'a' | awk '{ printf "203.0.113.7 - - [04/Dec/2026:10:00:00 +0000] \"GET /?q=%s HTTP/1.1\" 414 0 \"-\" \"x\"\n", $0 }'
	printf '%s\n' '203.0.113.7 - - [04/Dec/2026:10:00:02 +0000] "GET / HTTP/1.1" 200 5 "-" "x"'
} > "$TMPDIR_T/long.txt"
"$DUMP" "$TMPDIR_T/long.txt" > "$TMPDIR_T/long.dump"
grep -q '^note truncated-file seq=-1: "1 line(s) longer than 65536 bytes were read up to that length"$' "$TMPDIR_T/long.dump"
ok $? "a line over the cap is noted"
is "$(grep -c '^exchange ' "$TMPDIR_T/long.dump")" 2 "the lines around it are read (the cut line is no record)"
grep -q '^note skipped seq=-1: "1 line(s) are no record of a known server log (the first: line 2)"$' "$TMPDIR_T/long.dump"
ok $? "the cut line is counted as unread, with its line number"

# 6. JSON lines of an application logger stay with the fragment reader.
printf '%s\n' '{"level":50,"time":"2026-12-04T10:00:00.000Z","msg":"request failed","status":502,"url":"https://api.example.com/x"}' \
	'{"level":30,"time":"2026-12-04T10:00:01.000Z","msg":"ok","status":200,"url":"https://api.example.com/y"}' > "$TMPDIR_T/pino.jsonl"
"$DUMP" "$TMPDIR_T/pino.jsonl" > "$TMPDIR_T/pino.dump"
grep -q '^format: log$' "$TMPDIR_T/pino.dump"
ok $? "a pino log is not taken for a server log"

# 7. A server log line pasted into ticket prose is read where it stands.
{
	echo 'Hi team, checkout fails since 10:15. Our ops pulled this from the nginx box:'
	echo
	printf '%s\n' '2026/12/04 10:16:02 [error] 7#7: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 203.0.113.7, server: api.example.com, request: "POST /api/checkout HTTP/1.1", upstream: "http://10.0.3.12:8080/api/checkout", host: "api.example.com"'
	echo
	echo 'Can you check? Thanks, Dana'
} > "$TMPDIR_T/ticket.txt"
"$HARTRIAGE" analyze -q -r "$srcdir/rules" -o "$TMPDIR_T/ticket.md" "$TMPDIR_T/ticket.txt"
grep -q '^`nginx.502-504-upstream` · seen on 1 exchange' "$TMPDIR_T/ticket.md"
ok $? "an nginx error line in prose fires the nginx upstream signature"

# 8. Credentials a producer logged never reach the record.
"$DUMP" "$srcdir/tests/import/log/traefik-json/input.txt" > "$TMPDIR_T/traefik.dump"
n=$(grep -c 'made-up-token' "$TMPDIR_T/traefik.dump")
is "$n" 0 "Traefik's request_Authorization is dropped from the kept fields"

done_testing
