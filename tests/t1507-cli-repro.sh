#!/bin/sh
# The sanitized reproduction: each finding section carries a curl command
# for its first example whose secrets are named shell variables; run with
# the variables set, it sends the request as captured (minus the secret
# values); no secret or piece of one reaches the report, also with
# --keep-secrets.
. "$srcdir/tests/tap.sh"
command -v bash > /dev/null 2>&1 || skip_all "bash not installed"

seed="$srcdir/data/samples/seed-ticket"
"$HARTRIAGE" analyze -q "$seed" > "$TMPDIR_T/seed.md" 2>/dev/null
sed -n '/^\*\*Reproduce\*\*/,/^```$/p' "$TMPDIR_T/seed.md" | sed '1,/^```sh$/d; /^```$/d' > "$TMPDIR_T/repro.sh"
[ -s "$TMPDIR_T/repro.sh" ]
ok $? "the seed report has a Reproduce block"
sed 's/^/# /' "$TMPDIR_T/repro.sh"
grep -qi '"Authorization: Bearer $AI_GATEWAY_API_KEY"' "$TMPDIR_T/repro.sh"
ok $? "the bearer key is the named placeholder \$AI_GATEWAY_API_KEY"
grep -q '^Set first: `AI_GATEWAY_API_KEY`' "$TMPDIR_T/seed.md"
ok $? "the report says which variables to set"
bash -n "$TMPDIR_T/repro.sh"
ok $? "the command is valid shell"
# Run it with a curl that prints its arguments, one per line.
cat > "$TMPDIR_T/run.sh" <<'SH'
curl() { for a in "$@"; do printf '%s\n' "$a"; done; }
AI_GATEWAY_API_KEY=test-key-123
SH
cat "$TMPDIR_T/repro.sh" >> "$TMPDIR_T/run.sh"
bash "$TMPDIR_T/run.sh" > "$TMPDIR_T/args"
grep -qix 'Authorization: Bearer test-key-123' "$TMPDIR_T/args"
ok $? "run: the variable fills the Authorization header"
grep -qx 'https://ai-gateway.vercel.sh/v1/chat/completions' "$TMPDIR_T/args"
ok $? "run: the captured URL"
grep -qx 'POST' "$TMPDIR_T/args"
ok $? "run: the captured method"
# the leading example is the HAR's copy of the request (one event, three sources)
grep -q '^{"model":"openai/gpt-4o-mini","messages":\[{"role":"user","content":"ping"}\]' "$TMPDIR_T/args"
ok $? "run: the captured body"

# Secrets: canaries in a header, a cookie, a query parameter and the body.
key=sk-proj-CANARYreproA1b2C3d4E5f6G7h8I9j0K1l2
cookie=CANARYcookieZ9y8X7w6V5u4T3s2R1q0
cat > "$TMPDIR_T/c.in" <<'EOF'
{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[
{"startedDateTime":"2026-03-16T09:00:00.000Z","time":5,
 "request":{"method":"POST","url":"https://api.openai.com/v1/chat/completions?api_key=@KEY@","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Authorization","value":"Bearer @KEY@"},{"name":"Cookie","value":"session=@COOKIE@"},
             {"name":"Content-Type","value":"application/json"},{"name":"X-Note","value":"it's \"quoted\" $HOME `x`"}],
  "queryString":[],"cookies":[],"headersSize":-1,"bodySize":40,
  "postData":{"mimeType":"application/json","text":"{\"key\":\"@KEY@\",\"q\":\"it's\"}"}},
 "response":{"status":429,"statusText":"Too Many Requests","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Content-Type","value":"application/json"},{"name":"x-request-id","value":"req_abc123"}],
  "cookies":[],"content":{"size":90,"mimeType":"application/json",
  "text":"{\"error\":{\"message\":\"Rate limit reached for gpt-4o\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}"},
  "redirectURL":"","headersSize":-1,"bodySize":90},"cache":{},"timings":{"send":1,"wait":3,"receive":1}}]}}
EOF
sed -e "s/@KEY@/$key/g" -e "s/@COOKIE@/$cookie/g" "$TMPDIR_T/c.in" > "$TMPDIR_T/c.har"
"$HARTRIAGE" analyze -q "$TMPDIR_T/c.har" > "$TMPDIR_T/c.md" 2>/dev/null
"$HARTRIAGE" analyze -q --keep-secrets --db "$TMPDIR_T/keep.db" "$TMPDIR_T/c.har" > "$TMPDIR_T/keep.md" 2>/dev/null
for f in c keep; do
	grep -q '^\*\*Reproduce\*\*' "$TMPDIR_T/$f.md"
	ok $? "$f: a Reproduce block"
	leak=0
	for s in "$key" "$cookie"; do
		for i in 0 5 10 15 20; do
			piece=$(printf '%s' "$s" | cut -c$((i + 5))-$((i + 14)))
			[ ${#piece} -eq 10 ] && grep -qF "$piece" "$TMPDIR_T/$f.md" && leak=$((leak + 1))
		done
	done
	is "$leak" 0 "$f: no 10-character piece of a secret in the report"
	sed -n '/^\*\*Reproduce\*\*/,/^```$/p' "$TMPDIR_T/$f.md" | sed '1,/^```sh$/d; /^```$/d' > "$TMPDIR_T/$f.sh"
	bash -n "$TMPDIR_T/$f.sh"
	ok $? "$f: the command is valid shell despite quotes, \$ and backquotes in the capture"
	{ echo 'curl() { for a in "$@"; do printf "%s\n" "$a"; done; }'
	  echo 'OPENAI_API_KEY=K1; COOKIE=C1; HOME=/nowhere'
	  cat "$TMPDIR_T/$f.sh"; } > "$TMPDIR_T/$f.run"
	bash "$TMPDIR_T/$f.run" > "$TMPDIR_T/$f.args" 2>&1
	grep -qx 'Authorization: Bearer K1' "$TMPDIR_T/$f.args"
	ok $? "$f: \$OPENAI_API_KEY fills the Authorization header"
	grep -qx 'X-Note: it'"'"'s "quoted" $HOME `x`' "$TMPDIR_T/$f.args"
	ok $? "$f: other values pass through the shell unchanged"
	grep -q '^https://api.openai.com/v1/chat/completions?api_key=K1$' "$TMPDIR_T/$f.args"
	ok $? "$f: the same secret in the URL is the same variable"
	sed 's/^/# /' "$TMPDIR_T/$f.sh"
done

done_testing
