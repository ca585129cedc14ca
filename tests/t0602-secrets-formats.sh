#!/bin/sh
# Distinct canary secrets planted in every place a credential travels, in
# every input format (HAR, curl -i with its command line, curl -v,
# --trace-ascii, pasted prose, Postman collection + environment, newman
# report, Insomnia export, and the same inside a .zip): none of them, nor
# any 10-character piece of one, may reach a Markdown or JSON report,
# stderr, or the database (unless --keep-secrets, which keeps them in the
# database only).  What helps diagnosis stays: request ids,
# WWW-Authenticate errors, JWT expiry judged at capture time.
. "$srcdir/tests/tap.sh"

command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"

TK="$TMPDIR_T/tickets"
CAN="$TMPDIR_T/canaries"
mkdir -p "$TK"
: > "$CAN"

# cv LABEL [PREFIX] [upper]: print a distinct canary and record it.
cv() {
	h=$(printf '%s' "$1" | sha256sum | cut -c1-24)
	if [ "${3:-}" = upper ]; then
		h=$(printf '%s' "$h" | tr a-f A-F | cut -c1-16)
	fi
	printf '%s %s\n' "$1" "${2:-}$h" >> "$CAN"
	printf '%s' "${2:-}$h"
}
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }
b64url() { printf '%s' "$1" | base64 | tr -d '\n=' | tr '+/' '-_'; }
# jwt LABEL EXP: a JWT whose every part is unique to LABEL, recorded whole.
jwt() {
	h=$(b64url "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"$1\"}")
	p=$(b64url "{\"iss\":\"https://login.example.com/\",\"aud\":\"api://canary\",\"sub\":\"user-$1\",\"email\":\"$1@example.com\",\"exp\":$2,\"iat\":$(($2 - 3600)),\"scope\":\"read write\"}")
	s=$(printf '%s' "$1-sig" | sha256sum | cut -c1-43)
	printf '%s %s\n' "$1" "$h.$p.$s" >> "$CAN"
	printf '%s' "$h.$p.$s"
}
# Basic credentials: the password and the base64 of user:password are both
# canaries (the user name differs per label, so no two share a piece).
basic() {
	pw=$(cv "$1-pw")
	v=$(b64 "u$(printf '%s' "$1" | sha256sum | cut -c1-9):$pw")
	printf '%s %s\n' "$1-b64" "$v" >> "$CAN"
	printf '%s' "$v"
}

CAPTURE=2026-03-16T09:41:18Z
EXP_PAST=1773651600   # 2026-03-16T09:00:00Z, before the capture
EXP_FUTURE=1805187600 # 2027-03-16T09:00:00Z

