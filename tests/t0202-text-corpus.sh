#!/bin/sh
# HTTP pasted into prose: every file of $CORPUS/text (and the prose-like
# captures elsewhere) imports to the exchanges a reader sees in it, and no
# truncation of those files makes the tool fail.
. "$srcdir/tests/tap.sh"

[ -d "${CORPUS:-}/text" ] || skip_all "corpus not found (set CORPUS)"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 command not found"

# import FILE: import into a fresh database; sets DB.
n_db=0
import() {
	n_db=$((n_db + 1))
	DB="$TMPDIR_T/c$n_db.db"
	"$HARTRIAGE" import --db "$DB" "$1" >"$TMPDIR_T/out" 2>"$TMPDIR_T/err"
}
rows() {
	sqlite3 "$DB" "select method,host,status,error from exchanges order by seq" 2>/dev/null
}
src() {
	sqlite3 "$DB" "select format || ' ' || exchanges from sources" 2>/dev/null
}

# check FILE "FORMAT COUNT" [EXPECTED-ROWS]: rows are method|host|status|error,
# one a line, as a reader of the file finds them.  FORMAT "*" accepts any
# importer (the sniffer may send HTTPie output to curl-i or to text).
check() {
	f=$1 want_src=$2
	name=${f#"$CORPUS"/}
	if [ ! -f "$f" ]; then
		skip "$name not in this corpus"
		return
	fi
	import "$f"
	got_src=$(src)
	case $want_src in
	"* "*) got_src="* ${got_src#* }" ;; # any importer will do
	esac
	is "$got_src" "$want_src" "$name: format and exchange count"
	if [ $# -ge 3 ]; then
		is "$(rows)" "$3" "$name: method, host, status, error"
	fi
}

# --- $CORPUS/text --------------------------------------------------------

# A PowerShell 5.1 'curl' (= Invoke-WebRequest) listing; the fence and the
# command were stripped, so there is no URL: status 200 from StatusCode.
check "$CORPUS/text/cnd-powershell-curl-alias-invoke-webrequest.txt" "text 1" "||200|"
f="$CORPUS/text/cnd-powershell-curl-alias-invoke-webrequest.txt"
if [ -f "$f" ]; then
	import "$f"
	is "$(sqlite3 "$DB" "select status_text || ' ' || resp_body from exchanges")" \
		'OK {"status":"Healthy"}' "powershell listing: reason and body"
	is "$(sqlite3 "$DB" "select value from headers h join exchanges e on e.id = h.exchange_id
		where h.name = 'Content-Type' and h.side = 'response'" 2>/dev/null)" \
		"text/plain; charset=utf-8" "powershell listing: RawContent headers"
fi

# 238 `curl --insecure -i -X OPTIONS URL` commands, each followed by its
# output inside <pre><code> (2-space indented) in an HTML table.
f="$CORPUS/text/awscors-output.md"
check "$f" "text 238"
if [ -f "$f" ]; then
	is "$(sqlite3 "$DB" "select method || ' ' || status || ' ' || count(*) from exchanges
		group by method, status order by status")" \
		"OPTIONS 200 174
OPTIONS 204 1
OPTIONS 400 2
OPTIONS 403 53
OPTIONS 404 7
OPTIONS 500 1" "awscors: statuses as in the file"
	is "$(sqlite3 "$DB" "select count(*) from exchanges where host is null or url not like 'https://%'")" \
		"0" "awscors: every exchange has the URL of its command"
	is "$(sqlite3 "$DB" "select method,host,status,error from exchanges where seq in (0, 237) order by seq")" \
		"OPTIONS|access-analyzer.us-east-1.amazonaws.com|200|
OPTIONS|xray.us-east-1.amazonaws.com|200|" "awscors: first and last exchange"
	is "$(sqlite3 "$DB" "select resp_body from exchanges where url = 'https://apigateway.us-east-1.amazonaws.com/v2/apis'")" \
		'{"Message":"Unable to determine service/operation name to be authorized"}' \
		"awscors: JSON error body of a 403"
fi
for f in "$CORPUS"/text/*; do
	case ${f##*/} in
	awscors-output.md | cnd-powershell-curl-alias-invoke-webrequest.txt) ;;
	*) skip "text/${f##*/} has no expectation in t0202 yet" ;;
	esac
