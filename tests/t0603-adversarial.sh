#!/bin/sh
# t0603-adversarial.sh - an adversarial redaction test.  It plants
# hundreds of distinct secrets (real token formats and made-up ones) in
# every place a credential hides -- headers under odd names, URL userinfo,
# path and query parameters (also percent-encoded inside another one),
# fragments, JSON (numbers, arrays, JSON inside strings), XML, raw
# multipart, GraphQL query text, HTML forms and JS literals, PEM blocks,
# connection strings, HAR comments, Postman/Insomnia environments, newman
# assertions and prose -- across HAR, real curl -v/-i/--trace/--trace-ascii
# runs against a local server, ticket text, a quoted-printable e-mail,
# HTTPie, PowerShell, Postman, newman and Insomnia.  Then it runs every
# output path (Markdown, JSON, --per-ticket, report --db, rules explain,
# the database dump, stderr, temp files) and searches each output, also
# after JSON, percent, HTML and backslash decoding, for every secret and
# every 8-character window of one.  Evidence that must survive (request
# IDs, scope headers, error codes, ARNs, paths) is checked too.
. "$srcdir/tests/tap.sh"

command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"

TK="$TMPDIR_T/tickets"
SEC="$TMPDIR_T/secrets"
EVI="$TMPDIR_T/evidence"
mkdir -p "$TK"
: > "$SEC"
: > "$EVI"

# s LABEL [PREFIX] [KIND]: print a distinct secret and record it.  KIND:
# hex (default, 24), mixed (upper/lower/digits, 32), upper (16), digits
# (8), pin (6 digits), b64 (40, with + and /).
s() {
	h=$(printf '%s' "$1" | sha256sum | cut -c1-64)
	case "${3:-hex}" in
	hex) v=$(printf '%s' "$h" | cut -c1-24) ;;
	mixed) v=$(alpha "$h" 32 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') ;;
	upper) v=$(printf '%s' "$h" | tr a-f A-F | cut -c1-16) ;;
	digits) v=$(alpha "$h" 8 '0123456789') ;;
	pin) v=$(alpha "$h" 6 '0123456789') ;;
	b64) v=$(alpha "$h" 32 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')$(alpha "$h$h" 8 'abcdefghijklmnopqrstuvwxyz0123456789') ;;
	esac
	case "$v" in 0*) v=7${v#0} ;; esac
	printf '%s %s\n' "$1" "${2:-}$v" >> "$SEC"
	printf '%s' "${2:-}$v"
}
# alpha HEX N ALPHABET: N characters of ALPHABET chosen by the bytes of HEX.
alpha() {
	awk -v h="$1" -v n="$2" -v a="$3" 'BEGIN {
		for (i = 0; i < 16; i++) x[substr("0123456789abcdef", i + 1, 1)] = i
		m = length(a); out = ""
		for (i = 0; i < n; i++) {
			j = (2 * i) % length(h)
			b = x[substr(h, j + 1, 1)] * 16 + x[substr(h, j + 2, 1)] + i * 7
			out = out substr(a, b % m + 1, 1)
		}
		print out
	}'
}
# e VALUE: evidence that must survive in the database and the reports.
e() {
	printf '%s\n' "$1" >> "$EVI"
	printf '%s' "$1"
}
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }
jesc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | awk '{ printf "%s%s", (NR > 1 ? "\\n" : ""), $0 }'; }

CAPTURE=2026-03-16T09:41:18.302Z

# pem LABEL: an OpenSSH private key block whose body is the secret.
pem() {
	body=$(s "$1" "" b64)$(s "$1-2" "" b64)
	printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n%s\n-----END OPENSSH PRIVATE KEY-----' \
		"$(printf '%s' "$body" | cut -c1-40)" "$(printf '%s' "$body" | cut -c41-80)"
}

# aiza LABEL: a GCP API key (AIza and 35 characters).
aiza() {
	v=AIzaSy$(s "$1-body" "" mixed)x
	sed -i "/^$1-body /d" "$SEC"
	printf '%s %s\n' "$1" "$v" >> "$SEC"
	printf '%s' "$v"
}