# gen_har FILE TAG: HAR with every header, query, form, JSON, base64-body,
# cookie-array, URL-credential and free-text place.
gen_har() {
	t=$2
	q="access_token=$(cv $t-q-access_token)&id_token=$(cv $t-q-id_token)&refresh_token=$(cv $t-q-refresh_token)&code=$(cv $t-q-code)&client_secret=$(cv $t-q-client_secret)&api_key=$(cv $t-q-api_key)&key=$(cv $t-q-key)&sig=$(cv $t-q-sig)&signature=$(cv $t-q-signature)&password=$(cv $t-q-password)&SAMLResponse=$(cv $t-q-SAMLResponse)&X-Amz-Signature=$(cv $t-q-X-Amz-Signature)&page=2"
	qs=$(printf '%s' "$q" | tr '&' '\n' | sed 's/^\([^=]*\)=\(.*\)$/{"name":"\1","value":"\2"},/' | tr -d '\n')
	qs="${qs%,}"
	fcs=$(cv $t-f-client_secret)
	fpw=$(cv $t-f-password)
	frt=$(cv $t-f-refresh_token)
	fcode=$(cv $t-f-code)
	form="grant_type=authorization_code&client_id=app1&client_secret=$fcs&password=$fpw&refresh_token=$frt&code=$fcode&access_token=$(cv $t-f-access_token)&id_token=$(cv $t-f-id_token)&api_key=$(cv $t-f-api_key)&key=$(cv $t-f-key)&sig=$(cv $t-f-sig)&signature=$(cv $t-f-signature)&SAMLResponse=$(cv $t-f-SAMLResponse)&X-Amz-Signature=$(cv $t-f-X-Amz-Signature)"
	body=$(printf '{"error":{"code":"invalid_grant","type":"auth_error"},"code":"%s","key":"%s","sig":"%s","signature":"%s","SAMLResponse":"%s","X-Amz-Signature":"%s","access_token":"%s","refresh_token":"%s","id_token":"%s","client_secret":"%s","api_key":"%s","password":"%s","note":"debug keys %s %s %s %s %s"}' \
		"$(cv $t-rb-code)" "$(cv $t-rb-key)" "$(cv $t-rb-sig)" "$(cv $t-rb-signature)" "$(cv $t-rb-SAMLResponse)" "$(cv $t-rb-X-Amz-Signature)" \
		"$(cv $t-rb-access_token)" "$(cv $t-rb-refresh_token)" "$(jwt $t-rb-jwt $EXP_FUTURE)" \
		"$(cv $t-rb-client_secret)" "$(cv $t-rb-api_key)" "$(cv $t-rb-password)" \
		"$(cv $t-rb-sk sk-proj-)" "$(cv $t-rb-skant sk-ant-api03-)" "$(cv $t-rb-ghp ghp_)" \
		"$(cv $t-rb-xoxb xoxb-)" "$(cv $t-rb-akia AKIA upper)")
	cat > "$1" <<EOF
{"log":{"version":"1.2","creator":{"name":"Firefox","version":"124.0"},"entries":[
{"startedDateTime":"2026-03-16T09:41:18.302Z","time":10,"comment":"login $(cv $t-comment-sk sk-)",
 "request":{"method":"POST","url":"https://$t:$(cv $t-urlpass)@api.example.com/oauth/token?$q","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Authorization","value":"Bearer $(cv $t-h-bearer)"},
             {"name":"Proxy-Authorization","value":"Basic $(basic $t-h-proxy)"},
             {"name":"Cookie","value":"session=$(cv $t-h-cookie1); theme=dark; csrf=$(cv $t-h-cookie2)"},
             {"name":"x-api-key","value":"$(cv $t-h-x-api-key)"},
             {"name":"api-key","value":"$(cv $t-h-api-key)"},
             {"name":"Ocp-Apim-Subscription-Key","value":"$(cv $t-h-ocp)"},
             {"name":"X-Auth-Token","value":"$(cv $t-h-x-auth-token)"},
             {"name":"X-Client-Secret","value":"$(cv $t-h-x-client-secret)"},
             {"name":"X-Request-Id","value":"req-$t-keep-0001"},
             {"name":"Content-Type","value":"application/x-www-form-urlencoded"}],
  "queryString":[$qs],
  "cookies":[{"name":"session","value":"$(cv $t-rc-cookie)"}],"headersSize":-1,"bodySize":${#form},
  "postData":{"mimeType":"application/x-www-form-urlencoded","text":"$form",
   "params":[{"name":"grant_type","value":"authorization_code"},{"name":"client_secret","value":"$fcs"},{"name":"password","value":"$fpw"},{"name":"refresh_token","value":"$frt"},{"name":"code","value":"$fcode"}]}},
 "response":{"status":401,"statusText":"Unauthorized","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Set-Cookie","value":"sid=$(cv $t-h-setcookie1); Path=/; HttpOnly"},
             {"name":"Set-Cookie","value":"refresh=$(cv $t-h-setcookie2); Path=/; Secure; Expires=Wed, 16 Mar 2027 09:41:18 GMT"},
             {"name":"WWW-Authenticate","value":"Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The access token expired\""},
             {"name":"x-request-id","value":"req-$t-keep-0002"},
             {"name":"cf-ray","value":"8a1b2c3d4e5f6789-FRA"},
             {"name":"Content-Type","value":"application/json"}],
  "cookies":[{"name":"sid","value":"$(cv $t-resp-cookie)","path":"/","httpOnly":true}],
  "content":{"size":${#body},"mimeType":"application/json","encoding":"base64","text":"$(b64 "$body")"},
  "redirectURL":"","headersSize":-1,"bodySize":${#body}},
 "cache":{},"timings":{"send":1,"wait":8,"receive":1}},
{"startedDateTime":"2026-03-16T09:41:19.000Z","time":5,
 "request":{"method":"GET","url":"https://api.example.com/v1/me","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Authorization","value":"Bearer $(jwt $t-h-jwt $EXP_PAST)"},
             {"name":"Proxy-Authorization","value":"Digest username=\"bob\", realm=\"proxy\", nonce=\"dcd98b7102dd2f0e\", uri=\"/v1/me\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"$(cv $t-h-digest-response)\""},
             {"name":"Content-Type","value":"application/json"}],
  "queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},
 "response":{"status":401,"statusText":"Unauthorized","httpVersion":"HTTP/1.1",
  "headers":[{"name":"WWW-Authenticate","value":"Bearer error=\"invalid_token\", error_description=\"The access token expired\""},
             {"name":"x-request-id","value":"req-$t-keep-0003"}],
  "cookies":[],"content":{"size":0,"mimeType":"text/plain","text":""},
  "redirectURL":"","headersSize":-1,"bodySize":0},
 "cache":{},"timings":{"send":1,"wait":3,"receive":1}},
{"startedDateTime":"2026-03-16T09:41:20.000Z","time":5,
 "request":{"method":"POST","url":"https://api.example.com/v1/login","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Authorization","value":"AWS4-HMAC-SHA256 Credential=$(cv $t-h-aws4-keyid AKIA upper)/20260316/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=$(cv $t-h-aws4-sig)"},
             {"name":"X-Amz-Security-Token","value":"$(cv $t-h-amz-token)"},{"name":"Content-Type","value":"application/json"}],
  "queryString":[],"cookies":[],"headersSize":-1,"bodySize":60,
  "postData":{"mimeType":"application/json","text":"{\"username\":\"bob\",\"password\":\"$(cv $t-jb-password)\",\"client_secret\":\"$(cv $t-jb-client_secret)\",\"apiKey\":\"$(cv $t-jb-apiKey)\"}"}},
 "response":{"status":0,"statusText":"","httpVersion":"","headers":[],"cookies":[],
  "content":{"size":0,"mimeType":""},"redirectURL":"","headersSize":-1,"bodySize":-1,
  "_error":"net::ERR_CONNECTION_RESET while sending token=$(cv $t-err-token) xoxb-$(cv $t-err-xoxb)"},
 "cache":{},"timings":{"send":0,"wait":0,"receive":0}}]}}
