#!/bin/sh
# t1100-client-errors.sh - a client's own error text (browser console CORS
# lines, Node/axios error objects, Python requests/urllib3, PHP Guzzle,
# .NET, Java, Go, a clipped curl line) reaches a finding with the right
# rule id; near misses (a retry that succeeded, a CORS guide quoting the
# wording) reach none.  One fixture per wording in tests/client-errors.
. "$srcdir/tests/tap.sh"

dir=$srcdir/tests/client-errors

# the rule ids of the findings in a JSON report, one a line
rules_of() {
	sed -n 's/^ *"rule": "\([^"]*\)",*$/\1/p' "$1" | sort -u
}

grep -v '^#' "$dir/cases.tsv" > "$TMPDIR_T/cases"
while IFS='	' read -r file rule; do
	"$HARTRIAGE" analyze -q -r "$srcdir/rules" --format json -o "$TMPDIR_T/out.json" "$dir/$file" 2>"$TMPDIR_T/err"
	st=$?
	rules_of "$TMPDIR_T/out.json" > "$TMPDIR_T/got"
	grep -qx "$rule" "$TMPDIR_T/got"
	ok $? "$file: $rule"
	if ! grep -qx "$rule" "$TMPDIR_T/got"; then
		echo "# exit $st; findings: $(tr '\n' ' ' < "$TMPDIR_T/got")"
		sed 's/^/# stderr: /' "$TMPDIR_T/err"
	fi
done < "$TMPDIR_T/cases"

grep -v '^#' "$dir/cases-near.tsv" > "$TMPDIR_T/near"
while IFS='	' read -r file rule; do
	"$HARTRIAGE" analyze -q -r "$srcdir/rules" --format json -o "$TMPDIR_T/out.json" "$dir/$file" 2>/dev/null
	rules_of "$TMPDIR_T/out.json" > "$TMPDIR_T/got"
	! grep -qx "$rule" "$TMPDIR_T/got"
	ok $? "$file: no $rule (near miss)"
done < "$TMPDIR_T/near"

# Every wording of the table has a fixture and every fixture is in a table.
for f in "$dir"/*; do
	b=${f##*/}
	case $b in *.tsv) continue ;; esac
	grep -q "^$b	" "$dir/cases.tsv" "$dir/cases-near.tsv"
	ok $? "$b is listed in a cases table"
done

done_testing
