#!/bin/sh
# t1101-unmatched.sh - every failure accounted for: a failed exchange no
# rule names still reaches the report (section "Other failed requests",
# grouped by host and status with counts, the error message, type and code
# from the body, first and last time) with its request IDs in the
# escalation table, and the JSON report's "unmatched" list.
. "$srcdir/tests/tap.sh"

dir=$srcdir/tests/unmatched
an() {
	"$HARTRIAGE" analyze -q -r "$srcdir/rules" "$@" 2>"$TMPDIR_T/err"
}

# A 403 JSON error from an API no rule knows.
an -o "$TMPDIR_T/403.md" "$dir/unknown-api-403.txt"
ok $? "403 from an unknown API: analyzed"
md=$TMPDIR_T/403.md
grep -q '^## Other failed requests$' "$md"
ok $? "403: the Markdown report has the section Other failed requests"
grep -q '^\*\*Summary:\*\* .*1 failed (status 0 or >= 400), 1 failure no rule names' "$md"
ok $? "403: the summary line counts the failure no rule names"
grep -q '^| `api.acme-billing.example` | 403 | 1 | .*`POST https://api.acme-billing.example/v2/invoices`' "$md"
ok $? "403: the section names host, status, count and the request"
grep -q 'lacks the invoices:write scope (type insufficient_scope, code missing_scope)' "$md"
ok $? "403: the section gives error.message, error.type and error.code"
sed -n '/^## Escalation/,/^## /p' "$md" > "$TMPDIR_T/esc"
grep -q '`x-request-id` `req_7f3a9c21e4b84d0f`' "$TMPDIR_T/esc"
ok $? "403: its request ID is in the escalation table"
! grep -q 'No failing exchange to escalate' "$md"
ok $? "403: the report does not say there is nothing to escalate"
! grep -q 'WDarjtT1zdp7dcXyz' "$md"
ok $? "403: the API key quoted in the error message stays redacted"

an --format json -o "$TMPDIR_T/403.json" "$dir/unknown-api-403.txt"
ok $? "403: JSON report written"
if command -v jq >/dev/null 2>&1; then
	is "$(jq -r '.summary.unmatched' "$TMPDIR_T/403.json")" 1 "403 JSON: summary.unmatched counts it"
	is "$(jq -r '.unmatched[0] | [.method, .url, .status, .message, .type, .code, .request_ids["x-request-id"]] | join("|")' "$TMPDIR_T/403.json")" \
		"POST|https://api.acme-billing.example/v2/invoices|403|API key sk_live_…[#$(jq -r '.unmatched[0].message' "$TMPDIR_T/403.json" | sed -n 's/.*\[#\([0-9a-f]*\)\].*/\1/p')] lacks the invoices:write scope|insufficient_scope|missing_scope|req_7f3a9c21e4b84d0f" \
		"403 JSON: unmatched[0] has the request, message, type, code and request ID"
else
	grep -q '"unmatched": 1' "$TMPDIR_T/403.json"
	ok $? "403 JSON: summary.unmatched counts it"
	grep -q '"x-request-id": "req_7f3a9c21e4b84d0f"' "$TMPDIR_T/403.json"
	ok $? "403 JSON: the unmatched entry has its request ID"
fi
! grep -q 'WDarjtT1zdp7dcXyz' "$TMPDIR_T/403.json"
ok $? "403 JSON: the API key stays redacted"

# A database kept with --keep-secrets: the report writer redacts the message.
"$HARTRIAGE" analyze -q -r "$srcdir/rules" --keep-secrets --db "$TMPDIR_T/ks.db" -o "$TMPDIR_T/ks.md" \
	"$dir/unknown-api-403.txt" 2>/dev/null
