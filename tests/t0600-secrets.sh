#!/bin/sh
# Canary secrets planted in captures of every format never reach a report
# (Markdown or JSON), nor the database unless --keep-secrets was given.
. "$srcdir/tests/tap.sh"

T="$TMPDIR_T/ticket"
mkdir -p "$T"
# Distinct canaries, one per place.
C_AUTH=sk-proj-CANARYauthQ7w8e9r0t1y2u3i4o5p6
C_PROXY=CANARYproxyZx8Cv7Bn6Mm5Ll4Kk3
C_COOKIE=CANARYcookieAa1Ss2Dd3Ff4Gg5Hh6
C_SETCOOKIE=CANARYsetckJj7Kk8Ll9Qq0Ww1Ee2
C_APIKEY=CANARYapikeyRr3Tt4Yy5Uu6Ii7Oo8
C_QUERY=CANARYqueryPp9Oo8Ii7Uu6Yy5Tt4
C_PASS=CANARYpasswdMm1Nn2Bb3Vv4Cc5Xx6
C_CURL=sk-ant-api03-CANARYcurlvQw3Er4Ty5Ui6Op7As8
C_TEXT=ghp_CANARYtextA1b2C3d4E5f6G7h8I9j0K1l2

cat > "$T/a.har" <<EOF2
{"log":{"version":"1.2","creator":{"name":"Firefox","version":"120"},"entries":[
{"startedDateTime":"2026-03-16T09:41:18.302Z","time":10,
 "request":{"method":"POST","url":"https://api.example.com/v1/login?access_token=$C_QUERY&x=1","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Authorization","value":"Bearer $C_AUTH"},
             {"name":"Proxy-Authorization","value":"Basic $C_PROXY"},
             {"name":"Cookie","value":"session=$C_COOKIE; theme=dark"},
             {"name":"X-Api-Key","value":"$C_APIKEY"},
             {"name":"Content-Type","value":"application/json"}],
  "queryString":[],"cookies":[],"headersSize":-1,"bodySize":40,
  "postData":{"mimeType":"application/json","text":"{\"user\":\"a\",\"password\":\"$C_PASS\"}"}},
 "response":{"status":401,"statusText":"Unauthorized","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Set-Cookie","value":"sid=$C_SETCOOKIE; Path=/; HttpOnly"},
             {"name":"Content-Type","value":"application/json"},
             {"name":"x-request-id","value":"req_keepme123"}],
  "cookies":[],"content":{"size":25,"mimeType":"application/json","text":"{\"error\":\"invalid_token\"}"},
  "redirectURL":"","headersSize":-1,"bodySize":25},
 "cache":{},"timings":{"send":1,"wait":8,"receive":1}}]}}
EOF2
printf '%s\n' "*   Trying 203.0.113.5:443..." "* Connected to api.anthropic.com (203.0.113.5) port 443 (#0)" \
	"> POST /v1/messages HTTP/2" "> Host: api.anthropic.com" "> x-api-key: $C_CURL" \
	"> content-type: application/json" ">" "< HTTP/2 529" "< content-type: application/json" \
	"< request-id: req_011CANARYnotsecret" "<" \
	'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' > "$T/b-curl-v.txt"
cat > "$T/c-ticket.txt" <<EOF2
Hello, our GitHub integration fails. We call the API like this:

GET https://api.github.com/user
Authorization: token $C_TEXT
Accept: application/vnd.github+json

and it returns 401 Bad credentials. Please help.
EOF2

"$HARTRIAGE" analyze -q --db "$TMPDIR_T/plain.db" "$T" > "$TMPDIR_T/out.md" 2>"$TMPDIR_T/err1"
"$HARTRIAGE" analyze -q --format json "$T" > "$TMPDIR_T/out.json" 2>"$TMPDIR_T/err2"
"$HARTRIAGE" analyze -q --keep-secrets --db "$TMPDIR_T/keep.db" --format json "$T" > "$TMPDIR_T/keep.json" 2>"$TMPDIR_T/err3"
"$HARTRIAGE" report --db "$TMPDIR_T/keep.db" > "$TMPDIR_T/keep.md" 2>"$TMPDIR_T/err4"

dump() { sqlite3 "$1" .dump 2>/dev/null || strings "$1"; }
dump "$TMPDIR_T/plain.db" > "$TMPDIR_T/plain.sql"
dump "$TMPDIR_T/keep.db" > "$TMPDIR_T/keep.sql"

for c in $C_AUTH $C_PROXY $C_COOKIE $C_SETCOOKIE $C_APIKEY $C_QUERY $C_PASS $C_CURL $C_TEXT; do
	# the whole canary and every 10-character piece of it
	leaked=
	len=${#c}
	i=1
	while [ $((i + 9)) -le "$len" ]; do
		piece=$(printf '%s' "$c" | cut -c"$i-$((i + 9))")
		case "$piece" in CANARY*) ;; *)
			for f in out.md out.json keep.json keep.md err1 err2 err3 err4 plain.sql; do
				grep -qF -e "$piece" "$TMPDIR_T/$f" && leaked="$leaked $f"
			done ;;
		esac
		i=$((i + 1))
	done
	is "${leaked:-none}" none "canary ${c%??????????????} never reaches a report or the database"
done
grep -qF "$C_AUTH" "$TMPDIR_T/keep.sql"
ok $? "--keep-secrets keeps the raw value in the database"
if [ -f "$TMPDIR_T/keep.db" ]; then
	mode=$(stat -c %a "$TMPDIR_T/keep.db")
	is "$mode" 600 "--keep-secrets database is mode 0600"
fi
grep -q 'req_keepme123' "$TMPDIR_T/plain.sql"
ok $? "request ids are not redacted"
grep -q 'Redaction receipt' "$TMPDIR_T/out.md" && grep -q '| authorization |' "$TMPDIR_T/out.md"
ok $? "the report ends with a redaction receipt"
done_testing