done

# --- prose-like captures elsewhere ----------------------------------------

# HTTPie names method and URL after "while doing a"; the error text is
# the part before (an importer may keep the tail too).
f="$CORPUS/generated/httpie-connection-refused.txt"
check "$f" "* 1"
if [ -f "$f" ]; then
	is "$(sqlite3 "$DB" "select method, host, status, error like 'ConnectionError: HTTPConnectionPool(host=''127.0.0.1'', port=1)%Connection refused%'
		from exchanges")" "GET|127.0.0.1|0|1" "${f#"$CORPUS"/}: method, host, status, error"
fi
check "$CORPUS/generated/httpie-v-hello.txt" "curl-i 1" "GET|127.0.0.1|200|"
check "$CORPUS/generated/httpie-v-post-json.txt" "curl-i 1" "POST|127.0.0.1|201|"
check "$CORPUS/generated/httpie-https-h2server.txt" "curl-i 1" "GET|127.0.0.1|200|"
# httpie prints no request without -v: no method, no host.
check "$CORPUS/generated/httpie-404.txt" "curl-i 1" "||404|"
# newman's CLI reporter: one line per request, 11 requests (2 errored).
check "$CORPUS/generated/newman6-cli-output.txt" "text 11" \
	"GET|127.0.0.1|200|
POST|127.0.0.1|201|
GET|127.0.0.1|200|
GET|127.0.0.1|200|
GET|127.0.0.1|200|
GET|127.0.0.1|200|
GET|127.0.0.1|404|
GET|127.0.0.1|502|
POST|127.0.0.1|201|
GET|127.0.0.1|0|connect ECONNREFUSED 127.0.0.1:1
GET|127.0.0.1|0|ESOCKETTIMEDOUT"
# Prose about captures, and output without any HTTP in it: no exchange.
check "$CORPUS/generated/README.md" "text 0" ""
check "$CORPUS/generated/httpie-follow-all-redirect.txt" "not-capture 0" ""

# --- the seed ticket, end to end -----------------------------------------

import "$srcdir/data/samples/seed-ticket/ticket.txt"
is "$(sqlite3 "$DB" "select format, method, url, e.status, status_source from sources s join exchanges e on e.source_id = s.id")" \
	'text|POST|https://ai-gateway.vercel.sh/v1/chat/completions|403|prose: "your API returns 403"' \
	"seed ticket: one exchange, status from the prose"

# --- truncation fuzz -----------------------------------------------------

# 50 deterministic cut points per file; the tool must finish in time and
# exit 0 (done), 1 (finding) or 3 (input not fully read).
fuzz_bad=0
fuzz_runs=0
for f in "$CORPUS"/text/*; do
	[ -f "$f" ] || continue
	size=$(wc -c < "$f")
	k=1
	while [ $k -le 50 ]; do
		cut=$((size * k / 51))
		head -c "$cut" "$f" > "$TMPDIR_T/cut.txt"
		rm -f "$TMPDIR_T/fuzz.db"
		timeout 10 "$HARTRIAGE" import --db "$TMPDIR_T/fuzz.db" "$TMPDIR_T/cut.txt" \
			>/dev/null 2>"$TMPDIR_T/fuzz.err"
		rc=$?
		fuzz_runs=$((fuzz_runs + 1))
		case $rc in
		0 | 1 | 3 | 5) ;; # 5: the cut left nothing to analyze
		*)
			fuzz_bad=$((fuzz_bad + 1))
			diag "${f##*/} cut at $cut bytes: exit $rc"
			head -n 3 "$TMPDIR_T/fuzz.err" | sed 's/^/# /'
			;;
		esac
		k=$((k + 1))
	done
done
is "$fuzz_bad" 0 "truncation fuzz: $fuzz_runs runs exit 0, 1, 3 or 5"

done_testing
