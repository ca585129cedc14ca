#!/bin/sh
# t0404-benign.sh - the known-good captures of data/benign: each one imports
# with at least one exchange, and no rule of severity medium or above fires
# on any of them ('rules test --benign').
. "$srcdir/tests/tap.sh"

benign=$srcdir/data/benign
[ -d "$benign" ] || skip_all "no $benign"

# The captures: every file but the README.
ls "$benign" | grep -v '^README\.md$' > "$TMPDIR_T/files"
n=$(wc -l < "$TMPDIR_T/files")
[ "$n" -ge 10 ]
ok $? "data/benign holds the benign captures ($n files)"

"$HARTRIAGE" rules test --benign "$benign" "$srcdir/rules" >"$TMPDIR_T/out" 2>"$TMPDIR_T/err"
st=$?
is "$st" 0 "no rule of severity medium or above fires on a benign capture"
if [ "$st" -ne 0 ]; then
	grep -A12 '^not ok' "$TMPDIR_T/out" | sed 's/^/# /' | head -60
	sed 's/^/# stderr: /' "$TMPDIR_T/err" | head -10
fi
got=$(grep -c "^ok [0-9]* - benign: $benign/.* ([1-9][0-9]* exchanges)\$" "$TMPDIR_T/out")
is "$got" "$n" "every benign capture was checked with its exchanges"

"$HARTRIAGE" analyze --format json -r "$srcdir/rules" -o "$TMPDIR_T/report.json" "$benign" 2>"$TMPDIR_T/err"
st=$?
is "$st" 0 "analyze reads the benign folder without an error"
[ "$st" -eq 0 ] || sed 's/^/# stderr: /' "$TMPDIR_T/err" | head -10
if command -v jq >/dev/null 2>&1; then
	while read -r f; do
		res=$(jq -r --arg f "$f" \
			'[.sources[] | select(.path == $f or (.path | endswith("/" + $f)))][0] |
			 if . == null then "missing" else "\(.status) \(.format) \(.exchanges)" end' \
			"$TMPDIR_T/report.json")
		case $res in
		"ok "*" 0" | missing | "ok "*" null") ok 1 "$f imports ($res)" ;;
		"ok "*) ok 0 "$f imports (${res#ok })" ;;
		*) ok 1 "$f imports ($res)" ;;
		esac
	done < "$TMPDIR_T/files"
	kinds=$(jq -r '[.sources[] | select(.status == "ok") | .format] | unique | join(" ")' "$TMPDIR_T/report.json")
	is "$kinds" "curl-i curl-trace curl-v har log newman postman server-log text" "the benign captures cover every input kind"
	jq -e '[.findings[] | select(.severity == "medium" or .severity == "high" or .severity == "critical")] | length == 0' \
		"$TMPDIR_T/report.json" >/dev/null
	ok $? "the analyze report of the benign folder has no medium, high or critical finding"
else
	skip "jq is not installed"
fi

done_testing