EOF
}

# gen_curl_v FILE TAG
gen_curl_v() {
	t=$2
	{
		echo "* Uses proxy env variable https_proxy == 'http://$t:$(cv $t-proxyurlpass)@proxy.example.com:3128'"
		echo "*   Trying 203.0.113.5:443..."
		echo "* Connected to api.example.com (203.0.113.5) port 443 (#0)"
		echo "* Server auth using Basic with user '$t'"
		echo "* [HTTP/2] [1] OPENED stream for https://api.example.com/v1/token?access_token=$(cv $t-tr-q-access_token)"
		echo "* [HTTP/2] [1] [:path: /v1/token?client_secret=$(cv $t-tr-q-client_secret)]"
		echo "* [HTTP/2] [1] [authorization: Bearer $(cv $t-tr-bearer)]"
		echo "* [HTTP/2] [1] [cookie: sid=$(cv $t-tr-cookie)]"
		echo "* [HTTP/2] [1] [x-api-key: $(cv $t-tr-x-api-key)]"
		echo "* [HTTP/2] [1] [proxy-authorization: Basic $(basic $t-tr-proxy)]"
		echo "* note: token $(cv $t-tr-skant sk-ant-api03-) and $(jwt $t-tr-jwt $EXP_FUTURE)"
		echo "> POST /v1/token?access_token=$(cv $t-q-access_token)&sig=$(cv $t-q-sig) HTTP/1.1"
		echo "> Host: api.example.com"
		echo "> Authorization: Basic $(basic $t-h-basic)"
		echo "> Proxy-Authorization: Bearer $(cv $t-h-proxy)"
		echo "> Cookie: a=$(cv $t-h-cookie1); b=$(cv $t-h-cookie2)"
		echo "> ocp-apim-subscription-key: $(cv $t-h-ocp)"
		echo "> x-goog-api-key: $(cv $t-h-goog)"
		echo "> X-Vault-Token: $(cv $t-h-vault)"
		echo "> Content-Type: application/x-www-form-urlencoded"
		echo ">"
		echo "< HTTP/1.1 401 Unauthorized"
		echo "< Set-Cookie: sid=$(cv $t-h-setcookie); Path=/; HttpOnly"
		echo "< WWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"The access token expired\""
		echo "< x-ms-request-id: req-$t-keep-0001"
		echo "< Content-Type: application/json"
		echo "<"
		echo "{\"error\":\"invalid_token\",\"refresh_token\":\"$(cv $t-rb-refresh_token)\",\"id_token\":\"$(jwt $t-rb-jwt $EXP_PAST)\"}"
		echo "* Connection #0 to host api.example.com left intact"
	} > "$1"
}

# gen_curl_i FILE TAG: curl -i output with the pasted command line.
gen_curl_i() {
	t=$2
	{
		echo "\$ curl -i -u $t:$(cv $t-cmd-userpass) -H 'Authorization: Bearer $(cv $t-cmd-bearer)' -H \"x-api-key: $(cv $t-cmd-x-api-key)\" -H 'Cookie: sid=$(cv $t-cmd-cookie)' 'https://api.example.com/v1/items?api_key=$(cv $t-cmd-q-api_key)&signature=$(cv $t-cmd-q-signature)' --data 'client_secret=$(cv $t-cmd-f-client_secret)&password=$(cv $t-cmd-f-password)'"
		echo "HTTP/1.1 401 Unauthorized"
		echo "Date: Mon, 16 Mar 2026 09:41:18 GMT"
		echo "Set-Cookie: sid=$(cv $t-h-setcookie); Path=/; HttpOnly"
		echo "WWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"The access token expired\""
		echo "X-Request-Id: req-$t-keep-0001"
		echo "X-Api-Key: $(cv $t-h-echo-x-api-key)"
		echo "Content-Type: application/json"
		echo ""
		echo "{\"error\":\"invalid_token\",\"refresh_token\":\"$(cv $t-rb-refresh_token)\",\"hint\":\"$(cv $t-rb-xoxb xoxb-)\"}"
	} | sed 's/$/\r/' > "$1"
}