# known T: one secret of every known token format, in prose.
known() {
	t=$1
	printf 'keys: %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s' \
		"$(s $t-k-akia AKIA upper)" "$(aiza $t-k-aiza)" \
		"$(s $t-k-ya29 ya29.a0 mixed)" "$(s $t-k-gocspx GOCSPX- mixed)" \
		"$(s $t-k-ghp ghp_ mixed)" "$(s $t-k-glpat glpat- mixed)" "$(s $t-k-xoxb xoxb-1234-5678- mixed)" \
		"$(s $t-k-sklive sk_live_ mixed)" "$(s $t-k-whsec whsec_ mixed)" \
		"SK$(s $t-k-twilio '' hex)$(s $t-k-twilio2 '' hex | cut -c1-8)" \
		"SG.$(s $t-k-sg1 '' mixed | cut -c1-22).$(s $t-k-sg2 '' mixed)$(s $t-k-sg3 '' hex | cut -c1-11)" \
		"$(s $t-k-npm npm_ mixed)$(s $t-k-npm2 '' upper | cut -c1-4)" \
		"$(s $t-k-proj sk-proj- mixed)" "$(s $t-k-ant sk-ant-api03- mixed)" \
		"$(s $t-k-hf hf_ mixed)" "$(s $t-k-vck vck_ mixed)" \
		"https://hooks.slack.com/services/T0$(s $t-k-slackhook '' upper)/B0$(s $t-k-slackhook2 '' upper)" \
		"$(s $t-k-dapi dapi hex)$(s $t-k-dapi2 '' hex | cut -c1-8)" \
		"$(s $t-k-pypi pypi-AgEIcHlwaS5vcmc mixed)$(s $t-k-pypi2 '' mixed)"
}
# Twilio, npm and Databricks tokens are two recorded halves: record the
# whole too so a leak of the whole is reported under one label.

