#!/bin/sh
# t1400-sequence.sh - the capture read as a sequence (src/sequence.c):
# one event seen in several attachments is shown once with its sources, a
# failure that recovers is shown apart and not counted at its severity,
# saved examples are documentation, client-side blocks are low unless
# they hit the page or a same-site API call, undecrypted CONNECT tunnels
# are no failures, context advice comes once per rule; 431 evidence
# measures the header and cookie sizes (src/xmeasure.c).
. "$srcdir/tests/tap.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"

fx=$srcdir/tests/fixtures/sequence
run() {
	# run NAME FORMAT PATH...: report in $TMPDIR_T/NAME.FORMAT
	name=$1 fmt=$2
	shift 2
	"$HARTRIAGE" analyze -q -r "$srcdir/rules" -f "$fmt" -o "$TMPDIR_T/$name.$fmt" "$@" \
		2>"$TMPDIR_T/$name.err"
}
medium_plus() {
	jq -r '[.findings[] | select(.severity == "medium" or .severity == "high" or
		.severity == "critical") | .rule] | unique | join(",")' "$1"
}

# The seed ticket: one failed request in a HAR, curl -i output and text.
run seed md "$srcdir/data/samples/seed-ticket"
is "$(grep -c '^| Request | `' "$TMPDIR_T/seed.md")" 1 "seed: the failed request is one evidence block"
grep -q '^| Also in | `curl-i.txt` exchange 0; `ticket.txt` exchange 0 (.*3 sources) |$' "$TMPDIR_T/seed.md"
ok $? "seed: its evidence lists the other two sources"
is "$(grep -c '^| .*x-vercel-id.*| `vercel.ai-gateway.access-denied` |' "$TMPDIR_T/seed.md")" 1 \
	"seed: one escalation row"
grep -q ', 1 failed (status 0 or >= 400)' "$TMPDIR_T/seed.md"
ok $? "seed: the summary counts one failed request"

# Refresh and retry: 401 invalid_token, a token refresh, the retry 200.
run refresh json "$fx/refresh-retry.har"
is "$(medium_plus "$TMPDIR_T/refresh.json")" "" "refresh-retry: no finding at medium or above"
is "$(jq -r '.summary.recovered' "$TMPDIR_T/refresh.json")" 1 "refresh-retry: one failure recovered"
is "$(jq -r '.findings[] | select(.rule == "bearer.invalid-token") | .sequence.recovered_by.exchange' \
	"$TMPDIR_T/refresh.json")" 3 "refresh-retry: recovered by the retry (exchange 3)"
jq -r '.findings[0].sequence.what_changed' "$TMPDIR_T/refresh.json" |
	grep -q '^refreshed the token (POST auth.example.com/oauth/token: 200); sent a new Authorization credential'
ok $? "refresh-retry: what changed names the refresh and the new credential"
run refresh md "$fx/refresh-retry.har"
grep -q '^## Recovered failures' "$TMPDIR_T/refresh.md" && grep -q '; 1 failure recovered later' "$TMPDIR_T/refresh.md"
ok $? "refresh-retry: the Markdown report has the section and the summary count"
"$HARTRIAGE" analyze -q -r "$srcdir/rules" --fail-on medium "$fx/refresh-retry.har" >/dev/null 2>&1
is "$?" 0 "refresh-retry: --fail-on medium passes (the recovered 401 counts as info)"
"$HARTRIAGE" analyze -q -r "$srcdir/rules" --fail-on medium "$fx/refresh-failed.har" >/dev/null 2>&1
is "$?" 1 "refresh-failed: --fail-on medium fails"
run refail json "$fx/refresh-failed.har"
is "$(medium_plus "$TMPDIR_T/refail.json")" "bearer.invalid-token" "without the retry the 401 stays medium"
is "$(jq -r '.summary.recovered' "$TMPDIR_T/refail.json")" 0 "without the retry nothing recovered"

# Saved examples: info alone, confirmed by the ticket's own text.
run ex json "$fx/rate-limit-examples.postman_collection.json"
is "$(jq -r '[.findings[] | .severity + " " + .sequence.demoted] | join(",")' "$TMPDIR_T/ex.json")" \
	"info example" "a saved 429 example is info and marked as an example"
run ex md "$fx/rate-limit-examples.postman_collection.json"
grep -q '^| Saved example | `429 Rate Limit Exceeded` is documentation' "$TMPDIR_T/ex.md"
ok $? "the report says it is a saved example"
grep -q ', 0 failed (status 0 or >= 400); 1 saved example with a failure status' "$TMPDIR_T/ex.md"
ok $? "the summary does not count the example as a failure"
run exc json "$fx/rate-limit-examples.postman_collection.json" "$fx/rate-limit-ticket.txt"
is "$(jq -r '[.findings[] | select(.rule == "http.429-retry-after") | .severity] | unique | join(",")' \
	"$TMPDIR_T/exc.json")" "medium" "the ticket text showing the same 429 keeps the example's finding"