# gen_trace FILE TAG: --trace-ascii; the request body wraps at 64 bytes
# through the middle of a canary.
gen_trace() {
	t=$2
	auth="Authorization: Bearer $(cv $t-h-bearer)"
	xst="x-amz-security-token: $(cv $t-h-amz-token)"
	data="{\"username\":\"bob\",\"comment\":\"aa\",\"password\":\"$(cv $t-rq-password)\"}"
	resp="{\"message\":\"denied\",\"session_token\":\"$(cv $t-rb-session_token)\"}"
	{
		echo "== Info:   Trying 203.0.113.7:443..."
		echo "== Info: Connected to api.example.com (203.0.113.7) port 443 (#0)"
		echo "=> Send header, 200 bytes (0xc8)"
		echo "0000: POST /v2/login?id_token=$(cv $t-q-id_token) HTTP/1.1"
		echo "0040: Host: api.example.com"
		echo "0057: $auth"
		echo "0090: $xst"
		echo "00b0: Content-Type: application/json"
		echo "00c6: "
		echo "=> Send data, ${#data} bytes"
		printf '%s' "$data" | fold -b -w 64 | awk '{ printf "%04x: %s\n", (NR - 1) * 64, $0 }'
		echo "== Info: upload completely sent off: ${#data} bytes"
		echo "<= Recv header, 24 bytes (0x18)"
		echo "0000: HTTP/1.1 403 Forbidden"
		echo "<= Recv header, 60 bytes (0x3c)"
		echo "0000: Set-Cookie: AWSALB=$(cv $t-h-setcookie); Path=/"
		echo "<= Recv header, 40 bytes (0x28)"
		echo "0000: x-amzn-RequestId: req-$t-keep-0001"
		echo "<= Recv header, 32 bytes (0x20)"
		echo "0000: Content-Type: application/json"
		echo "<= Recv header, 2 bytes (0x2)"
		echo "0000: "
		echo "<= Recv data, ${#resp} bytes"
		printf '%s' "$resp" | fold -b -w 64 | awk '{ printf "%04x: %s\n", (NR - 1) * 64, $0 }'
		echo "== Info: Connection #0 to host api.example.com left intact"
	} > "$1"
}

# gen_text FILE TAG: pasted prose with tokens and an HTTP exchange.
gen_text() {
	t=$2
	cat > "$1" <<EOF
Hello support,

since this morning our integration fails. Our OpenAI key is $(cv $t-sk sk-proj-)
and the Anthropic one $(cv $t-skant sk-ant-api03-); the GitHub token is $(cv $t-ghp ghp_),
Slack bot $(cv $t-xoxb xoxb-), AWS access key $(cv $t-akia AKIA upper) with
aws_secret_access_key = $(cv $t-awssecret)
and the session JWT $(jwt $t-jwt $EXP_PAST).
We also tried: curl -u $t:$(cv $t-userpass) https://$t:$(cv $t-urlpass)@api.example.com/v1/x
password: $(cv $t-password)
api_key=$(cv $t-api_key)

Calling GET https://api.example.com/v1/reports?api_key=$(cv $t-prose-q-api_key) with
X-Api-Key: $(cv $t-prose-x-api-key) returns 403 Forbidden.

POST /oauth/token HTTP/1.1
Host: login.example.com
Authorization: Basic $(basic $t-basic)
Content-Type: application/x-www-form-urlencoded

grant_type=refresh_token&refresh_token=$(cv $t-f-refresh_token)&client_secret=$(cv $t-f-client_secret)

HTTP/1.1 400 Bad Request
Content-Type: application/json
Set-Cookie: sid=$(cv $t-setcookie); Path=/
x-request-id: req-$t-keep-0001

{"error":"invalid_grant","access_token":"$(cv $t-rb-access_token)"}

Thanks, Bob
EOF
}