# ---- HAR ----
gen_har() {
	t=$1
	ssh=$(pem $t-ssh)
	html="<html><head><meta name=\"csrf-token\" content=\"$(s $t-html-meta '' mixed)\"></head><body>
<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"authenticity_token\" value=\"$(s $t-html-authenticity '' mixed)\">
<input type=\"password\" name=\"password\" value=\"$(s $t-html-password)\"><input type=\"hidden\" name=\"client_secret\" value=\"$(s $t-html-cs)\"></form>
<script>var cfg = { apiKey: \"$(s $t-js-apikey '' mixed)\", authDomain: \"app.example.com\" }; window.SECRET_TOKEN = '$(s $t-js-token)';</script>
</body></html>"
	sts="<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials><AccessKeyId>$(s $t-x-akid ASIA upper)</AccessKeyId><SecretAccessKey>$(s $t-x-secret '' b64)</SecretAccessKey><SessionToken>$(s $t-x-session IQoJb3JpZ2luX2Vj b64)$(s $t-x-session2 '' b64)</SessionToken><Expiration>2026-03-16T10:41:18Z</Expiration></Credentials><AssumedRoleUser><Arn>$(e arn:aws:sts::111122223333:assumed-role/triage/session-1)</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>$(e req-$t-sts-4f8a2c)</RequestId></ResponseMetadata></AssumeRoleResponse>"
	q='\"'
	mp="--XyZb0undary\\r\\nContent-Disposition: form-data; name=${q}username${q}\\r\\n\\r\\nbob\\r\\n--XyZb0undary\\r\\nContent-Disposition: form-data; name=${q}password${q}\\r\\n\\r\\n$(s $t-mp-password)\\r\\n--XyZb0undary\\r\\nContent-Disposition: form-data; name=${q}client_secret${q}\\r\\n\\r\\n$(s $t-mp-client_secret)\\r\\n--XyZb0undary--\\r\\n"
	gql="{\"query\":\"mutation { login(username: \\\"bob\\\", password: \\\"$(s $t-gql-password)\\\") { token } }\",\"variables\":{\"otp\":\"$(s $t-gql-otp '' pin)\"}}"
	inner="{\\\"client_secret\\\":\\\"$(s $t-inner-cs)\\\",\\\"pin\\\":$(s $t-inner-pin '' pin),\\\"mode\\\":\\\"live\\\"}"
	rjson="{\"error\":{\"code\":\"$(e TOKEN_EXPIRED_2024_01)\",\"message\":\"token expired\"},\"api_keys\":[\"$(s $t-arr-key1 '' mixed)\",\"$(s $t-arr-key2 '' mixed)\"],\"sid\":\"$(s $t-sid)\",\"api key\":\"$(s $t-spacekey)\",\"password\":$(s $t-numpw '' digits),\"pin\":$(s $t-pin '' pin),\"otp_code\":\"$(s $t-otp '' pin)\",\"ssh\":\"$(jesc "$ssh")\",\"KeyId\":\"$(e arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab)\",\"request_id\":\"$(e req-$t-json-77aa01)\",\"next_page_token\":\"$(e npt-$t-cursor-0042)\"}"
	azure="DefaultEndpointsProtocol=https;AccountName=acct$t;AccountKey=$(s $t-az-accountkey '' b64)==;EndpointSuffix=core.windows.net"
	note="$(known $t). Azure: $azure; db postgres://app:$(s $t-pg-pass)@db.internal:5432/app; sas https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026-03-17&sig=$(s $t-az-sig '' b64 | tr '+/' '-_')%3D"
	redirect=$(printf 'https://app.example.com/cb#access_token=%s&token_type=bearer&state=xyz' "$(s $t-redir-at '' mixed)" | sed 's/:/%3A/g; s|/|%2F|g; s/#/%23/g; s/&/%26/g; s/=/%3D/g')
	cat > "$TK/t-har/$t.har" <<EOF
{"log":{"version":"1.2","creator":{"name":"Firefox","version":"124.0"},"entries":[
{"startedDateTime":"$CAPTURE","time":10,"comment":"token $(s $t-comment-token '' mixed) expired after the retry",
 "request":{"method":"GET","url":"https://$t:$(s $t-userinfo)@api.example.com$(e /v1/accounts/acct9/sessions);jsessionid=$(s $t-jsessionid '' upper)/next?sessid=$(s $t-sessid)&ticket=ST-1-$(s $t-cas '' mixed)-cas&auth_key=$(s $t-authkey '' pin)ab&redirect_uri=$redirect&$(e page_size)=20&X-Amz-Credential=$(s $t-amzcred AKIA upper)%2F20260316%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=$(s $t-amzsig)&X-Amz-Security-Token=$(s $t-amztok '' b64 | tr '+/' '-_')&key=$(aiza $t-qkey)#access_token=$(s $t-frag '' mixed)&expires_in=3600","httpVersion":"HTTP/1.1",
  "headers":[{"name":"X-Access-Code","value":"$(s $t-h-access-code '' pin)"},
             {"name":"X-Passcode","value":"$(s $t-h-passcode '' digits)"},
             {"name":"X-Api-Key-Status-Token","value":"$(s $t-h-status-token)"},
             {"name":"X-Tenant-Secret","value":"$(s $t-h-tenant-secret '' mixed)"},
             {"name":"X-Session","value":"$(s $t-h-session '' mixed)"},
             {"name":"Sec-WebSocket-Key","value":"$(e dGhlIHNhbXBsZSBub25jZQ==)"},
             {"name":"X-Request-Id","value":"$(e req-$t-keep-0001)"}],
  "queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},
 "response":{"status":403,"statusText":"Forbidden","httpVersion":"HTTP/1.1",
  "headers":[{"name":"x-oauth-scopes","value":"$(e 'repo, read:org')"},
             {"name":"x-accepted-oauth-scopes","value":"$(e 'admin:org, write:org')"},
             {"name":"x-ms-keyvault-network-info","value":"$(e 'conn_type=Ipv4;addr=203.0.113.9;act_addr_fam=InterNetwork;')"},
             {"name":"x-cache-key","value":"$(e '/api.example.com/v1/accounts/acct9')"},
             {"name":"x-github-request-id","value":"$(e C0DE:1A2B:3C4D5E:6F7081:65F5A1B2)"},
             {"name":"Content-Type","value":"application/json"}],
  "cookies":[],"content":{"size":30,"mimeType":"application/json","text":"{\"message\":\"Resource not accessible by integration\"}"},
  "redirectURL":"","headersSize":-1,"bodySize":30},
 "cache":{},"timings":{"send":1,"wait":8,"receive":1}},
{"startedDateTime":"$CAPTURE","time":10,
 "request":{"method":"POST","url":"https://api.example.com/upload","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Content-Type","value":"multipart/form-data; boundary=XyZb0undary"}],
  "queryString":[],"cookies":[],"headersSize":-1,"bodySize":10,
  "postData":{"mimeType":"multipart/form-data; boundary=XyZb0undary","text":"$mp"}},
 "response":{"status":500,"statusText":"Internal Server Error","httpVersion":"HTTP/1.1","headers":[{"name":"Content-Type","value":"text/xml"}],
  "cookies":[],"content":{"size":10,"mimeType":"text/xml","text":"$(jesc "$sts")"},"redirectURL":"","headersSize":-1,"bodySize":10},
 "cache":{},"timings":{"send":1,"wait":8,"receive":1}},
{"startedDateTime":"$CAPTURE","time":10,
 "request":{"method":"POST","url":"https://api.example.com/graphql","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Content-Type","value":"application/json"}],
  "queryString":[],"cookies":[],"headersSize":-1,"bodySize":10,
  "postData":{"mimeType":"application/json","text":"$(jesc "$gql")"}},
 "response":{"status":401,"statusText":"Unauthorized","httpVersion":"HTTP/1.1","headers":[{"name":"Content-Type","value":"application/json"}],
  "cookies":[],"content":{"size":10,"mimeType":"application/json","text":"$(jesc "$rjson")"},"redirectURL":"","headersSize":-1,"bodySize":10},
 "cache":{},"timings":{"send":1,"wait":8,"receive":1}},
{"startedDateTime":"$CAPTURE","time":10,
 "request":{"method":"POST","url":"https://api.example.com/v1/hooks","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Content-Type","value":"application/json"}],
  "queryString":[],"cookies":[],"headersSize":-1,"bodySize":10,
  "postData":{"mimeType":"application/json","text":"{\"payload\":\"$inner\",\"note\":\"$(jesc "$note")\"}"}},
 "response":{"status":403,"statusText":"Forbidden","httpVersion":"HTTP/1.1","headers":[{"name":"Content-Type","value":"text/html"}],
  "cookies":[],"content":{"size":10,"mimeType":"text/html","encoding":"base64","text":"$(b64 "$html")"},"redirectURL":"","headersSize":-1,"bodySize":10},
 "cache":{},"timings":{"send":1,"wait":8,"receive":1}}]}}