grep -q 'lacks the invoices:write scope' "$TMPDIR_T/ks.md" && ! grep -q 'WDarjtT1zdp7dcXyz' "$TMPDIR_T/ks.md"
ok $? "--keep-secrets: the message is shown with the key redacted"
"$HARTRIAGE" report --db "$TMPDIR_T/ks.db" --format json -o "$TMPDIR_T/ks.json" 2>/dev/null
grep -q '"code": "missing_scope"' "$TMPDIR_T/ks.json" && ! grep -q 'WDarjtT1zdp7dcXyz' "$TMPDIR_T/ks.json"
ok $? "--keep-secrets: the JSON unmatched entry is redacted too"

# The common error shapes.
an -o "$TMPDIR_T/p.md" "$dir/problem-json-404.txt"
grep -q 'No widget with id w_8842 in workspace ws_12 (type https://docs.widgets.example/problems/unknown-widget)' "$TMPDIR_T/p.md"
ok $? "RFC 7807 problem+json: detail and type"
grep -q '`Request-Id` `0f7c2d9e-5b1a-4c3e-9d8f-2a6b7c8d9e0f`' "$TMPDIR_T/p.md"
ok $? "problem+json without a request line: still escalated with its request ID"
an -o "$TMPDIR_T/x.md" "$dir/xml-code-message-402.txt"
grep -q 'Monthly quota of 10000 list calls used for this account. (code QuotaExceeded)' "$TMPDIR_T/x.md"
ok $? "XML <Code> and <Message>"
an -o "$TMPDIR_T/g.md" "$dir/graphql-errors-400.txt"
grep -q 'Cannot query field "invoiceTotal" on type "Order". (code GRAPHQL_VALIDATION_FAILED)' "$TMPDIR_T/g.md"
ok $? "errors[].message with errors[].extensions.code"
an -o "$TMPDIR_T/py.md" "$dir/python-unknown-host-500.txt"
grep -q '^| `export.partner.example` | 500 Internal Server Error | 1 |.*requests.exceptions.HTTPError: 500 Server Error' "$TMPDIR_T/py.md"
ok $? "a client's error line with a status: host, status and the client's error"
grep -q '^No request ID on the 1 failed exchange that no rule names' "$TMPDIR_T/py.md"
ok $? "a failure without a request ID: said so, not 'nothing to escalate'"

# Grouping by host and status, counts, first and last time.
an -o "$TMPDIR_T/h.md" "$dir/groups.har"
grep -q '^4 failed exchanges that no rule names, by host and status:$' "$TMPDIR_T/h.md"
ok $? "HAR: four unmatched failures counted (the 200 is not)"
grep -q '^| `inventory.acme.example` | 503 | 3 | 2026-12-01T09:00:01.000Z | 2026-12-01T09:00:09.000Z | .*stock service unavailable (code STOCK_DOWN); circuit open (code CB_OPEN)' "$TMPDIR_T/h.md"
ok $? "HAR: one row per host and status with count, first, last and distinct errors"
grep -q '^| `geo.acme.example` | 404 | 1 | .*no such place (code not_found)' "$TMPDIR_T/h.md"
ok $? "HAR: OAuth-style error and error_description"
is "$(grep -c '`x-correlation-id` `c-000[123]`' "$TMPDIR_T/h.md")" 3 "HAR: each request ID in the escalation table"

# Nothing failed: no section, and nothing to escalate.
an -o "$TMPDIR_T/ok.md" "$dir/all-ok.txt"
! grep -q 'Other failed requests' "$TMPDIR_T/ok.md"
ok $? "all OK: no Other failed requests section"
grep -q '^No failing exchange to escalate.$' "$TMPDIR_T/ok.md"
ok $? "all OK: nothing to escalate"
an --format json -o "$TMPDIR_T/ok.json" "$dir/all-ok.txt"
grep -q '"unmatched": \[\]' "$TMPDIR_T/ok.json"
ok $? "all OK: JSON unmatched is an empty list"

# A failure a rule names is not listed again.
an -o "$TMPDIR_T/r.md" "$srcdir/tests/client-errors/go-connection-refused.txt"
! grep -q 'Other failed requests' "$TMPDIR_T/r.md"
ok $? "a failure a rule names is not an 'other' failure"

done_testing