# gen_postman DIR TAG: collection v2.1 with bearer/basic/apikey auth,
# headers, urlencoded body, saved examples with Set-Cookie, plus the
# environment holding {{token}}.
gen_postman() {
	t=$2
	cat > "$1/$t.postman_environment.json" <<EOF
{"id":"4d1c","name":"prod","values":[
 {"key":"baseUrl","value":"https://api.example.com","type":"default","enabled":true},
 {"key":"token","value":"$(cv $t-env-token)","type":"secret","enabled":true}],
 "_postman_variable_scope":"environment","_postman_exported_using":"Postman/11.2.0"}
EOF
	cat > "$1/$t.postman_collection.json" <<EOF
{"info":{"_postman_id":"0b4e","name":"Canary API","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
 "auth":{"type":"bearer","bearer":[{"key":"token","value":"{{token}}","type":"string"}]},
 "variable":[{"key":"collSecret","value":"$(cv $t-collvar)"}],
 "item":[
  {"name":"Me (inherits bearer)","request":{"method":"GET","header":[],"url":{"raw":"{{baseUrl}}/v1/me","host":["{{baseUrl}}"],"path":["v1","me"]}},
   "response":[{"name":"expired","originalRequest":{"method":"GET","header":[],"url":{"raw":"{{baseUrl}}/v1/me"}},
     "status":"Unauthorized","code":401,
     "header":[{"key":"WWW-Authenticate","value":"Bearer error=\"invalid_token\", error_description=\"The access token expired\""},
               {"key":"x-request-id","value":"req-$t-keep-0001"},
               {"key":"Set-Cookie","value":"sid=$(cv $t-ex-setcookie); Path=/; HttpOnly"}],
     "cookie":[{"key":"sid","value":"$(cv $t-ex-cookiearr)"}],
     "body":"{\"error\":\"invalid_token\",\"refresh_token\":\"$(cv $t-ex-refresh_token)\"}"}]},
  {"name":"Login (basic)","request":{"method":"POST",
    "auth":{"type":"basic","basic":[{"key":"username","value":"$t"},{"key":"password","value":"$(cv $t-basic-pw)"}]},
    "header":[{"key":"Cookie","value":"sid=$(cv $t-h-cookie)"},{"key":"X-Api-Key","value":"$(cv $t-h-x-api-key)"},{"key":"X-Client-Secret","value":"{{collSecret}}"}],
    "body":{"mode":"urlencoded","urlencoded":[{"key":"grant_type","value":"password"},{"key":"client_secret","value":"$(cv $t-f-client_secret)"},{"key":"password","value":"$(cv $t-f-password)"}]},
    "url":{"raw":"{{baseUrl}}/oauth/token?api_key=$(cv $t-q-api_key)&x=1","host":["{{baseUrl}}"],"path":["oauth","token"],
      "query":[{"key":"api_key","value":"$(cv $t-q-api_key2)"},{"key":"x","value":"1"}]}},
   "response":[]},
  {"name":"Items (apikey)","request":{"method":"GET",
    "auth":{"type":"apikey","apikey":[{"key":"key","value":"ocp-apim-subscription-key"},{"key":"value","value":"$(cv $t-apikey-value)"},{"key":"in","value":"header"}]},
    "header":[{"key":"X-Service-Token","value":"$(cv $t-h-service-token)"}],
    "body":{"mode":"raw","raw":"{\"password\":\"$(cv $t-raw-password)\",\"access_token\":\"$(cv $t-raw-access_token)\"}","options":{"raw":{"language":"json"}}},
    "url":"{{baseUrl}}/v1/items?access_token=$(cv $t-q-access_token)"},
   "response":[]}]}
EOF
}

# gen_newman FILE TAG: newman JSON run report.
gen_newman() {
	t=$2
	rbody="{\"access_token\":\"$(cv $t-rb-access_token)\",\"note\":\"$(cv $t-rb-ghp ghp_)\"}"
	bytes=$(printf '%s' "$rbody" | od -An -v -tu1 | tr -s ' \n' ',,' | sed 's/^,//; s/,$//')
	cat > "$1" <<EOF
{"collection":{"info":{"name":"Canary run","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
  "auth":{"type":"bearer","bearer":[{"key":"token","value":"$(cv $t-coll-bearer)"}]},
  "item":[{"id":"i1","name":"login","request":{"url":{"host":["api","example","com"],"path":["login"]},"method":"POST"},"response":[]}]},
 "environment":{"id":"e1","name":"prod","values":[{"key":"token","value":"$(cv $t-env-token)","type":"secret","enabled":true}]},
 "globals":{"id":"g1","values":[{"key":"gsecret","value":"$(cv $t-glob-secret)","enabled":true}]},
 "run":{"stats":{"requests":{"total":1,"pending":0,"failed":0}},
  "timings":{"started":1773654078302,"completed":1773654078802},
  "executions":[{"cursor":{"position":0,"iteration":0,"httpRequestId":"h1"},
   "item":{"id":"i1","name":"login"},
   "request":{"url":{"protocol":"https","host":["api","example","com"],"path":["login"],
      "query":[{"key":"access_token","value":"$(cv $t-q-access_token)"},{"key":"page","value":"2"}]},
    "header":[{"key":"Authorization","value":"Bearer $(cv $t-h-bearer)"},
              {"key":"x-api-key","value":"$(cv $t-h-x-api-key)"},
              {"key":"Cookie","value":"sid=$(cv $t-h-cookie)"},
              {"key":"Postman-Token","value":"7b7b2d7e-3f0c-4b5e-9c39-5d8f3f5f0a11","system":true}],
    "method":"POST",
    "body":{"mode":"urlencoded","urlencoded":[{"key":"client_secret","value":"$(cv $t-f-client_secret)"},{"key":"password","value":"$(cv $t-f-password)"}]}},
   "response":{"id":"r1","status":"Unauthorized","code":401,
    "header":[{"key":"Set-Cookie","value":"sid=$(cv $t-h-setcookie); Path=/; HttpOnly"},
              {"key":"request-id","value":"req-$t-keep-0001"},
              {"key":"WWW-Authenticate","value":"Bearer error=\"invalid_token\""},
              {"key":"Content-Type","value":"application/json"}],
    "stream":{"type":"Buffer","data":[$bytes]},
    "cookie":[{"name":"sid","value":"$(cv $t-resp-cookie)","path":"/"}],
    "responseTime":12,"responseSize":${#rbody}},
   "assertions":[{"assertion":"Status code is 200","error":{"name":"AssertionError","message":"expected response to have status code 200 but got 401 for token $(cv $t-assert-ghp ghp_)"}}]}],
  "failures":[],"error":null}}
EOF
}

# gen_insomnia FILE TAG: Insomnia v4 export.
gen_insomnia() {
	t=$2
	cat > "$1" <<EOF
{"_type":"export","__export_format":4,"__export_date":"2026-03-16T09:41:18.302Z","__export_source":"insomnia.desktop.app:v2023.5.8",
 "resources":[
  {"_id":"wrk_1","_type":"workspace","parentId":null,"name":"Canary"},
  {"_id":"env_1","_type":"environment","parentId":"wrk_1","name":"Base","data":{"base":"https://api.example.com","token":"$(cv $t-env-token)"}},
  {"_id":"jar_1","_type":"cookie_jar","parentId":"wrk_1","name":"Default Jar","cookies":[{"key":"sid","value":"$(cv $t-jar-cookie)","domain":"api.example.com","path":"/"}]},
  {"_id":"req_1","_type":"request","parentId":"wrk_1","name":"me","method":"GET","url":"{{ _.base }}/v1/me",
   "parameters":[{"name":"access_token","value":"$(cv $t-q-access_token)"},{"name":"code","value":"$(cv $t-q-code)"}],
   "headers":[{"name":"x-api-key","value":"$(cv $t-h-x-api-key)"},{"name":"Cookie","value":"sid=$(cv $t-h-cookie)"}],
   "authentication":{"type":"bearer","token":"$(cv $t-auth-bearer)"},"body":{}},
  {"_id":"req_2","_type":"request","parentId":"wrk_1","name":"login","method":"POST","url":"https://api.example.com/oauth/token",
   "parameters":[],"headers":[{"name":"Content-Type","value":"application/x-www-form-urlencoded"}],
   "authentication":{"type":"basic","username":"$t","password":"$(cv $t-auth-basic-pw)"},
   "body":{"mimeType":"application/x-www-form-urlencoded","params":[{"name":"client_secret","value":"$(cv $t-f-client_secret)"},{"name":"refresh_token","value":"$(cv $t-f-refresh_token)"}]}},
  {"_id":"req_3","_type":"request","parentId":"wrk_1","name":"env token","method":"POST","url":"https://api.example.com/v1/items",
   "parameters":[],"headers":[{"name":"Authorization","value":"Bearer {{ _.token }}"},{"name":"Content-Type","value":"application/json"}],
   "authentication":{"type":"apikey","key":"api-key","value":"$(cv $t-auth-apikey)","addTo":"header"},
   "body":{"mimeType":"application/json","text":"{\"password\":\"$(cv $t-jb-password)\",\"api_key\":\"$(cv $t-jb-api_key)\"}"}}]}
EOF
}

mkdir -p "$TK/t-har" "$TK/t-curl" "$TK/t-text" "$TK/t-postman" "$TK/t-newman" "$TK/t-insomnia" "$TK/t-zip"
gen_har "$TK/t-har/capture.har" har
# A HAR cut in the middle of a secret, and one broken right after one:
# whatever the importers say about where the damage is must not quote it.
gen_har "$TMPDIR_T/cut.har" cut
v=$(grep '^cut-h-jwt ' "$CAN" | cut -d' ' -f2)
off=$(grep -b -o -F "$v" "$TMPDIR_T/cut.har" | head -1 | cut -d: -f1)
head -c $((off + 60)) "$TMPDIR_T/cut.har" > "$TK/t-har/truncated.har"
gen_har "$TMPDIR_T/bad.har" bad
v=$(grep '^bad-h-x-api-key ' "$CAN" | cut -d' ' -f2)
sed "s/\"$v\"}/\"$v\"} }/" "$TMPDIR_T/bad.har" > "$TK/t-har/broken.har"
gen_curl_i "$TK/t-curl/curl-i.txt" ci
gen_curl_v "$TK/t-curl/curl-v.txt" cv
gen_trace "$TK/t-curl/trace.txt" tr
gen_text "$TK/t-text/ticket.txt" tx
gen_postman "$TK/t-postman" pm
gen_newman "$TK/t-newman/newman-run.json" nm
gen_insomnia "$TK/t-insomnia/insomnia.json" in
Z="$TMPDIR_T/zipsrc"
mkdir -p "$Z"
gen_har "$Z/z.har" zhar
gen_curl_v "$Z/z-curl-v.txt" zcv
gen_text "$Z/z-ticket.txt" ztx
gen_newman "$Z/z-newman.json" znm
gen_insomnia "$Z/z-insomnia.json" zin
if command -v zip >/dev/null 2>&1; then
	(cd "$Z" && zip -q -r "$TK/t-zip/attachments.zip" .)
elif command -v bsdtar >/dev/null 2>&1; then
	(cd "$Z" && bsdtar -a -cf "$TK/t-zip/attachments.zip" .)
else
	rm -rf "$TK/t-zip"
	sed -i '/^z/d' "$CAN"
	diag "neither zip nor bsdtar: the .zip case is not covered"
fi
O="$TMPDIR_T/out"
mkdir -p "$O"

"$HARTRIAGE" analyze -q --db "$O/plain.db" -o "$O/report.md" "$TK" 2> "$O/err-md"
"$HARTRIAGE" analyze -q --format json -o "$O/report.json" "$TK" 2> "$O/err-json"
"$HARTRIAGE" analyze -q --per-ticket "$O/per-md" "$TK" 2> "$O/err-per-md"
"$HARTRIAGE" analyze -q --format json --per-ticket "$O/per-json" "$TK" 2> "$O/err-per-json"
"$HARTRIAGE" analyze -j 2 --db "$O/jobs.db" --per-ticket "$O/per-jobs" "$TK" 2> "$O/err-per-jobs"
"$HARTRIAGE" report --db "$O/jobs.db" -f json > "$O/jobs.json" 2> "$O/err-jobs-json"
"$HARTRIAGE" analyze -q --keep-secrets --db "$O/keep.db" -o "$O/keep.md" "$TK" 2> "$O/err-keep-md"
"$HARTRIAGE" report -f json --db "$O/keep.db" > "$O/keep.json" 2> "$O/err-keep-json"
"$HARTRIAGE" analyze -q --keep-secrets --per-ticket "$O/per-keep" "$TK" 2> "$O/err-per-keep"
sqlite3 "$O/plain.db" .dump > "$O/plain.sql"
sqlite3 "$O/jobs.db" .dump > "$O/jobs.sql"
sqlite3 "$O/keep.db" .dump > "$TMPDIR_T/keep.sql"

nfiles=$(find "$O" -type f | wc -l)
ok $([ -s "$O/report.md" ] && [ -s "$O/report.json" ] && [ "$(ls "$O/per-md" | wc -l)" -ge 8 ] &&
	[ "$(ls "$O/per-json" | wc -l)" -ge 8 ] && echo 0 || echo 1) "reports written ($nfiles files)"
for f in har curl text postman newman insomnia zip; do
	[ -d "$TK/t-$f" ] || continue
	n=$(sqlite3 "$O/plain.db" "SELECT COUNT(*) FROM exchanges x JOIN sources s ON s.id = x.source_id WHERE s.ticket = 't-$f'")
	ok $([ "$n" -ge 1 ] && echo 0 || echo 1) "ticket t-$f imported ($n exchanges)"
done

# Every file searched, with Markdown backslash escapes and HTML entities
# undone so an escaped secret is still found; a binary body is dumped as
# hex, so search that too.
ALL="$TMPDIR_T/all.txt"
find "$O" -type f ! -name '*.db' ! -name '*.db-*' | sort | while read -r f; do
	sed -e "s|^|${f#"$O"/}:|" -e 's/\\//g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' "$f"
done > "$ALL"
KEEP_REPORTS="$TMPDIR_T/keep-reports.txt"
grep -E '^(keep\.|per-keep/|err-)' "$ALL" > "$KEEP_REPORTS"

# Every 10-character piece of every canary, searched in one pass.  The
# public prefixes the redactor may keep ("sk-proj-", "sk-ant-", "ghp_",
# "AKIA", "xoxb-") are at most 8 characters, so no piece is made of one
# alone: none is skipped.  A binary body is dumped as hex: the hex of the
# first 20 bytes of each canary is searched in the dumps too.
hexof() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F; }
awk '{ for (i = 1; i + 9 <= length($2); i++) print $1 " " substr($2, i, 10) }' "$CAN" > "$TMPDIR_T/pieces"
cut -d' ' -f2 "$TMPDIR_T/pieces" | sort -u > "$TMPDIR_T/plist"
grep -F -o -f "$TMPDIR_T/plist" "$ALL" | sort -u > "$TMPDIR_T/phits" || :
: > "$TMPDIR_T/hexlist"
while read -r label value; do
	printf '%s %s\n' "$label" "$(hexof "$value" | cut -c1-40)" >> "$TMPDIR_T/hexlist"
done < "$CAN"
cut -d' ' -f2 "$TMPDIR_T/hexlist" | sort -u > "$TMPDIR_T/hlist"
cat "$O/plain.sql" "$O/jobs.sql" | tr a-f A-F | grep -F -o -f "$TMPDIR_T/hlist" | sort -u > "$TMPDIR_T/hhits" || :
leaks=
nleak=0
total=$(wc -l < "$CAN")
for label in $(awk -v H="$TMPDIR_T/phits" -v X="$TMPDIR_T/hhits" -v HL="$TMPDIR_T/hexlist" '
	BEGIN {
		while ((getline l < H) > 0) hit[l] = 1
		while ((getline l < X) > 0) hhit[l] = 1
		while ((getline l < HL) > 0) { split(l, a, " "); if (a[2] in hhit) bad[a[1]] = 1 }
	}
	{ if ($2 in hit) bad[$1] = 1 }
	END { for (k in bad) print k }' "$TMPDIR_T/pieces" | sort); do
	v=$(grep "^$label " "$CAN" | cut -d' ' -f2)
	where=$(grep -F -e "$(printf '%s' "$v" | cut -c1-10)" "$ALL" | cut -d: -f1 | sort -u | tr '\n' ' ')
	nleak=$((nleak + 1))
	diag "LEAK $label ($v): $where"
	leaks="$leaks $label"
done
is "${leaks:-none}" none "none of $total canaries, nor a 10-character piece, in reports, stderr or the database"

# --keep-secrets: the raw values are in the database.
missing=
while read -r label value; do
	case "$label" in
	*-pw) continue ;; # only inside the base64 of Basic credentials
	ci-cmd-*) continue ;; # the curl -i importer keeps only the url of the command line
	cut-*|bad-*) continue ;; # broken files: what follows the damage is not imported
	tx-*|ztx-*) # the text importer keeps the HTTP blocks, not the prose
		case "$label" in *-basic-b64|*-setcookie|*-rb-*) ;; *) continue ;; esac ;;
	*-rc-cookie|*-resp-cookie|*-ex-cookiearr|*-jar-cookie) continue ;; # cookie arrays are not imported
	*nm-coll-bearer|*nm-env-token|*nm-glob-secret) continue ;; # a newman report's collection and environment are not imported
	*pm-env-token) continue ;; # a variable the exporter marks secret is never substituted
	pm-q-api_key2) continue ;; # the raw url wins over the query array
	esac
	h=$(hexof "$value")
	grep -qF -e "$value" "$TMPDIR_T/keep.sql" || grep -qiF -e "$h" "$TMPDIR_T/keep.sql" ||
		missing="$missing $label"
