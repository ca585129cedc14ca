#!/bin/sh
# t0301-newman-live.sh - run a real newman 6 against a local node server,
# export the run with -r json, import it and check what a user would see:
# response bodies, a failed assertion, and a refused connection as status 0.
. "$srcdir/tests/tap.sh"

command -v node >/dev/null 2>&1 || skip_all "node not installed"
command -v npx >/dev/null 2>&1 || skip_all "npx not installed"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 not installed"
W=$TMPDIR_T
NPX_LOG=$W/npx.log
# the first run downloads newman; bound it when timeout(1) exists
T=
command -v timeout >/dev/null 2>&1 && T="timeout 300"
$T npx --yes newman@6 --version >"$NPX_LOG" 2>&1 || skip_all "npx newman@6 not available (offline?)"

SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
	rm -rf "$TMPDIR_T"
}
trap cleanup EXIT

# A tiny JSON server on a free port; it writes the port when listening.
cat >"$W/server.js" <<'EOF'
const http = require('http');
const fs = require('fs');
const srv = http.createServer((req, res) => {
  const send = (code, obj, extra) => {
    res.writeHead(code, Object.assign({ 'content-type': 'application/json' }, extra || {}));
    res.end(JSON.stringify(obj));
  };
  if (req.url.startsWith('/hello')) return send(200, { hello: 'world', q: req.url }, { 'x-request-id': 'req_live_1' });
  if (req.url.startsWith('/quota')) return send(429, { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } });
  return send(404, { error: 'not found' });
});
srv.listen(0, '127.0.0.1', () => fs.writeFileSync(process.argv[2], String(srv.address().port)));
setTimeout(() => process.exit(0), 120000);
EOF
# A port nothing listens on: bind, read it, close.
DEAD=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{const p=s.address().port;s.close(()=>console.log(p));});")
node "$W/server.js" "$W/port" &
SERVER_PID=$!
i=0
while [ ! -s "$W/port" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$W/port" ] || skip_all "the node test server did not start"
PORT=$(cat "$W/port")

cat >"$W/env.json" <<EOF
{"name": "live", "values": [
  {"key": "base", "value": "http://127.0.0.1:$PORT", "enabled": true},
  {"key": "dead", "value": "http://127.0.0.1:$DEAD", "enabled": true}]}
EOF
cat >"$W/collection.json" <<'EOF'
{
  "info": {"name": "live", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
  "item": [
    {"name": "hello", "request": {"method": "GET", "url": "{{base}}/hello?x=1"},
     "event": [{"listen": "test", "script": {"exec": ["pm.test('Status code is 200', function () { pm.response.to.have.status(200); });"]}}]},
    {"name": "quota", "request": {"method": "POST", "header": [{"key": "Content-Type", "value": "application/json"}],
       "body": {"mode": "raw", "raw": "{\"model\":\"gpt-4o\"}"}, "url": "{{base}}/quota"},
     "event": [{"listen": "test", "script": {"exec": ["pm.test('Status code is 200', function () { pm.response.to.have.status(200); });"]}}]},
    {"name": "refused", "request": {"method": "GET", "url": "{{dead}}/nothing"}}
  ]
}
EOF
$T npx --yes newman@6 run "$W/collection.json" -e "$W/env.json" --timeout-request 10000 \
	-r json --reporter-json-export "$W/run.json" >"$W/newman.out" 2>&1
[ -s "$W/run.json" ]
ok $? "newman wrote a JSON report"

DB=$W/live.db
"$HARTRIAGE" import --db "$DB" "$W/run.json" >"$W/import.out" 2>&1
ok $? "import of the newman report succeeds"
q() { sqlite3 -separator '|' "$DB" "$1"; }
is "$(q "SELECT format || ' ' || status || ' ' || exchanges FROM sources")" "newman ok 3" \
	"source: newman, ok, three exchanges"
is "$(q "SELECT method || ' ' || status || ' ' || url FROM exchanges WHERE name = 'hello'")" \
	"GET 200 http://127.0.0.1:$PORT/hello?x=1" "hello: method, status, url"
is "$(q "SELECT CAST(resp_body AS TEXT) FROM exchanges WHERE name = 'hello'")" \
	'{"hello":"world","q":"/hello?x=1"}' "hello: response body decoded from the Buffer"
is "$(q "SELECT status || ' ' || (CAST(resp_body AS TEXT) LIKE '%insufficient_quota%') FROM exchanges WHERE name = 'quota'")" \
	"429 1" "quota: status and body"
is "$(q "SELECT CAST(req_body AS TEXT) FROM exchanges WHERE name = 'quota'")" \
	'{"model":"gpt-4o"}' "quota: request body"
is "$(q "SELECT t.line FROM transcript t JOIN exchanges e ON e.id = t.exchange_id WHERE e.name = 'quota'")" \
	"assertion failed: Status code is 200: expected response to have status code 200 but got 429" \
	"quota: failed assertion in the transcript"
is "$(q "SELECT count(*) FROM transcript t JOIN exchanges e ON e.id = t.exchange_id WHERE e.name = 'hello'")" \
	"0" "hello: a passed assertion leaves no transcript line"
is "$(q "SELECT status || ' ' || error FROM exchanges WHERE name = 'refused'")" \
	"0 ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:$DEAD" "refused: status 0 with ECONNREFUSED"

"$HARTRIAGE" analyze --format json "$W/run.json" >"$W/analyze.json" 2>"$W/analyze.err"
grep -q '"rule": *"node.transport-error"' "$W/analyze.json"
ok $? "analyze: node.transport-error fires on the refused request"
grep -q '"rule": *"openai.insufficient-quota"' "$W/analyze.json"
ok $? "analyze: openai.insufficient-quota fires on the 429 body"

done_testing
