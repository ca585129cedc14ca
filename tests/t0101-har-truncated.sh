#!/bin/sh
# t0101-har-truncated.sh - a HAR cut in the middle of entry 40 of 50 keeps
# the 39 complete entries, says so in the report and exits with status 3.
. "$srcdir/tests/tap.sh"

# gen_har N [CUT]: a pretty-printed HAR of N entries; with CUT, the output
# stops in the middle of entry CUT (inside a response body string).
gen_har() {
	awk -v n="$1" -v cut="${2:-0}" 'BEGIN {
	print "{"
	print "  \"log\": {"
	print "    \"version\": \"1.2\","
	print "    \"creator\": {\"name\": \"t0101\", \"version\": \"1\"},"
	print "    \"entries\": ["
	for (i = 1; i <= n; i++) {
		print "      {"
		print "        \"startedDateTime\": \"2024-05-06T07:08:09.010Z\","
		print "        \"time\": 12.5,"
		printf "        \"request\": {\"method\": \"GET\", \"url\": \"https://api.example.com/items/%d\",\n", i
		print "          \"httpVersion\": \"HTTP/1.1\", \"headers\": [{\"name\": \"Accept\", \"value\": \"application/json\"}]},"
		if (i == cut) {
			printf "        \"response\": {\"status\": 200, \"content\": {\"text\": \"{\\\"id\\\": %d, \\\"na", i
			exit
		}
		printf "        \"response\": {\"status\": 200, \"statusText\": \"OK\", \"httpVersion\": \"HTTP/1.1\", \"headers\": [],\n"
		printf "          \"content\": {\"size\": 10, \"mimeType\": \"application/json\", \"text\": \"{\\\"id\\\": %d}\"}},\n", i
		print "        \"timings\": {\"send\": 1, \"wait\": 10, \"receive\": 1.5}"
		print "      }" (i < n ? "," : "")
	}
	print "    ]"
	print "  }"
	print "}"
	}'
}

full=$TMPDIR_T/full.har
cut=$TMPDIR_T/cut-in-entry-40.har
gen_har 50 > "$full"
gen_har 50 40 > "$cut"

# The whole file first, so the counts below mean something.
"$HARTRIAGE" analyze --format json "$full" > "$TMPDIR_T/full.json" 2> "$TMPDIR_T/full.err"
is "$?" 0 "complete HAR: exit status 0"
if command -v jq >/dev/null 2>&1; then
	is "$(jq '.sources[0].exchanges' "$TMPDIR_T/full.json")" 50 "complete HAR: 50 exchanges"
	is "$(jq -r '.sources[0].status' "$TMPDIR_T/full.json")" ok "complete HAR: status ok"
else
	skip "jq is not installed"
	skip "jq is not installed"
fi

# The truncated file: Markdown report on stdout.
"$HARTRIAGE" analyze "$cut" > "$TMPDIR_T/cut.md" 2> "$TMPDIR_T/cut.err"
is "$?" 3 "cut in entry 40: exit status 3"
grep -q 'file ends inside entry 40 (39 complete entries kept)' "$TMPDIR_T/cut.md"
ok $? "cut in entry 40: the report says where the file ends and what was kept"
grep 'cut-in-entry-40\.har' "$TMPDIR_T/cut.md" | grep -q '| 39 |'
ok $? "cut in entry 40: the attachments table counts 39 exchanges"
grep -q 'cut-in-entry-40\.har: .*file ends inside entry 40' "$TMPDIR_T/cut.err"
ok $? "cut in entry 40: named on stderr with the reason"
sed 's/^/# /' "$TMPDIR_T/cut.err"

# The same through the database: 39 exchanges, seq 0..38, the last one is entry 39.
if command -v sqlite3 >/dev/null 2>&1; then
	"$HARTRIAGE" import --db "$TMPDIR_T/cut.db" "$cut" > /dev/null 2>&1
	is "$?" 3 "import: exit status 3"
	is "$(sqlite3 "$TMPDIR_T/cut.db" 'SELECT COUNT(*), MIN(seq), MAX(seq) FROM exchanges')" \
		"39|0|38" "import: 39 exchanges in order"
	is "$(sqlite3 "$TMPDIR_T/cut.db" 'SELECT path FROM exchanges ORDER BY seq DESC LIMIT 1')" \
		"/items/39" "import: the last kept exchange is entry 39"
	is "$(sqlite3 "$TMPDIR_T/cut.db" 'SELECT status FROM sources')" partial \
		"import: source recorded as partial"
else
	skip "sqlite3 is not installed"
	skip "sqlite3 is not installed"
	skip "sqlite3 is not installed"
	skip "sqlite3 is not installed"
fi
done_testing
