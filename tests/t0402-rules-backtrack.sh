#!/bin/sh
# t0402: a catastrophic regex on a 1 MB body ends quickly as "inconclusive".
. "$srcdir/tests/tap.sh"

command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"
cap=$TMPDIR_T/cap/big.txt
mkdir -p "$TMPDIR_T/cap"
{
	printf '> GET /big HTTP/1.1\n> Host: example.com\n>\n'
	printf '< HTTP/1.1 200 OK\n< Content-Type: text/plain\n<\n'
	head -c 1048576 /dev/zero | tr '\0' a
	printf 'b\n'
} >"$cap"

start=$(date +%s)
timeout 60 "$HARTRIAGE" analyze --rules "$srcdir/tests/fixtures/rules/backtrack" \
	--format json -o "$TMPDIR_T/out.json" "$cap" 2>"$TMPDIR_T/err"
st=$?
end=$(date +%s)
[ "$st" -ne 124 ]
ok $? "analyze finishes within the timeout ($((end - start)) s)"
[ "$st" -eq 0 ] || [ "$st" -eq 1 ]
ok $? "analyze exit status is 0 or 1 (got $st)"
[ "$st" -le 1 ] || sed 's/^/# /' "$TMPDIR_T/err"

if command -v jq >/dev/null 2>&1; then
	is "$(jq -r '[.findings[] | select(.rule == "backtrack.nested-quantifier")] | length' "$TMPDIR_T/out.json")" 1 \
		"the rule is reported once"
	is "$(jq -r '.findings[] | select(.rule == "backtrack.nested-quantifier") | .inconclusive' "$TMPDIR_T/out.json")" true \
		"the finding is marked inconclusive"
else
	tr -d ' \n' <"$TMPDIR_T/out.json" >"$TMPDIR_T/flat.json"
	grep -q '"rule":"backtrack.nested-quantifier"' "$TMPDIR_T/flat.json"
	ok $? "the rule is reported"
	grep -q '"inconclusive":true' "$TMPDIR_T/flat.json"
	ok $? "the finding is marked inconclusive"
fi

# rules explain says the same without a database.
timeout 60 "$HARTRIAGE" rules explain "$srcdir/tests/fixtures/rules/backtrack/backtrack.nested-quantifier.yaml" \
	"$cap" >"$TMPDIR_T/explain" 2>&1
is "$?" 0 "explain finishes"
grep -q '^  body: response.body regex .(a+)+\$. => inconclusive$' "$TMPDIR_T/explain"
ok $? "explain marks the matcher inconclusive"
grep -q '=> inconclusive (a match limit was hit)$' "$TMPDIR_T/explain"
ok $? "explain marks the rule inconclusive"

done_testing