EOF
}

# ---- curl ----
# hand-written transcripts (the same places as the live runs, whose
# wrapping and framing come from curl itself)
gen_curl_v() {
	t=$1
	{
		echo "*   Trying 203.0.113.7:443..."
		echo "* Connected to api.example.com (203.0.113.7) port 443 (#0)"
		echo "> POST $(e /v2/login);jsessionid=$(s $t-jsessionid '' upper)?sessid=$(s $t-sessid)&auth_key=$(s $t-authkey '' pin)zz HTTP/1.1"
		echo "> Host: api.example.com"
		echo "> X-Passcode: $(s $t-passcode '' digits)"
		echo "> X-Access-Code: $(s $t-access-code '' pin)"
		echo "> Content-Type: application/x-www-form-urlencoded"
		echo ">"
		echo "< HTTP/1.1 401 Unauthorized"
		echo "< x-request-id: $(e req-$t-keep-0001)"
		echo "< x-oauth-scopes: repo"
		echo "< Content-Type: text/xml"
		echo "<"
		echo "<Error><Code>$(e InvalidClientTokenId)</Code><SecretAccessKey>$(s $t-x-secret '' b64)</SecretAccessKey><SessionToken>$(s $t-x-session '' b64)</SessionToken></Error>"
	} > "$TK/t-curl/curl-v.txt"
}

# serve PORT FILE: answer every connection on 127.0.0.1:PORT with FILE.
serve() {
	cat > "$TMPDIR_T/serve-$1.sh" <<EOF
while IFS= read -r line; do
	line=\$(printf '%s' "\$line" | tr -d '\r')
	[ -z "\$line" ] && break
done
cat "$2"
EOF
	socat "TCP-LISTEN:$1,bind=127.0.0.1,reuseaddr,fork" SYSTEM:"sh $TMPDIR_T/serve-$1.sh" \
		>/dev/null 2>&1 &
	echo $!
}

live_curl() {
	t=$1
	port=$(( 21000 + ($$ % 20000) ))
	resp="$TMPDIR_T/resp-$t.txt"
	body="<Error><Code>$(e InvalidClientTokenId)</Code><Message>token $(s $t-resp-prose '' mixed) expired</Message><SecretAccessKey>$(s $t-resp-secret '' b64)</SecretAccessKey></Error>"
	printf 'HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nx-amzn-RequestId: %s\r\nSet-Cookie: JSESSIONID=%s; Path=/\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
		"$(e req-$t-live-0001)" "$(s $t-resp-setcookie '' upper)" "${#body}" "$body" > "$resp"
	pid=$(serve "$port" "$resp")
	n=0
	while [ $n -lt 50 ]; do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" 2>/dev/null
		[ $? -ne 7 ] && break
		sleep 0.1
		n=$((n + 1))
	done
	for mode in v i trace trace-ascii; do
		m=$t-$mode
		url="http://$m:$(s $m-userinfo)@127.0.0.1:$port$(e /v1/orders);jsessionid=$(s $m-jsess '' upper)?sessid=$(s $m-sessid)&auth_key=$(s $m-authkey '' pin)q&$(e page)=2&access_token=$(s $m-at '' mixed)"
		set -- -s --max-time 5 -H "X-Passcode: $(s $m-passcode '' digits)" -H "X-Api-Key-Status-Token: $(s $m-status-token)" \
			-H "Authorization: Bearer $(s $m-bearer '' mixed)" -d "password=$(s $m-password)&client_secret=$(s $m-cs '' mixed)&grant_type=password"
		case $mode in
		v) curl -v "$@" "$url" > "$TK/t-curl/live-v.txt" 2>&1 ;;
		i) { echo "\$ curl -i $url"; curl -i "$@" "$url"; } > "$TK/t-curl/live-i.txt" 2>/dev/null ;;
		trace) curl --trace "$TK/t-curl/live-trace.txt" -o /dev/null "$@" "$url" 2>/dev/null ;;
		trace-ascii) curl --trace-ascii "$TK/t-curl/live-trace-ascii.txt" -o /dev/null "$@" "$url" 2>/dev/null ;;
		esac
	done
	kill "$pid" 2>/dev/null
}

