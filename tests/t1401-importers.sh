#!/bin/sh
# t1401-importers.sh - the API-client formats of issue 14: Insomnia v5
# YAML collections, Bruno run reports and collections, cookie arrays; a
# file recognised as an API-client export but not importable is an error
# (exit 3), never an empty clean report.
. "$srcdir/tests/tap.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"

fx=$srcdir/tests/fixtures/importers
dump() { "$HARTRIAGE" analyze -q -r "$srcdir/rules" -f json -o "$TMPDIR_T/$1.json" "$2" 2>"$TMPDIR_T/$1.err"; }

# Insomnia v5 (collection.insomnia.rest/5.0).
dump v5 "$fx/insomnia-v5.yaml"
is "$?" 0 "insomnia v5: analyzed"
is "$(jq -r '.sources[0].format + " " + (.sources[0].exchanges | tostring)' "$TMPDIR_T/v5.json")" \
	"insomnia 2" "insomnia v5: read as insomnia, two HTTP requests (the WebSocket one skipped)"
"$HARTRIAGE" analyze -q -r "$srcdir/rules" --db "$TMPDIR_T/v5.db" "$fx/insomnia-v5.yaml" >/dev/null 2>&1
if command -v sqlite3 >/dev/null 2>&1; then
	is "$(sqlite3 "$TMPDIR_T/v5.db" "SELECT url FROM exchanges ORDER BY seq LIMIT 1")" \
		"https://api.billing.example/v2/invoices/inv_42" \
		"insomnia v5: environment and path parameters resolved"
	is "$(sqlite3 "$TMPDIR_T/v5.db" "SELECT COUNT(*) FROM headers WHERE name = 'X-Tenant'")" 2 \
		"insomnia v5: the folder's header applies to its requests"
else
	skip "sqlite3 is not installed"
	skip "sqlite3 is not installed"
fi
dump spec "$fx/insomnia-v5-spec.yaml"
is "$?" 3 "insomnia v5 design document (no requests): exit 3"
grep -q "holds no requests" "$TMPDIR_T/spec.err"
ok $? "insomnia v5 design document: says why"

# Recognised exports without any HTTP request: an error, not an empty report.
dump pempty "$fx/empty.postman_collection.json"
is "$?" 3 "postman collection without requests: exit 3"
dump grpc "$fx/insomnia-v5-grpc-only.yaml"
is "$?" 3 "insomnia v5 collection with only a gRPC request: exit 3"
grep -q "holds no HTTP request" "$TMPDIR_T/grpc.err"
ok $? "insomnia v5 gRPC-only: says why"

# Bruno run reports and .bru files.
br=$fx/bruno
dump brun "$br/run-report.json"
is "$?" 0 "bruno run report: analyzed"
is "$(jq -r '.sources[0].format + " " + (.sources[0].exchanges | tostring)' "$TMPDIR_T/brun.json")" "bruno 3" \
	"bruno run report: read as bruno, three results"
is "$(jq -r '[.findings[] | select(.severity == "high") | .rule] | unique | join(",")' "$TMPDIR_T/brun.json")" \
	"nginx.502-504-upstream,node.transport-error" "bruno run report: the 502 and the refused connection are found"
dump bempty "$br/empty-run-report.json"
is "$?" 3 "bruno run report without results: exit 3, not an empty clean report"
dump bru "$br/create-order.bru"
is "$(jq -r '.sources[0].format + " " + .sources[0].status + " " + (.sources[0].exchanges | tostring)' "$TMPDIR_T/bru.json")" \
	"bruno ok 1" "bruno .bru request file: one request"
dump benv "$br/local.environment.bru"
is "$?" 5 "bruno environment alone: nothing to analyze (exit 5)"
"$HARTRIAGE" import -q --db "$TMPDIR_T/benv.db" "$br/local.environment.bru" >/dev/null 2>&1
if command -v sqlite3 >/dev/null 2>&1; then
	is "$(sqlite3 "$TMPDIR_T/benv.db" "SELECT format || ' ' || status FROM sources")" "bruno not-capture" \
		"bruno environment: recognised, not a capture"
else
	skip "sqlite3 is not installed"
fi
dump bbroken "$br/broken.bru"
is "$?" 3 "a .bru file without a request block: exit 3"

# Cookie arrays (HAR request/response "cookies", Postman/newman "cookie").
DUMP="$builddir/tests/import-dump"
if [ -x "$DUMP" ]; then
	"$DUMP" "$fx/cookie-arrays.har" >"$TMPDIR_T/c.dump" 2>&1
	grep -q '"Cookie": "sid=abc123; theme=dark"' "$TMPDIR_T/c.dump"
	ok $? "HAR request cookies array: one Cookie header"
	grep -q '"Set-Cookie": "sid=; Path=/; Domain=shop.example; Expires=1970-01-01T00:00:00.000Z; Secure; HttpOnly; SameSite=Lax"' "$TMPDIR_T/c.dump"
	ok $? "HAR response cookies array: Set-Cookie with its attributes"
	"$DUMP" "$fx/cookie-array.postman_collection.json" >"$TMPDIR_T/p.dump" 2>&1
	grep -q '"Set-Cookie": "sid=s3ss10n; Path=/; Domain=shop.example; Secure; HttpOnly"' "$TMPDIR_T/p.dump"
	ok $? "Postman saved response cookie array: Set-Cookie (no 'Invalid Date' expiry)"
else
	skip "tests/import-dump is not built"
	skip "tests/import-dump is not built"
	skip "tests/import-dump is not built"
fi

done_testing