# Client-side blocks: a third-party probe is low, a same-site API call is not.
run blk json "$fx/blocked-by-client.har"
is "$(jq -r '[.findings[] | select(.url | test("tracker")) | .severity] | unique | join(",")' "$TMPDIR_T/blk.json")" low \
	"an extension-blocked third-party probe is low"
is "$(jq -r '[.findings[] | select(.url | test("api.example.com")) | .severity] | unique | join(",")' "$TMPDIR_T/blk.json")" medium \
	"a blocked same-site API call keeps its severity"

# Context advice once per rule, per-request values in a table.
run five md "$fx/gateway-five-ids.har"
is "$(grep -c '^\*\*Context:\*\* Next.js route headers on an AI Gateway' "$TMPDIR_T/five.md")" 1 \
	"five requests: the AI Gateway context advice once"
is "$(grep -c '^| `sin1::fra1::mr2nm-' "$TMPDIR_T/five.md")" 5 "five requests: five per-request ID rows"

# Request IDs across the tickets of a batch: the pass reads one scope at a
# time, and the scopes a request ID joins together (a loose file's scope
# too); the events, their copies and a recovery beside them come out as
# from one pass over everything.
mkdir -p "$TMPDIR_T/ids/t1" "$TMPDIR_T/ids/t2"
cp "$fx/gateway-five-ids.har" "$fx/refresh-retry.har" "$TMPDIR_T/ids/t1/"
{ cat "$fx/gateway-five-ids.har"; echo; } > "$TMPDIR_T/ids/t2/gateway-five-ids.har"
{ cat "$fx/gateway-five-ids.har"; echo; echo; } > "$TMPDIR_T/ids/loose.har"
for j in 1 2; do
	"$HARTRIAGE" analyze -q -r "$srcdir/rules" -f json -j $j --per-ticket "$TMPDIR_T/ids-j$j" \
		"$TMPDIR_T/ids" 2>"$TMPDIR_T/ids-j$j.err"
done
is "$(jq -c '[.findings[] | .sequence.same_event | length] | unique' "$TMPDIR_T/ids-j1/t2.json")" "[2]" \
	"request IDs across tickets: each of t2's findings has two other copies"
is "$(jq -r '[.findings[] | .sequence.same_event[] | .source] | unique | join(",")' \
	"$TMPDIR_T/ids-j1/t2.json")" "loose.har,t1/gateway-five-ids.har" \
	"request IDs across tickets: the copies are t1's and the loose file's"
is "$(jq -r '.summary.recovered' "$TMPDIR_T/ids-j1/t1.json")" 1 \
	"request IDs across tickets: t1's recovery stands beside the links"
diff -r "$TMPDIR_T/ids-j1" "$TMPDIR_T/ids-j2" >/dev/null
ok $? "request IDs across tickets: --jobs 2 gives the same reports"

# Real-world captures (when the shared corpus is there).
rw=$srcdir/../shared/corpus/realworld
if [ -d "$rw" ]; then
	run cf json "$rw/har/cloudflare-scrubbed.har"
	is "$(medium_plus "$TMPDIR_T/cf.json")" "" "Access login that succeeds: no finding at medium or above"
	is "$(jq -r '.findings[] | select(.rule == "cloudflare.access-login-redirect") | .sequence.what_changed' \
		"$TMPDIR_T/cf.json" | grep -c 'completed the Cloudflare Access login (GET test.almightyzero.com/cdn-cgi/access/authorized: 302)')" 1 \
		"Access login: what changed names /cdn-cgi/access/authorized"
	run tw json "$rw/postman/p2o-twitter-api.postman.json"
	is "$(medium_plus "$TMPDIR_T/tw.json")" "" "collection with 429 examples: no finding at medium or above"
	run h2 json "$rw/har/h2oa-request-generator-all-status-and-method.har"
	is "$(jq -r '[.findings[] | select(.rule == "har.chrome-net-error.unexpected-proxy-auth" and
		.severity == "medium")] | length' "$TMPDIR_T/h2.json")" 11 \
		"the 11 requests answered 407 by a non-proxy (ERR_UNEXPECTED_PROXY_AUTH) are found"
	is "$(jq -r '[.findings[] | select(.rule == "http.431-request-header-fields-too-large") |
		.evidence.cookie_bytes] | unique | join(",")' "$TMPDIR_T/h2.json")" 9 \
		"431 evidence measures the Cookie header (9 bytes)"
	is "$(jq -r '[.findings[] | select(.rule == "http.431-request-header-fields-too-large.cookies")] | length' \
		"$TMPDIR_T/h2.json")" 0 "431 with a 9-byte cookie does not blame the cookies"
	run ch md "$rw/har/gatling-charles_https.har"
	grep -q ', 0 failed (status 0 or >= 400)' "$TMPDIR_T/ch.md" && ! grep -q '^## Timeline' "$TMPDIR_T/ch.md"
	ok $? "Charles CONNECT tunnels are not failures"
else
	skip "no shared real-world corpus"
fi

done_testing
