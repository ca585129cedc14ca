#!/bin/sh
# The command line: --help, --version, usage errors and exit statuses,
# the seed ticket end to end, and import/match/report on a database.
. "$srcdir/tests/tap.sh"

"$HARTRIAGE" --version > "$TMPDIR_T/v" 2>&1
ok $? "--version exits 0"
grep -q '^hartriage [0-9]' "$TMPDIR_T/v"
ok $? "--version names the program and version"

"$HARTRIAGE" --help > "$TMPDIR_T/h" 2>&1
ok $? "--help exits 0"
for c in analyze import match report merge rules; do
	grep -q "^  $c " "$TMPDIR_T/h"
	ok $? "--help lists '$c'"
	"$HARTRIAGE" $c --help > "$TMPDIR_T/h2" 2>&1
	ok $? "$c --help exits 0"
	grep -q "^Usage: hartriage $c" "$TMPDIR_T/h2"
	ok $? "$c --help starts with its usage line"
done

"$HARTRIAGE" frobnicate > "$TMPDIR_T/e" 2>&1
is "$?" 2 "unknown command exits 2"
grep -q "^hartriage: 'frobnicate' is not a command" "$TMPDIR_T/e"
ok $? "unknown command is named in GNU style"

"$HARTRIAGE" analyze > /dev/null 2>&1
is "$?" 2 "analyze without input exits 2"
"$HARTRIAGE" analyze --fail-on=severe x > /dev/null 2>"$TMPDIR_T/e"
is "$?" 2 "invalid --fail-on exits 2"
grep -q "invalid --fail-on 'severe'" "$TMPDIR_T/e"
ok $? "invalid --fail-on is explained"
"$HARTRIAGE" analyze --format=xml x > /dev/null 2>&1
is "$?" 2 "invalid --format exits 2"
"$HARTRIAGE" import x > /dev/null 2>&1
is "$?" 2 "import without --db exits 2"
"$HARTRIAGE" report --db "$TMPDIR_T/none.db" > /dev/null 2>&1
is "$?" 4 "report on a missing database exits 4"