# ---- text ----
gen_text() {
	t=$1
	cat > "$TK/t-text/ticket.txt" <<EOF
Hello support,

the token $(s $t-prose-token '' mixed) expired this morning and the password is $(s $t-prose-pw '' digits)x.
Our PIN $(s $t-prose-pin '' pin) was rejected, the OTP $(s $t-prose-otp '' pin) too.
Connection string: Server=db.example.com;Database=app;User Id=app;Password=$(s $t-cs-pw);
$(known $t)

$(pem $t-pem)

HTTPie output:
POST /v1/login HTTP/1.1
Host: api.example.com
X-Auth-Token: $(s $t-httpie-token '' mixed)
X-Passcode: $(s $t-httpie-pass '' digits)

HTTP/1.1 401 Unauthorized
x-request-id: $(e req-$t-keep-0001)

{"error":"$(e TOKEN_EXPIRED_2024_01)","secret":"$(s $t-httpie-body)"}

PowerShell:
PS> \$cred = ConvertTo-SecureString "$(s $t-ps-secure)" -AsPlainText -Force
PS> Invoke-RestMethod -Uri "https://api.example.com/v1/x?sessid=$(s $t-ps-sessid)" -Headers @{ "X-Api-Key" = "$(s $t-ps-apikey '' mixed)"; "Authorization" = "Bearer $(s $t-ps-bearer '' mixed)" }
EOF
	qp=$(s $t-qp-long '' mixed)$(s $t-qp-long2 '' mixed)
	{
		printf 'From: bob@example.com\nTo: support@example.com\nSubject: API failure\nMIME-Version: 1.0\n'
		printf 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n'
		printf 'Hi, we call it with password=3D%s and\n' "$(s $t-qp-pw)"
		printf 'Authorization: Bearer %s=\n%s\n' "$(printf '%s' "$qp" | cut -c1-30)" "$(printf '%s' "$qp" | cut -c31-64)"
		printf 'and it returns:\n\nHTTP/1.1 403 Forbidden\nx-request-id: %s\nContent-Type: application/json\n\n{"error":"denied"}\n' "$(e req-$t-qp-0001)"
	} > "$TK/t-text/mail.eml"
	printf '%s %s\n' "$t-qp-whole" "$qp" >> "$SEC"
}

