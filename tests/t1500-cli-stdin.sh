#!/bin/sh
# Standard input: '-', pipes, /dev/stdin and process substitution (a FIFO)
# are read as streams and give the same findings as the file; --name
# names standard input in the report; archives arrive through a pipe too.
. "$srcdir/tests/tap.sh"

seed="$srcdir/data/samples/seed-ticket"
findings() {
	# The findings of a JSON report, one "rule exchange" per line.
	python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
for f in r["findings"]:
    print(f["rule"], f["severity"], f["exchange"], f.get("status"))' "$1"
}

"$HARTRIAGE" analyze -q -f json "$seed/curl-i.txt" > "$TMPDIR_T/file.json" 2> "$TMPDIR_T/file.err"
is "$?" 0 "the file: exit 0"
"$HARTRIAGE" analyze -q -f json - < "$seed/curl-i.txt" > "$TMPDIR_T/dash.json" 2> "$TMPDIR_T/dash.err"
is "$?" 0 "'-' from a redirected file: exit 0"
cat "$seed/curl-i.txt" | "$HARTRIAGE" analyze -q -f json - > "$TMPDIR_T/pipe.json" 2> "$TMPDIR_T/pipe.err"
is "$?" 0 "'-' from a pipe: exit 0"
cat "$seed/curl-i.txt" | "$HARTRIAGE" analyze -q -f json /dev/stdin > "$TMPDIR_T/devstdin.json" 2> "$TMPDIR_T/devstdin.err"
is "$?" 0 "/dev/stdin from a pipe: exit 0"
mkfifo "$TMPDIR_T/fifo"
cat "$seed/curl-i.txt" > "$TMPDIR_T/fifo" &
"$HARTRIAGE" analyze -q -f json "$TMPDIR_T/fifo" > "$TMPDIR_T/fifo.json" 2> "$TMPDIR_T/fifo.err"
is "$?" 0 "a FIFO (what <(...) hands over): exit 0"
wait

findings "$TMPDIR_T/file.json" > "$TMPDIR_T/file.f"
[ -s "$TMPDIR_T/file.f" ]
ok $? "the file has findings"
grep -q '^vercel.ai-gateway.access-denied high' "$TMPDIR_T/file.f"
ok $? "the file leads to the access-denied finding"
for w in dash pipe devstdin fifo; do
	findings "$TMPDIR_T/$w.json" > "$TMPDIR_T/$w.f"
	cmp -s "$TMPDIR_T/file.f" "$TMPDIR_T/$w.f"
	ok $? "$w gives the same findings as the file"
	! grep -q 'not a regular file' "$TMPDIR_T/$w.err"
	ok $? "$w is not rejected as 'not a regular file'"
done
# The Markdown report too: only the source name differs.
cp "$seed/curl-i.txt" "$TMPDIR_T/curl-i.txt"
(cd "$TMPDIR_T" && "$HARTRIAGE" analyze -q curl-i.txt) > "$TMPDIR_T/file.md"
"$HARTRIAGE" analyze -q --name curl-i.txt - < "$seed/curl-i.txt" > "$TMPDIR_T/named.md"
cmp -s "$TMPDIR_T/file.md" "$TMPDIR_T/named.md"
ok $? "with --name curl-i.txt the Markdown report equals the file's"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sources"][0]["path"])' "$TMPDIR_T/pipe.json" > "$TMPDIR_T/p"
is "$(cat "$TMPDIR_T/p")" "stdin" "standard input without --name is called 'stdin'"

# A zip and a .gz through a pipe.
if command -v zip > /dev/null 2>&1; then
	(cd "$seed" && zip -q "$TMPDIR_T/seed.zip" chrome-export.har curl-i.txt)
	cat "$TMPDIR_T/seed.zip" | "$HARTRIAGE" analyze -q --name seed.zip - > "$TMPDIR_T/zip.md" 2>&1
	is "$?" 0 "a zip through a pipe: exit 0"
	grep -q '`seed.zip!curl-i.txt` | curl-i | 1 | ok' "$TMPDIR_T/zip.md"
	ok $? "a zip through a pipe: its members are read"
else
	skip "zip not installed"
	skip "zip not installed"
fi
gzip -c "$seed/chrome-export.har" | "$HARTRIAGE" analyze -q -f json - > "$TMPDIR_T/gz.json" 2>&1
is "$?" 0 "a gzip stream through a pipe: exit 0"
grep -q '"format": "har"' "$TMPDIR_T/gz.json"
ok $? "a gzip stream through a pipe is read as the HAR inside"

# Usage errors.
"$HARTRIAGE" analyze -q - - < /dev/null > /dev/null 2> "$TMPDIR_T/e"
is "$?" 2 "'-' twice is a usage error"
"$HARTRIAGE" analyze -q --name x.txt "$seed/curl-i.txt" > /dev/null 2> "$TMPDIR_T/e"
is "$?" 2 "--name without '-' is a usage error"
grep -q "^hartriage: --name names standard input" "$TMPDIR_T/e"
ok $? "--name without '-' is explained"
"$HARTRIAGE" analyze -q --name ../x - < /dev/null > /dev/null 2>&1
is "$?" 2 "--name with a '/' is refused"
# Empty standard input: nothing to analyze.
"$HARTRIAGE" analyze -q - < /dev/null > "$TMPDIR_T/empty.md" 2> "$TMPDIR_T/e"
is "$?" 5 "empty standard input: exit 5"
[ ! -s "$TMPDIR_T/empty.md" ]
ok $? "empty standard input: no report"

done_testing
