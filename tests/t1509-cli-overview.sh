#!/bin/sh
# The first screen and the batch picture: the report's overview (status
# histogram, failing hosts, slowest and largest, failures over time) is
# its first table after the summary, also as HTML; the timeline says how
# many rows it left out and drops an unreadable Mermaid block; index.md
# leads with the findings across tickets so a shared outage stands out.
. "$srcdir/tests/tap.sh"
command -v python3 > /dev/null 2>&1 || skip_all "python3 not installed"

seed="$srcdir/data/samples/seed-ticket"
"$HARTRIAGE" analyze -q "$seed" > "$TMPDIR_T/seed.md" 2>/dev/null
first=$(grep -n '^|' "$TMPDIR_T/seed.md" | head -1 | cut -d: -f1)
ov=$(grep -n '^## Overview$' "$TMPDIR_T/seed.md" | cut -d: -f1)
fi=$(grep -n '^## Findings$' "$TMPDIR_T/seed.md" | cut -d: -f1)
[ -n "$ov" ] && [ -n "$first" ] && [ "$ov" -lt "$first" ] && [ "$first" -lt "$fi" ]
ok $? "the first table after the summary is in the Overview section, before the findings"
sed -n '/^## Overview$/,/^## Findings$/p' "$TMPDIR_T/seed.md" > "$TMPDIR_T/ov"
grep -q '^| 4xx | 3 |$' "$TMPDIR_T/ov"
ok $? "status histogram: 3 requests in 4xx"
grep -q '^| ai-gateway.vercel.sh | 3 | 3 |$' "$TMPDIR_T/ov"
ok $? "failing hosts with counts"
grep -q '^| POST https://ai-gateway.vercel.sh/v1/chat/completions | 403 | 187 ms |$' "$TMPDIR_T/ov"
ok $? "the slowest request with its time"
grep -q '^\*\*Largest responses\*\*' "$TMPDIR_T/ov"
ok $? "the largest responses"
grep -q '^| Evidence | Value |$' "$TMPDIR_T/seed.md" && ! grep -q '^| | |$' "$TMPDIR_T/seed.md"
ok $? "evidence tables have a header, not an empty band"

# HTML: the first table after the summary is the overview's.
if ! "$HARTRIAGE" --version | grep -q '^HTML reports: not built in'; then
	for dir in "$srcdir"/tests/golden/*/; do
		[ -f "$dir/args" ] || continue
		name=$(basename "$dir")
		eval "set -- $(golden_args "$dir")"
		(cd "$dir" && "$HARTRIAGE" analyze -q -f html "$@") > "$TMPDIR_T/$name.html" 2>/dev/null
		python3 - "$TMPDIR_T/$name.html" > "$TMPDIR_T/$name.first" <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h2 = None; self.in_h2 = False; self.seen_summary = False; self.answer = None
    def handle_starttag(self, tag, attrs):
        if tag == "h2": self.in_h2, self.h2 = True, ""
        if tag == "table" and self.answer is None: self.answer = self.h2
    def handle_endtag(self, tag):
        if tag == "h2": self.in_h2 = False
    def handle_data(self, d):
        if self.in_h2: self.h2 += d
p = P(); p.feed(open(sys.argv[1]).read()); print(p.answer)
PY
		is "$(cat "$TMPDIR_T/$name.first")" "Overview" "$name: as HTML, the first table after the summary is the overview"
	done
else
	skip "built without libcmark-gfm"
fi

# Failures over time, the timeline cap and Mermaid: a HAR of 260 failures.
python3 - "$TMPDIR_T/many.har" <<'PY'
import json, sys
entries = []
for i in range(260):
    entries.append({"startedDateTime": "2026-03-16T09:%02d:%02d.000Z" % (i // 60, i % 60), "time": 10 + i,
        "request": {"method": "GET", "url": "https://api.example.com/v1/items/%d" % i, "httpVersion": "HTTP/1.1",
                    "headers": [], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 503 if i % 2 else 500, "statusText": "", "httpVersion": "HTTP/1.1",
                     "headers": [{"name": "Content-Type", "value": "text/plain"}], "cookies": [],
                     "content": {"size": 4, "mimeType": "text/plain", "text": "down"},
                     "redirectURL": "", "headersSize": -1, "bodySize": 4},
        "cache": {}, "timings": {"send": 1, "wait": 8 + i, "receive": 1}})
json.dump({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}},
          open(sys.argv[1], "w"))
PY
"$HARTRIAGE" analyze -q "$TMPDIR_T/many.har" > "$TMPDIR_T/many.md" 2>/dev/null
sed -n '/^\*\*Failures over time\*\*/,/^From/p' "$TMPDIR_T/many.md" > "$TMPDIR_T/histo"
is "$(grep -c '^+' "$TMPDIR_T/histo")" 12 "failures over time: a 12-line text histogram"
is "$(grep '^+' "$TMPDIR_T/histo" | awk '{s += $2} END {print s}')" 260 "failures over time: the bars count all 260 failures"
grep -q '^| 5xx | 260 |$' "$TMPDIR_T/many.md"
ok $? "status histogram: 260 in 5xx"
grep -q '^60 more failing requests after these 200 (the timeline stops at 200 rows)\.$' "$TMPDIR_T/many.md"
ok $? "the timeline says how many rows it left out"
! grep -q '^```mermaid' "$TMPDIR_T/many.md"
ok $? "a Mermaid block of 200 events is left out"
"$HARTRIAGE" analyze -q "$srcdir/tests/golden/mixed-inputs/api.har" | grep -q '^```mermaid'
ok $? "a short timeline keeps its Mermaid block"

# index.md leads with the batch picture.
B="$TMPDIR_T/batch"
for t in t1 t2 t3; do
	mkdir -p "$B/$t"
	cp "$seed/curl-i.txt" "$B/$t/"
done
mkdir -p "$B/t4"
cp "$srcdir/tests/golden/transport-failures/dns.txt" "$B/t4/"
"$HARTRIAGE" analyze -q --per-ticket "$TMPDIR_T/out" "$B" > /dev/null 2>&1
idx="$TMPDIR_T/out/index.md"
a=$(grep -n '^## Findings across tickets' "$idx" | cut -d: -f1)
b=$(grep -n '^## Tickets' "$idx" | cut -d: -f1)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
ok $? "index.md: findings across tickets come before the tickets table"
sed -n '/^## Findings across tickets/,/^## Tickets/p' "$idx" | grep '^| `' | head -1 > "$TMPDIR_T/top"
grep -q '^| `vercel.ai-gateway.access-denied` .* | high | 3 | 3 | .* | Vercel |$' "$TMPDIR_T/top"
ok $? "index.md: the shared failure leads, with 3 tickets and its vendor"
sed 's/^/# /' "$TMPDIR_T/top"
grep -q '^| \[t1\](t1.md) | 1 | 0 | 1 | `vercel.ai-gateway.access-denied` |' "$idx"
ok $? "index.md: a short leading-finding column (the rule id)"

done_testing
