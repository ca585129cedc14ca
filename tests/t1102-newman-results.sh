#!/bin/sh
# t1102-newman-results.sh - failed Postman/newman tests are findings tied
# to their exchange: a failed assertion (low) and a test-script error
# (medium), from a newman JSON report and from newman's CLI output, with
# the assertion text as evidence.
. "$srcdir/tests/tap.sh"

command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
dir=$srcdir/rules/newman/tests

an() {
	"$HARTRIAGE" analyze -q -r "$srcdir/rules" --format json -o "$TMPDIR_T/out.json" "$1" 2>"$TMPDIR_T/err"
}
finding() {
	# finding RULE: "exchange|severity|evidence" of its first finding
	jq -r --arg r "$1" '[.findings[] | select(.rule == $r)][0] |
		"\(.exchange)|\(.severity)|\(.evidence.assertion // .evidence.script_error)|\(.evidence.assertion_error // "")"' "$TMPDIR_T/out.json"
}

an "$dir/newman-assertion-404.json"
ok $? "newman JSON report with a failed assertion: analyzed"
is "$(finding newman.assertion-failed)" \
	"1|low|Status code is 200|expected response to have status code 200 but got 404" \
	"JSON: the failed assertion is a low finding on exchange 1 with its text"
is "$(jq -r '[.findings[] | select(.rule == "newman.assertion-failed")] | length' "$TMPDIR_T/out.json")" 1 \
	"JSON: the passing assertion of the same run is no finding"

an "$dir/newman-script-error.json"
is "$(finding newman.script-error)" \
	"0|medium|SyntaxError: Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON|" \
	"JSON: a test-script SyntaxError is a medium finding with its message"

an "$dir/newman-cli-failures.txt"
ok $? "newman CLI output: analyzed"
is "$(finding newman.assertion-failed)" \
	"1|low|Status code is 200|expected response to have status code 200 but got 404" \
	"CLI: the failure table's message is tied to the request that failed"
is "$(finding newman.script-error)" \
	"2|medium|SyntaxError: Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON|" \
	"CLI: the script error is tied to the third request"

# Without the failure table (only the run's request lines pasted).
sed '/^┌/,$d' "$dir/newman-cli-failures.txt" > "$TMPDIR_T/no-table.txt"
an "$TMPDIR_T/no-table.txt"
is "$(finding newman.assertion-failed)" "1|low|Status code is 200|" "CLI without the table: the failed check's name"
is "$(finding newman.script-error)" "2|medium|SyntaxError|" "CLI without the table: the script error's type"

an "$dir/newman-all-passed.json"
is "$(jq -r '.findings | length' "$TMPDIR_T/out.json")" 0 "a run whose tests all passed: no finding"

done_testing
