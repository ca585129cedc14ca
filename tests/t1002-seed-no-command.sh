#!/bin/sh
# t1002-seed-no-command.sh - the seed failure pasted as plain `curl -i`
# output, without the command line: the host is unknown, yet the report
# leads with vercel.ai-gateway.access-denied (Vercel known from the
# response's fingerprints), says the Next.js headers are normal there and
# lists the x-vercel-id for escalation.  Needs the rule library's host-less
# form of that rule (the derived field "vendor"); skips without it.
. "$srcdir/tests/tap.sh"

rule=$srcdir/rules/vercel/vercel.ai-gateway.access-denied.yaml
grep -q 'field: vendor' "$rule" 2>/dev/null || skip_all "the rule has no host-less (vendor) form yet"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"

paste=$srcdir/tests/fragments/seed-curl-i-no-command.txt
"$HARTRIAGE" analyze -q -r "$srcdir/rules" -f json -o "$TMPDIR_T/r.json" "$paste" 2>"$TMPDIR_T/err"
is "$?" 0 "the plain curl -i paste is analyzed"
is "$(jq -r '.findings[0].rule' "$TMPDIR_T/r.json")" "vercel.ai-gateway.access-denied" \
	"the report leads with vercel.ai-gateway.access-denied"
is "$(jq -r '[.findings[] | select(.rule == "vercel.ai-gateway.access-denied")][0].url' "$TMPDIR_T/r.json")" "null" \
	"the host stays unknown (no URL was pasted)"
"$HARTRIAGE" analyze -q -r "$srcdir/rules" -o "$TMPDIR_T/r.md" "$paste" 2>/dev/null
grep -q 'are normal' "$TMPDIR_T/r.md"
ok $? "the report says the Next.js headers are normal there"
grep -q 'sin1::fra1::mr2nm-1773654078302-80a62b52517d' "$TMPDIR_T/r.md"
ok $? "the report lists the x-vercel-id for escalation"

done_testing
