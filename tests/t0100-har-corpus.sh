#!/bin/sh
# t0100-har-corpus.sh - every HAR of the corpus imports with as many
# exchanges as jq counts entries; a file jq cannot count is named on stderr
# with a reason, exit status 3, and does not stop the other inputs.
. "$srcdir/tests/tap.sh"

[ -d "$CORPUS/har" ] || skip_all "no corpus at $CORPUS"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"

good=$srcdir/tests/fixtures/har/two-entries.har

# Entry count of the HAR shapes other than {"log":{"entries":[...]}} that
# the importer reads whole: bare entries, one entry, a bare request, HARs
# wrapped in other objects.  Fails (no output) for anything else.
shapes='def entries_of: if (.entries|type) == "array" then .entries | length
		   else error("log without entries") end;
	if type == "object" and (.log|type) == "object" then .log | entries_of
	elif type == "array" then length
	elif type == "object" and (.entries|type) == "array" then entries_of
	elif type == "object" and (.request|type) == "object" then 1
	elif type == "object" and (.method|type) == "string" and (.url|type) == "string" then 1
	elif type == "object" then
		[.. | objects | select((.log|type) == "object" and (.log.entries|type) == "array")
		 | .log.entries | length]
		| if length > 0 then add else error("no HAR") end
	else error("no HAR") end'

# Strip a JSONP callback ("cb({...});") so jq can read a .harp file.
unjsonp() {
	sed -e '1s/^[A-Za-z_$][A-Za-z0-9_$.]*[ ]*(//' -e '$s/)[ ;]*$//' "$1"
}

i=0
for f in "$CORPUS"/har/*.har "$CORPUS"/har/*.harp "$CORPUS"/generated/*.har; do
	[ -f "$f" ] || continue
	i=$((i + 1))
	name=${f#"$CORPUS"/}
	case $f in
	*.harp) unjsonp "$f" > "$TMPDIR_T/doc.json" ;;
	*) cp "$f" "$TMPDIR_T/doc.json" ;;
	esac
	want=$(jq -e '.log.entries | arrays | length' "$TMPDIR_T/doc.json" 2>/dev/null) ||
		want=$(jq -e "$shapes" "$TMPDIR_T/doc.json" 2>/dev/null) || want=
	db=$TMPDIR_T/$i.db
	"$HARTRIAGE" import --db "$db" "$f" > "$TMPDIR_T/out" 2> "$TMPDIR_T/err"
	rc=$?
	if [ -n "$want" ]; then
		got=$(sqlite3 "$db" 'SELECT COUNT(*) FROM exchanges')
		recorded=$(sqlite3 "$db" 'SELECT status || " " || exchanges FROM sources')
		is "$rc $got $recorded" "0 $want ok $want" "$name: $want exchanges"
		[ "$rc" -eq 0 ] || sed 's/^/# /' "$TMPDIR_T/err"
	else
		base=${f##*/}
		# "hartriage: PATH: reason"
		grep -F "$base: " "$TMPDIR_T/err" | grep -q -v -E ': *$'
		named=$?
		is "$rc $named" "3 0" "$name: not countable by jq: exit 3 and named on stderr"
		sed 's/^/# /' "$TMPDIR_T/err"
		# the good file next to it is still analyzed
		"$HARTRIAGE" analyze --format json "$f" "$good" > "$TMPDIR_T/report.json" \
			2> "$TMPDIR_T/err2"
		rc=$?
		got=$(jq --arg p "$good" '.sources[] | select(.path == $p) | .exchanges' \
			"$TMPDIR_T/report.json" 2>/dev/null)
		is "$rc ${got:-none}" "3 2" "$name: next to a good file: exit 3, good file analyzed"
	fi
	rm -f "$db"
done
[ "$i" -gt 0 ] || skip_all "no HAR files in $CORPUS"
done_testing
