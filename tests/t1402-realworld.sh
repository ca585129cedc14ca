#!/bin/sh
# t1402-realworld.sh - the 69 real-world captures of
# ../shared/corpus/realworld (from public repositories; PROVENANCE.tsv):
# each imports with the exchange count tests/realworld-expected.tsv gives,
# and exactly the rules listed there fire at medium or above.  Skips when
# the corpus is not there.
. "$srcdir/tests/tap.sh"

rw=$srcdir/../shared/corpus/realworld
exp=$srcdir/tests/realworld-expected.tsv
[ -f "$rw/PROVENANCE.tsv" ] || skip_all "no shared real-world corpus at $rw"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"

# Every capture of the corpus has an expectation, and the other way round.
tail -n +2 "$rw/PROVENANCE.tsv" | cut -f1 | LC_ALL=C sort >"$TMPDIR_T/corpus"
grep -v '^#' "$exp" | tail -n +2 | cut -f1 | LC_ALL=C sort >"$TMPDIR_T/expected"
diff "$TMPDIR_T/corpus" "$TMPDIR_T/expected" >"$TMPDIR_T/missing"
ok $? "every capture of PROVENANCE.tsv has one expectation ($(wc -l <"$TMPDIR_T/corpus") captures)"
sed 's/^/# /' "$TMPDIR_T/missing" | head -10

grep -v '^#' "$exp" | tail -n +2 >"$TMPDIR_T/rows"
while IFS='	' read -r file count want note; do
	out=$TMPDIR_T/report.json
	"$HARTRIAGE" analyze -q -r "$srcdir/rules" -f json -o "$out" "$rw/$file" 2>"$TMPDIR_T/err"
	st=$?
	if [ "$st" -eq 5 ] && [ "$count" = 0 ]; then
		# an environment holds no request: nothing to analyze (exit 5)
		ok 0 "$file: 0 exchanges, nothing to analyze (exit 5)"
		continue
	fi
	if [ "$st" -ne 0 ]; then
		ok 1 "$file: analyzed (exit $st: $(head -c 200 "$TMPDIR_T/err"))"
		continue
	fi
	got_count=$(jq -r '.summary.exchanges' "$out")
	got=$(jq -r '[.findings[] | select(.severity == "medium" or .severity == "high" or
		.severity == "critical") | .rule] | unique | join(",")' "$out")
	[ -n "$got" ] || got=-
	if [ "$got_count" = "$count" ] && [ "$got" = "$want" ]; then
		ok 0 "$file: $count exchanges, medium+: $want"
	else
		ok 1 "$file: $count exchanges, medium+: $want"
		echo "#   got: $got_count exchanges, medium+: $got"
	fi
done <"$TMPDIR_T/rows"

done_testing