# The seed ticket end to end.
seed="$srcdir/data/samples/seed-ticket"
"$HARTRIAGE" analyze -q "$seed" > "$TMPDIR_T/seed.md" 2>"$TMPDIR_T/seed.err"
is "$?" 0 "analyze of the seed ticket exits 0"
lead=$(grep -m1 -A2 '^### ' "$TMPDIR_T/seed.md" | tr '\n' ' ')
case "$lead" in
"### HIGH: "*'`vercel.ai-gateway.access-denied`'*) ok 0 "the seed report leads with the access-denied finding (high)" ;;
*) ok 1 "the seed report leads with the access-denied finding (high)"; diag "first finding: $lead" ;;
esac
grep -q '`vercel.ai-gateway.access-denied`' "$TMPDIR_T/seed.md"
ok $? "the seed report names vercel.ai-gateway.access-denied"
grep -q 'sin1::fra1::mr2nm-1773654078302-80a62b52517d' "$TMPDIR_T/seed.md"
ok $? "the seed report quotes the x-vercel-id"
tr '\n' ' ' < "$TMPDIR_T/seed.md" | sed 's/\*//g; s/  */ /g' | grep -qi 'not evidence of a wrong base URL' 
ok $? "the seed report says the Next.js headers are not evidence of a wrong base URL"
for key in $(grep -ho 'vck_[A-Za-z0-9]*' "$seed"/* | sort -u); do
	! grep -q "$key" "$TMPDIR_T/seed.md"
	ok $? "bearer key ${key%??????????????????}... absent from the report"
	piece=$(printf '%s' "$key" | cut -c5-14)
	! grep -qF "$piece" "$TMPDIR_T/seed.md"
	ok $? "no 10-character piece of the key in the report"
done

# Two runs over the same inputs give byte-identical reports.
export XDG_STATE_HOME="$TMPDIR_T/state"
"$HARTRIAGE" analyze -q "$seed" > "$TMPDIR_T/run1.md" 2>/dev/null
"$HARTRIAGE" analyze -q "$seed" > "$TMPDIR_T/run2.md" 2>/dev/null
cmp -s "$TMPDIR_T/run1.md" "$TMPDIR_T/run2.md"
ok $? "two analyze runs give byte-identical Markdown"
"$HARTRIAGE" analyze -q -f json "$seed" > "$TMPDIR_T/run1.json" 2>/dev/null
"$HARTRIAGE" analyze -q -f json "$seed" > "$TMPDIR_T/run2.json" 2>/dev/null
cmp -s "$TMPDIR_T/run1.json" "$TMPDIR_T/run2.json"
ok $? "two analyze runs give byte-identical JSON"
unset XDG_STATE_HOME

# --fail-on
"$HARTRIAGE" analyze -q --fail-on high "$seed" > /dev/null 2>&1
is "$?" 1 "--fail-on high exits 1 on the seed ticket"
"$HARTRIAGE" analyze -q --fail-on critical "$seed" > /dev/null 2>&1
is "$?" 0 "--fail-on critical exits 0 on the seed ticket"

# import / match / report over a database, and re-runs.
db="$TMPDIR_T/t.db"
"$HARTRIAGE" import -q --db "$db" "$seed" 2>/dev/null
is "$?" 0 "import exits 0"
n1=$(sqlite3 "$db" 'select count(*) from sources' 2>/dev/null || echo "?")
"$HARTRIAGE" import -q --db "$db" "$seed" 2>/dev/null
n2=$(sqlite3 "$db" 'select count(*) from sources' 2>/dev/null || echo "?")
is "$n2" "$n1" "re-import skips sources already stored"
"$HARTRIAGE" match --db "$db" 2>/dev/null
is "$?" 0 "match exits 0"
"$HARTRIAGE" report --db "$db" > "$TMPDIR_T/r1.md"
is "$?" 0 "report exits 0"
"$HARTRIAGE" report --db "$db" > "$TMPDIR_T/r2.md"
cmp -s "$TMPDIR_T/r1.md" "$TMPDIR_T/r2.md"
ok $? "two reports from the same database are identical"
grep -q 'vercel.ai-gateway.access-denied' "$TMPDIR_T/r1.md"
ok $? "report from the database carries the finding"
"$HARTRIAGE" report --db "$db" --format json > "$TMPDIR_T/r.json"
if command -v jq > /dev/null; then
	jq -e '.findings[0].rule == "vercel.ai-gateway.access-denied" and (.sources | length) >= 2' \
		"$TMPDIR_T/r.json" > /dev/null
	ok $? "JSON report: leading finding and sources"
	jq -e '[.findings[] | select(.rule == "vercel.ai-gateway.access-denied")][0].request_ids["x-vercel-id"] == "sin1::fra1::mr2nm-1773654078302-80a62b52517d"' \
		"$TMPDIR_T/r.json" > /dev/null
	ok $? "JSON report: request_ids carry x-vercel-id"
else
	skip "jq not installed"
	skip "jq not installed"
fi

# A broken input does not stop the run.
printf '{"log": {"entries": [ {"request": ' > "$TMPDIR_T/broken.har"
printf '\x89PNG\r\n\x1a\n\0\0\0binary' > "$TMPDIR_T/shot.png"
"$HARTRIAGE" analyze -q "$TMPDIR_T/broken.har" "$TMPDIR_T/shot.png" "$seed/curl-i.txt" \
	> "$TMPDIR_T/mixed.md" 2>"$TMPDIR_T/mixed.err"
is "$?" 3 "a broken input makes the exit status 3"
grep -q "broken.har" "$TMPDIR_T/mixed.err"
ok $? "the broken input is named on stderr"
grep -q 'access-denied' "$TMPDIR_T/mixed.md"
ok $? "the other inputs are still analyzed"
grep -q 'shot.png.*not a capture' "$TMPDIR_T/mixed.md"
ok $? "a binary file is listed as not a capture"

done_testing
