#!/bin/sh
# t0401: 'rules test' runs every rule's own tests as TAP.
. "$srcdir/tests/tap.sh"

fx=$srcdir/tests/fixtures/rules

"$HARTRIAGE" rules test "$srcdir/rules" >"$TMPDIR_T/out" 2>"$TMPDIR_T/err"
st=$?
is "$st" 0 "every rule of the library passes its own tests"
[ "$st" -eq 0 ] || grep -A8 '^not ok' "$TMPDIR_T/out" | sed 's/^/# /' | head -40
n=$(grep -c '^ok ' "$TMPDIR_T/out")
[ "$n" -ge 6 ]
ok $? "the library has rule tests ($n passed)"
grep -q '^ok [0-9]* - vercel.ai-gateway.access-denied: match #1$' "$TMPDIR_T/out"
ok $? "test points are named after rule and test"
tail -n 1 "$TMPDIR_T/out" | grep -q '^1\.\.[0-9][0-9]*$'
ok $? "TAP plan at the end"

"$HARTRIAGE" rules test "$fx/wrong" >"$TMPDIR_T/out" 2>&1
is "$?" 1 "a rule whose test expects the wrong thing: exit 1"
is "$(sed -n 1p "$TMPDIR_T/out")" "not ok 1 - wrong.expectation: match #1" "the failing test is named"
is "$(sed -n 2p "$TMPDIR_T/out")" \
	"# $fx/wrong/wrong.expectation.yaml:10:5: expected a match, the rule did not fire" \
	"the failure says where and why"
grep -q '^#   denied: status in \[403\] => false$' "$TMPDIR_T/out"
ok $? "the failure shows the matcher trace"
grep -q '^ok 2 - wrong.expectation: no-match #2$' "$TMPDIR_T/out"
ok $? "the other test of the rule still passes"

"$HARTRIAGE" rules test "$fx/lint" >"$TMPDIR_T/out" 2>&1
is "$?" 2 "lint errors: exit 2"
grep -q '^not ok [0-9]* - lint: lint/bad/\|^not ok [0-9]* - lint: .*lint.duplicate-key.yaml:9:1: duplicate key' "$TMPDIR_T/out"
ok $? "lint errors are failing test points"
grep -q '^ok [0-9]* - good.ok: match #1$' "$TMPDIR_T/out"
ok $? "good rules are still tested"

# file: tests, relative to the rule's directory.
"$HARTRIAGE" rules test "$fx/files" >"$TMPDIR_T/out" 2>&1
is "$?" 1 "file: tests run; a missing file fails"
grep -q '^ok 1 - files.teapot: match #1$' "$TMPDIR_T/out"
ok $? "file: match test imports the capture next to the rule"
grep -q '^ok 2 - files.teapot: no-match #2$' "$TMPDIR_T/out"
ok $? "file: no-match test"
grep -q "^# $fx/files/files.teapot.yaml:17:5: cannot open the test file\$" "$TMPDIR_T/out"
ok $? "a missing test file is reported at the test's position"

# --benign: a severity >= medium rule firing on a known-good capture fails.
mkdir -p "$TMPDIR_T/benign" "$TMPDIR_T/bad"
cat >"$TMPDIR_T/benign/ok.txt" <<'EOT'
> POST /v1/chat/completions HTTP/2
> Host: ai-gateway.vercel.sh
>
< HTTP/2 200
< content-type: application/json
<
{"id":"gen-1","choices":[]}
EOT
cat >"$TMPDIR_T/bad/denied.txt" <<'EOT'
> POST /v1/chat/completions HTTP/2
> Host: ai-gateway.vercel.sh
>
< HTTP/2 403
< content-type: application/json
<
{"error":{"message":"Forbidden.","type":"access_denied"}}
EOT
"$HARTRIAGE" rules test --benign "$TMPDIR_T/benign" "$srcdir/rules/vercel" >"$TMPDIR_T/out" 2>&1
is "$?" 0 "--benign: nothing fires on a good capture"
grep -q "^ok [0-9]* - benign: $TMPDIR_T/benign/ok.txt (1 exchanges)$" "$TMPDIR_T/out"
ok $? "--benign: one test point per capture"
"$HARTRIAGE" rules test --benign "$TMPDIR_T/bad" "$srcdir/rules/vercel" >"$TMPDIR_T/out" 2>&1
is "$?" 1 "--benign: a high rule firing is a failure"
grep -q '^# exchange 0: vercel.ai-gateway.access-denied (high) fired' "$TMPDIR_T/out"
ok $? "--benign failure names the rule"

# explain
"$HARTRIAGE" rules explain "$srcdir/rules/vercel/vercel.ai-gateway.access-denied.yaml" \
	"$TMPDIR_T/bad/denied.txt#0" >"$TMPDIR_T/out" 2>"$TMPDIR_T/err"
is "$?" 0 "explain exits 0"
grep -q '^condition: (host\[true\] or (nohost\[false\] and vendor\[true\])) and (denied\[true\] or not known\[true\]) and body\[true\] => fires$' "$TMPDIR_T/out"
ok $? "explain shows the condition trace"
grep -q '^evidence: {"body": "\\"type\\":\\"access_denied\\"", "message": "Forbidden."}$' "$TMPDIR_T/out"
ok $? "explain shows the evidence"
HARTRIAGE_RULES=$srcdir/rules "$HARTRIAGE" rules explain vercel.ai-gateway.access-denied \
	"$TMPDIR_T/benign/ok.txt" >"$TMPDIR_T/out" 2>&1
grep -q '^  denied: status in \[403\] => false$' "$TMPDIR_T/out"
ok $? "explain by id shows each matcher's result"
"$HARTRIAGE" rules explain --rules "$srcdir/rules" vercel.ai-gateway.access-denied \
	"$TMPDIR_T/benign/ok.txt#3" >/dev/null 2>"$TMPDIR_T/err"
is "$?" 2 "explain: missing exchange number is an error"

done_testing