done < "$CAN"
is "${missing:-none}" none "--keep-secrets keeps the raw values in the database"

# Diagnosis survives redaction.
for f in har ci cv tr tx pm nm zhar zcv ztx znm; do
	grep -q "req-$f-keep-0001" "$O/plain.sql" || diag "request id req-$f-keep-0001 lost"
done
n=$(grep -c 'req-[a-z]*-keep-000' "$O/plain.sql")
ok $([ "$(grep -o 'req-[a-z]*-keep-0001' "$O/plain.sql" | sort -u | wc -l)" -ge 11 ] && echo 0 || echo 1) \
	"request ids survive in the database ($n rows)"
grep -q 'req-har-keep-0002' "$O/report.md" && grep -q 'req-har-keep-0002' "$O/report.json"
ok $? "request ids are quoted in the Markdown and JSON reports"
grep -q 'error=\\*"invalid_token\\*", error_description=\\*"The access token expired' "$O/plain.sql"
ok $? "WWW-Authenticate error text survives"
grep -q 'cf-ray.*8a1b2c3d4e5f6789-FRA' "$O/plain.sql"
ok $? "cf-ray survives"
grep -q 'JWT{alg:RS256,iss:https://login.example.com/,aud:api://canary,exp:2026-03-16T09:00:00Z(expired at capture),iat:2026-03-16T08:00:00Z,scope:read+write}' "$O/plain.sql"
ok $? "JWT summary keeps exp readable and says it was expired at capture"
grep -q 'exp:2027-03-16T09:00:00Z,' "$O/plain.sql" &&
	! grep -q 'exp:2027-03-16T09:00:00Z(expired' "$O/plain.sql"
ok $? "a JWT valid at capture time is not called expired"
! grep -q 'user-[a-z]*-jwt\|jwt@example.com' "$ALL"
ok $? "JWT identity claims are dropped"
grep -q 'Bearer sk-proj-' "$O/plain.sql" || grep -q 'sk-proj-…\[#' "$O/plain.sql"
ok $? "a kept type prefix shows what kind of key it was"
done_testing
