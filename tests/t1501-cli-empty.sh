#!/bin/sh
# Honest empty runs: nothing to analyze, no such ticket, rules that never
# ran each say so in one line on stderr, exit 5 and write no report; an
# unreadable input is named before any report output.
. "$srcdir/tests/tap.sh"

seed="$srcdir/data/samples/seed-ticket"
mkdir -p "$TMPDIR_T/empty" "$TMPDIR_T/notes"
echo "The customer says the gateway is broken since this morning." > "$TMPDIR_T/notes/notes.txt"

# expect_nothing NAME PATTERN CMD...: exit 5, no stdout, one stderr line matching PATTERN.
expect_nothing() {
	name=$1 pat=$2
	shift 2
	"$@" > "$TMPDIR_T/out" 2> "$TMPDIR_T/err"
	is "$?" 5 "$name: exit 5"
	[ ! -s "$TMPDIR_T/out" ]
	ok $? "$name: no report on standard output"
	is "$(wc -l < "$TMPDIR_T/err" | tr -d ' ')" 1 "$name: one line on stderr"
	grep -q "^hartriage: $pat" "$TMPDIR_T/err"
	ok $? "$name: says '$pat'"
	sed 's/^/# /' "$TMPDIR_T/err"
}

expect_nothing "empty folder" "nothing to analyze: the inputs hold no file" \
	"$HARTRIAGE" analyze -q "$TMPDIR_T/empty"
expect_nothing "folder with only notes.txt" \
	"nothing to analyze: no HTTP request or response in 1 attachment (1 not a capture, 0 unreadable)" \
	"$HARTRIAGE" analyze -q "$TMPDIR_T/notes"
expect_nothing "--per-ticket of an empty folder" "nothing to analyze" \
	"$HARTRIAGE" analyze -q --per-ticket "$TMPDIR_T/per" "$TMPDIR_T/empty"
[ ! -e "$TMPDIR_T/per/index.md" ]
ok $? "--per-ticket of an empty folder: no index.md"
# import alone stores what it read: a warning, exit 0 (the next report says 5).
"$HARTRIAGE" import -q --db "$TMPDIR_T/notes.db" "$TMPDIR_T/notes" > /dev/null 2> "$TMPDIR_T/err"
is "$?" 0 "import of only notes.txt: exit 0"
grep -q '^hartriage: warning: nothing to analyze: no HTTP request or response in 1 attachment' "$TMPDIR_T/err"
ok $? "import of only notes.txt: warns that nothing can be analyzed"
"$HARTRIAGE" match -q --db "$TMPDIR_T/notes.db" > /dev/null 2>&1
is "$?" 5 "match of that database: exit 5"

# A missing file alone: its error, then the one line, no report.
"$HARTRIAGE" analyze -q "$TMPDIR_T/missing.har" > "$TMPDIR_T/out" 2> "$TMPDIR_T/err"
is "$?" 3 "a missing file alone: exit 3 (an input could not be read)"
[ ! -s "$TMPDIR_T/out" ]
ok $? "a missing file alone: no report"
head -1 "$TMPDIR_T/err" | grep -q "^hartriage: .*missing.har: cannot open"
ok $? "a missing file alone: named first on stderr"
# A missing file beside a good one: the error comes before the report.
"$HARTRIAGE" analyze -q "$TMPDIR_T/missing.har" "$seed/curl-i.txt" > "$TMPDIR_T/both" 2>&1
is "$?" 3 "a missing file beside a good one: exit 3"
head -1 "$TMPDIR_T/both" | grep -q "^hartriage: .*missing.har: cannot open"
ok $? "a missing file beside a good one: the error is the first line of output"
grep -q '^# hartriage report' "$TMPDIR_T/both"
ok $? "a missing file beside a good one: the rest is reported"

# Databases: import without match, then a ticket that does not exist.
db="$TMPDIR_T/seed.db"
"$HARTRIAGE" import -q --db "$db" "$seed" > /dev/null 2>&1
is "$?" 0 "import of the seed: exit 0"
expect_nothing "report before match" "the rules never ran over database '$db': run 'hartriage match --db $db' first" \
	"$HARTRIAGE" report --db "$db"
"$HARTRIAGE" match -q --db "$db" > /dev/null 2>&1
is "$?" 0 "match: exit 0"
"$HARTRIAGE" report --db "$db" > "$TMPDIR_T/out" 2>/dev/null
is "$?" 0 "report after match: exit 0"
grep -q 'access-denied' "$TMPDIR_T/out"
ok $? "report after match: carries the finding"
expect_nothing "report --ticket nosuch" "no ticket 'nosuch' in database '$db' (its tickets: 'seed-ticket')" \
	"$HARTRIAGE" report --db "$db" --ticket nosuch
"$HARTRIAGE" report --db "$db" --ticket seed-ticket > "$TMPDIR_T/out" 2>/dev/null
is "$?" 0 "report --ticket seed-ticket: exit 0"

# The exit statuses are documented.
for w in "--help" "analyze --help" "report --help" "import --help" "match --help"; do
	"$HARTRIAGE" $w | grep -q '^  5  nothing to analyze or report'
	ok $? "$w documents exit status 5"
done
grep -q '^\.B 5' "$srcdir/doc/hartriage.1.in"
ok $? "the man page documents exit status 5"

done_testing