# ---- Postman, newman, Insomnia ----
gen_postman() {
	t=$1
	cat > "$TK/t-postman/$t.postman_environment.json" <<EOF
{"id":"4d1c","name":"prod","values":[
 {"key":"baseUrl","value":"https://api.example.com","type":"default","enabled":true},
 {"key":"sid","value":"$(s $t-env-sid)","type":"default","enabled":true},
 {"key":"pin","value":"$(s $t-env-pin '' pin)","type":"default","enabled":true},
 {"key":"tenant_key","value":"$(s $t-env-tenant-key '' mixed)","type":"default","enabled":true}],
 "_postman_variable_scope":"environment","_postman_exported_using":"Postman/11.2.0"}
EOF
	cat > "$TK/t-postman/$t.postman_collection.json" <<EOF
{"info":{"_postman_id":"0b4e","name":"Adversarial","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
 "item":[
  {"name":"custom apikey header","request":{"method":"GET",
    "auth":{"type":"apikey","apikey":[{"key":"key","value":"X-Tenant-Gate"},{"key":"value","value":"$(s $t-apikey-custom '' mixed)"},{"key":"in","value":"header"}]},
    "header":[{"key":"X-Pin","value":"{{pin}}"},{"key":"X-Session-Id","value":"{{sid}}"},{"key":"X-Tenant-Key","value":"{{tenant_key}}"}],
    "url":"{{baseUrl}}$(e /v1/tenants/t9)?sessid=$(s $t-q-sessid)"},
   "response":[{"name":"denied","originalRequest":{"method":"GET","header":[],"url":{"raw":"{{baseUrl}}/v1/tenants/t9"}},
     "status":"Forbidden","code":403,
     "header":[{"key":"x-request-id","value":"$(e req-$t-keep-0001)"},{"key":"x-oauth-scopes","value":"read"}],
     "body":"{\"error\":\"$(e TOKEN_EXPIRED_2024_01)\",\"access_code\":$(s $t-ex-access-code '' pin)}"}]}]}
EOF
}

gen_newman() {
	t=$1
	rbody="{\"api_keys\":[\"$(s $t-rb-key1 '' mixed)\"],\"error\":\"$(e TOKEN_EXPIRED_2024_01)\"}"
	bytes=$(printf '%s' "$rbody" | od -An -v -tu1 | tr -s ' \n' ',,' | sed 's/^,//; s/,$//')
	cat > "$TK/t-newman/newman-run.json" <<EOF
{"collection":{"info":{"name":"Adversarial run","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
  "item":[{"id":"i1","name":"login","request":{"url":{"host":["api","example","com"],"path":["login"]},"method":"POST"},"response":[]}]},
 "run":{"stats":{"requests":{"total":1,"pending":0,"failed":0}},
  "timings":{"started":1773654078302,"completed":1773654078802},
  "executions":[{"cursor":{"position":0,"iteration":0,"httpRequestId":"h1"},
   "item":{"id":"i1","name":"login"},
   "request":{"url":{"protocol":"https","host":["api","example","com"],"path":["login"],
      "query":[{"key":"sessid","value":"$(s $t-q-sessid)"},{"key":"page","value":"2"}]},
    "header":[{"key":"X-Passcode","value":"$(s $t-h-passcode '' digits)"},
              {"key":"X-Access-Code","value":"$(s $t-h-access-code '' pin)"}],
    "method":"POST",
    "body":{"mode":"raw","raw":"{\"otp\":$(s $t-b-otp '' pin),\"password\":\"$(s $t-b-password)\"}"}},
   "response":{"id":"r1","status":"Unauthorized","code":401,
    "header":[{"key":"request-id","value":"$(e req-$t-keep-0001)"},{"key":"Content-Type","value":"application/json"}],
    "stream":{"type":"Buffer","data":[$bytes]},
    "responseTime":12,"responseSize":${#rbody}},
   "assertions":[{"assertion":"token accepted","error":{"name":"AssertionError","message":"expected token $(s $t-assert-token '' mixed) to be accepted but got 401"}},
                 {"assertion":"no secret echoed","error":{"name":"AssertionError","message":"expected 'password=$(s $t-assert-pw)' to not include 'password'"}}]}],
  "failures":[],"error":null}}
EOF
}

gen_insomnia() {
	t=$1
	cat > "$TK/t-insomnia/insomnia.json" <<EOF
{"_type":"export","__export_format":4,"__export_date":"$CAPTURE","__export_source":"insomnia.desktop.app:v2023.5.8",
 "resources":[
  {"_id":"wrk_1","_type":"workspace","parentId":null,"name":"Adversarial"},
  {"_id":"env_1","_type":"environment","parentId":"wrk_1","name":"Base","data":{"base":"https://api.example.com","tenant":{"api_secret":"$(s $t-env-api-secret '' mixed)","otp":$(s $t-env-otp '' pin)},"sid":"$(s $t-env-sid)"}},
  {"_id":"req_1","_type":"request","parentId":"wrk_1","name":"me","method":"GET","url":"{{ _.base }}$(e /v1/me/profile)",
   "parameters":[{"name":"sessid","value":"$(s $t-q-sessid)"}],
   "headers":[{"name":"X-Tenant-Secret","value":"{{ _.tenant.api_secret }}"},{"name":"X-Session-Id","value":"{{ _.sid }}"},{"name":"X-Passcode","value":"$(s $t-h-passcode '' digits)"}],
   "authentication":{},"body":{"mimeType":"application/json","text":"{\"pin\":{{ _.tenant.otp }},\"password\":\"$(s $t-b-password)\"}"}}]}
EOF
}

mkdir -p "$TK/t-har" "$TK/t-curl" "$TK/t-text" "$TK/t-postman" "$TK/t-newman" "$TK/t-insomnia"
gen_har ha
gen_har hb
gen_curl_v cv
if command -v curl >/dev/null 2>&1 && command -v socat >/dev/null 2>&1; then
	live_curl lc
	live=1
else
	live=0
	diag "curl or socat missing: no live curl runs (hand-written transcripts only)"
fi
gen_text tx
gen_postman pm
gen_newman nm
gen_insomnia in

# Twilio, npm, Databricks and AIza keys were built from recorded pieces:
# record the whole too.
for t in ha hb tx; do
	printf '%s SK%s%s\n' "$t-k-twilio-whole" "$(grep "^$t-k-twilio " "$SEC" | cut -d' ' -f2)" \
		"$(grep "^$t-k-twilio2 " "$SEC" | cut -d' ' -f2 | cut -c1-8)" >> "$SEC"
done

total=$(sort -u -k2 "$SEC" | wc -l)
ok $([ "$total" -ge 250 ] && echo 0 || echo 1) "at least 250 distinct secrets planted ($total)"

# ---- every output path ----
O="$TMPDIR_T/out"
T="$TMPDIR_T/tmp"
mkdir -p "$O" "$T"
run() {
	name=$1
	shift
	TMPDIR=$T "$HARTRIAGE" "$@" 2> "$O/err-$name"
}
run md analyze -q --db "$O/a.db" -o "$O/report.md" "$TK"
run json analyze -q --format json -o "$O/report.json" "$TK"
run per analyze -q --per-ticket "$O/per-md" "$TK"
run perjson analyze -q --format json --per-ticket "$O/per-json" "$TK"
run jobs analyze -j 2 --db "$O/jobs.db" --per-ticket "$O/per-jobs" "$TK"
run rep report --db "$O/a.db" > "$O/report-db.md"
run repjson report --db "$O/a.db" -f json > "$O/report-db.json"
run keep analyze -q --keep-secrets --db "$O/keep.db" -o "$O/keep.md" "$TK"
run keepjson report --db "$O/keep.db" -f json > "$O/keep.json"
rule=$(grep -h '^id:' "$srcdir"/rules/*/*.yaml | head -1 | cut -d' ' -f2)
find "$TK" -type f | sort | while read -r f; do
	for k in 0 1 2 3; do
		TMPDIR=$T "$HARTRIAGE" rules explain --rules "$srcdir/rules" "$rule" "$f#$k" 2>&1
	done
done > "$O/explain.txt"
sqlite3 "$O/a.db" .dump > "$O/a.sql"
sqlite3 "$O/jobs.db" .dump > "$O/jobs.sql"
cp -r "$T" "$O/tempfiles"

# ---- search ----
# Every output (not the --keep-secrets database itself), raw and decoded:
# HTML entities, JSON \uXXXX, backslash escapes, percent escapes.
ALL="$TMPDIR_T/all.txt"
find "$O" -type f ! -name '*.db' ! -name '*.db-*' | sort | while read -r f; do
	awk -v F="${f#"$O"/}" '
	BEGIN { for (i = 32; i < 127; i++) chr[sprintf("%02X", i)] = sprintf("%c", i) }
	function pct(s,   out, i, h) {
		out = ""
		while ((i = index(s, "%")) > 0) {
			h = toupper(substr(s, i + 1, 2))
			if (h in chr) { out = out substr(s, 1, i - 1) chr[h]; s = substr(s, i + 3) }
			else { out = out substr(s, 1, i); s = substr(s, i + 1) }
		}
		return out s
	}
	function uesc(s,   out, i, h) {
		out = ""
		while ((i = index(s, "\\u00")) > 0) {
			h = toupper(substr(s, i + 4, 2))
			if (h in chr) { out = out substr(s, 1, i - 1) chr[h]; s = substr(s, i + 6) }
			else { out = out substr(s, 1, i + 1); s = substr(s, i + 2) }
		}
		return out s
	}
	{
		print F ": " $0
		d = $0
		gsub(/&lt;/, "<", d); gsub(/&gt;/, ">", d); gsub(/&quot;/, "\"", d); gsub(/&#39;/, "'"'"'", d)
		gsub(/&#x27;/, "'"'"'", d); gsub(/&amp;/, "\\&", d)
		d = uesc(d)
		gsub(/\\[nrt]/, " ", d)
		gsub(/\\/, "", d)
		d = pct(pct(d))
		print F ": " d
	}' "$f"
done > "$ALL"

# Windows of 8 characters of each secret; a window made only of a type
# prefix the redactor may keep (at most 8 characters) is not a leak.
WIN="$TMPDIR_T/windows"
awk '{
	label = $1; v = $2; n = length(v)
	if (n < 8) { print label " " v " W"; next }
	for (i = 1; i + 7 <= n; i++) print label " " substr(v, i, 8) " " i
}' "$SEC" > "$WIN"
KEPT='^(AKIA|ASIA|AIza|ya29\.|GOCSPX-|ghp_|glpat-|xoxb-|sk_live_|whsec_|SK|SG\.|npm_|sk-proj-|sk-ant-|hf_|vck_|dapi|pypi-|https://)'
awk '$3 == 1 || $3 == "W" { print $2 }' "$WIN" > /dev/null
# windows starting at 1 that are (part of) a kept prefix: drop
awk -v re="$KEPT" '!($3 == 1 && $2 ~ re) && $3 != "W" { print $2 }' "$WIN" | sort -u > "$TMPDIR_T/wlist"
grep -F -o -f "$TMPDIR_T/wlist" "$ALL" | sort -u > "$TMPDIR_T/whits"
# short secrets (PINs): whole word only
awk '$3 == "W" { print $2 }' "$WIN" | sort -u > "$TMPDIR_T/slist"
: > "$TMPDIR_T/shits"
if [ -s "$TMPDIR_T/slist" ]; then
	grep -o -w -F -f "$TMPDIR_T/slist" "$ALL" | sort -u > "$TMPDIR_T/shits"
fi
cut -d' ' -f2 "$SEC" | sort -u > "$TMPDIR_T/vlist"
grep -F -o -f "$TMPDIR_T/vlist" "$ALL" | sort -u > "$TMPDIR_T/vhits"

# Classify per label: leak (the whole secret), partial (a window only).
awk -v W="$TMPDIR_T/whits" -v S="$TMPDIR_T/shits" -v V="$TMPDIR_T/vhits" -v WIN="$WIN" '
BEGIN {
	while ((getline l < W) > 0) wh[l] = 1
	while ((getline l < S) > 0) sh[l] = 1
	while ((getline l < V) > 0) vh[l] = 1
	while ((getline l < WIN) > 0) {
		split(l, a, " ")
		if (a[3] == "W") { if (a[2] in sh) part[a[1]] = a[2] }
		else if (a[2] in wh) part[a[1]] = a[2]
	}
}
{
	if (length($2) >= 8 && ($2 in vh)) print "LEAK " $1 " " $2
	else if ($1 in part) print "PARTIAL " $1 " " $2 " (" part[$1] ")"
}' "$SEC" > "$TMPDIR_T/verdict"

nleak=$(grep -c '^LEAK' "$TMPDIR_T/verdict")
npart=$(grep -c '^PARTIAL' "$TMPDIR_T/verdict")
while read -r kind label value rest; do
	where=$(grep -F -e "${rest:-$value}" -e "$value" "$ALL" | cut -d: -f1 | sort -u | tr '\n' ' ')
	diag "$kind $label $value $rest: $where"
done < "$TMPDIR_T/verdict"
is "$nleak" 0 "no secret of $total reaches any output (md, json, per-ticket, report --db, explain, dump, stderr, temp files)"
is "$npart" 0 "no 8-character piece of a secret reaches any output"

# ---- evidence ----
destroyed=0
sort -u "$EVI" > "$TMPDIR_T/evi"
while read -r v; do
	if ! grep -qF -e "$v" "$O/a.sql"; then
		destroyed=$((destroyed + 1))
		diag "DESTROYED (database): $v"
	fi
done < "$TMPDIR_T/evi"
nevi=$(wc -l < "$TMPDIR_T/evi")
is "$destroyed" 0 "all $nevi evidence values survive in the database"
# a ;jsessionid= path parameter ends at the next delimiter
grep -q '/v1/accounts/acct9/sessions;jsessionid=…\[#[0-9a-f]*\]/next?sessid=' "$O/a.sql"
ok $? "a redacted path parameter ends at the next delimiter"
grep -q 'page_size=20' "$O/a.sql"
ok $? "non-secret parameter names and values stay"

# ---- determinism and unlinkability ----
H1="$TMPDIR_T/home1"
H2="$TMPDIR_T/home2/nested/state"
mkdir -p "$H1"
HOME=$H1 XDG_STATE_HOME=$H1 "$HARTRIAGE" analyze -q --rules "$srcdir/rules" -o "$TMPDIR_T/d1.md" "$TK" 2>/dev/null
HOME=$H2 XDG_STATE_HOME=$H2 "$HARTRIAGE" analyze -q --rules "$srcdir/rules" -o "$TMPDIR_T/d2.md" "$TK" 2>/dev/null
HOME=$H1 XDG_STATE_HOME=$H1 "$HARTRIAGE" analyze -q --rules "$srcdir/rules" -f json -o "$TMPDIR_T/d1.json" "$TK" 2>/dev/null
HOME=$H2 XDG_STATE_HOME=$H2 "$HARTRIAGE" analyze -q --rules "$srcdir/rules" -f json -o "$TMPDIR_T/d2.json" "$TK" 2>/dev/null
cmp -s "$TMPDIR_T/d1.md" "$TMPDIR_T/d2.md" && cmp -s "$TMPDIR_T/d1.json" "$TMPDIR_T/d2.json"
ok $? "two runs on any machine state give byte-identical Markdown and JSON"
# the same secret in two tickets: different fingerprints
mkdir -p "$TMPDIR_T/link/a" "$TMPDIR_T/link/b"
same=$(s link-same '' mixed)
printf 'GET /x HTTP/1.1\nHost: a.example.com\nX-Api-Key: %s\n\nHTTP/1.1 401 Unauthorized\n\nticket a\n' "$same" > "$TMPDIR_T/link/a/a.txt"
printf 'GET /y HTTP/1.1\nHost: b.example.com\nX-Api-Key: %s\n\nHTTP/1.1 403 Forbidden\n\nticket b\n' "$same" > "$TMPDIR_T/link/b/b.txt"
"$HARTRIAGE" analyze -q --rules "$srcdir/rules" --db "$TMPDIR_T/la.db" "$TMPDIR_T/link/a" >/dev/null 2>&1
"$HARTRIAGE" analyze -q --rules "$srcdir/rules" --db "$TMPDIR_T/lb.db" "$TMPDIR_T/link/b" >/dev/null 2>&1
fa=$(sqlite3 "$TMPDIR_T/la.db" "select value from headers where name = 'X-Api-Key'")
fb=$(sqlite3 "$TMPDIR_T/lb.db" "select value from headers where name = 'X-Api-Key'")
ok $([ -n "$fa" ] && [ -n "$fb" ] && [ "$fa" != "$fb" ] && echo 0 || echo 1) \
	"the same secret in two tickets' databases cannot be linked ($fa, $fb)"
"$HARTRIAGE" analyze -q --rules "$srcdir/rules" --db "$TMPDIR_T/lab.db" "$TMPDIR_T/link" >/dev/null 2>&1
fa=$(sqlite3 "$TMPDIR_T/lab.db" "select h.value from headers h join exchanges x on x.id = h.exchange_id join sources s on s.id = x.source_id where h.name = 'X-Api-Key' and s.ticket = 'a'")
fb=$(sqlite3 "$TMPDIR_T/lab.db" "select h.value from headers h join exchanges x on x.id = h.exchange_id join sources s on s.id = x.source_id where h.name = 'X-Api-Key' and s.ticket = 'b'")
ok $([ -n "$fa" ] && [ -n "$fb" ] && [ "$fa" != "$fb" ] && echo 0 || echo 1) "nor in two tickets of one batch ($fa, $fb)"
diag "generator: $total secrets, $nleak leaked, $npart partial, $destroyed of $nevi evidence values destroyed"
done_testing
