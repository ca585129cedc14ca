#!/bin/sh
# t0400: 'rules lint' reports every bad rule as FILE:LINE:COL and exits 2.
. "$srcdir/tests/tap.sh"

fx=$srcdir/tests/fixtures/rules
cd "$fx" || skip_all "no rule fixtures"

"$HARTRIAGE" rules lint lint >"$TMPDIR_T/out" 2>"$TMPDIR_T/err"
is "$?" 2 "lint exits 2 when a rule is bad"
is "$(sed -n 1p "$TMPDIR_T/err")" \
	"lint/bad/lint.double-quoted.yaml:8:40: regex must be a single-quoted string or a '|-' block" \
	"double-quoted regex: position of the scalar"
is "$(sed -n 2p "$TMPDIR_T/err")" \
	"lint/bad/lint.duplicate-key.yaml:9:1: duplicate key 'severity' (first at line 4)" \
	"duplicate key: position of the second key"
is "$(sed -n 3p "$TMPDIR_T/err")" \
	"lint/bad/lint.invalid-regex.yaml:13:26: invalid regex: missing closing parenthesis" \
	"invalid regex in a |- block: line and column of the PCRE2 error offset"
is "$(sed -n 4p "$TMPDIR_T/err")" \
	"lint/bad/lint.unknown-matcher.yaml:10:22: unknown matcher 'denied' in condition" \
	"unknown matcher: column of the name inside the condition"
is "$(wc -l <"$TMPDIR_T/err" | tr -d ' ')" 4 "one diagnostic per bad file, nothing else"

"$HARTRIAGE" rules lint lint-escape 2>"$TMPDIR_T/err"
is "$?" 2 "a YAML escape error is a lint error"
is "$(cat "$TMPDIR_T/err")" \
	"lint-escape/lint.escape.yaml:8:49: yaml: found unknown escape character while parsing a quoted scalar (write regexes in single quotes: '\\d+')" \
	"YAML escape error: position and hint"

# The good rule beside the bad ones still loads.
"$HARTRIAGE" rules list lint >"$TMPDIR_T/out" 2>/dev/null
is "$(cut -d' ' -f1 "$TMPDIR_T/out")" "good.ok" "bad rules are skipped, the rest load"

"$HARTRIAGE" rules lint lint/good.ok.yaml >"$TMPDIR_T/out" 2>"$TMPDIR_T/err"
is "$?" 0 "a good rule lints clean"
is "$(cat "$TMPDIR_T/out")" "1 rule, no problems" "lint summary"

"$HARTRIAGE" rules lint "$srcdir/rules" >"$TMPDIR_T/out" 2>"$TMPDIR_T/err"
st=$?
is "$st" 0 "the shipped rule library lints clean"
[ "$st" -eq 0 ] || sed 's/^/# /' "$TMPDIR_T/err" | head -20

"$HARTRIAGE" rules lint /nonexistent/rules 2>"$TMPDIR_T/err"
is "$?" 2 "unreadable rules directory: exit 2"

"$HARTRIAGE" rules frobnicate 2>/dev/null
is "$?" 2 "unknown action: usage error"
"$HARTRIAGE" rules --help >"$TMPDIR_T/out"
ok $? "rules --help"
grep -q 'rules explain' "$TMPDIR_T/out"
ok $? "help lists explain"

done_testing
