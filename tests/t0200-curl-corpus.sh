#!/bin/sh
# t0200-curl-corpus.sh - every curl / HTTPie capture of the corpus imports
# with the format and the exchanges a reader of the file sees (table below,
# written by reading each file), and every file cut at 50 random points
# imports without a crash or a hang.
. "$srcdir/tests/tap.sh"

[ -d "$CORPUS/curl" ] || skip_all "no corpus at $CORPUS"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"

rules=$TMPDIR_T/no-rules
mkdir -p "$rules"

# file <TAB> format <TAB> exchanges, each "method|host|status|error substring"
# ("-" = NULL, "*" = not checked), separated by ";".
cat > "$TMPDIR_T/table" <<'EOF'
curl/apiary-get.trace	curl-trace	GET|curltraceparser.apiary.io|200|-
curl/apiary-post.trace	curl-trace	POST|curltraceparser.apiary.io|201|-
curl/awscors-http11-200-no-reason.txt	curl-i	OPTIONS|acm.us-east-1.amazonaws.com|200|-
curl/awscors-http11-400.txt	curl-i	OPTIONS|glacier.us-east-1.amazonaws.com|400|-
curl/awscors-http11-403.txt	curl-i	OPTIONS|discovery.us-east-1.amazonaws.com|403|-
curl/awscors-http11-500.txt	curl-i	OPTIONS|session.qldb.us-east-1.amazonaws.com|500|-
curl/awscors-http2-403.txt	curl-i	OPTIONS|amplify.us-east-1.amazonaws.com|403|-
curl/awscors-http2-404.txt	curl-i	OPTIONS|compute-optimizer.us-east-1.amazonaws.com|404|-
curl/montymthl-basic_proxy.txt	curl-v	GET|apple.com|301|-
curl/montymthl-connect_proxy.txt	curl-v	CONNECT|apple.com|200|-;GET|apple.com|301|-
curl/montymthl-relay_connect_proxy.txt	curl-v	CONNECT|api.myip.la|200|-;GET|api.myip.la|200|-
curl/montymthl-relay_proxy.txt	curl-v	GET|api.myip.la|200|-
generated/curl-D-dump-header.txt	curl-i	-|-|200|-
generated/curl-I-head-404.txt	curl-i	-|-|404|-
generated/curl-i-204.txt	curl-i	-|-|204|-
generated/curl-i-502.txt	curl-i	-|-|502|-
generated/curl-i-chunked.txt	curl-i	-|-|200|-
generated/curl-i-expect100.txt	curl-i	-|-|201|-
generated/curl-i-hello.txt	curl-i	-|-|200|-
generated/curl-i-http1.1-to-h2server.txt	curl-i	-|-|200|-
generated/curl-i-http2-403.txt	curl-i	-|-|403|-
generated/curl-i-http2.txt	curl-i	-|-|200|-
generated/curl-i-proxy-connect.txt	curl-i	CONNECT|-|200|-;*|-|200|-
generated/curl-i-tty-styled-ansi.txt	curl-i	-|-|200|-
generated/curl-iL-http2-redirect.txt	curl-i	-|-|301|-;*|*|200|-
generated/curl-iL-redirect.txt	curl-i	-|-|302|-;*|*|301|-;*|127.0.0.1|200|-
generated/curl-trace-ascii-hello.txt	curl-trace	GET|127.0.0.1|200|-
generated/curl-trace-ascii-http2.txt	curl-trace	GET|127.0.0.1|200|-
generated/curl-trace-ascii-time-post.txt	curl-trace	POST|127.0.0.1|201|-
generated/curl-trace-hex-time-post.txt	curl-trace	POST|127.0.0.1|201|-
generated/curl-trace-hex-utf8.txt	curl-trace	GET|127.0.0.1|200|-
generated/curl-v-connection-refused.txt	curl-v	*|127.0.0.1|0|Couldn't connect to server
generated/curl-v-expect100.combined.txt	curl-v	POST|127.0.0.1|201|-
generated/curl-v-h2c-prior-knowledge.txt	curl-v	GET|127.0.0.1|200|-
generated/curl-v-hello-combined-2to1.txt	curl-v	GET|127.0.0.1|200|-
generated/curl-v-hello.stderr.txt	curl-v	GET|127.0.0.1|200|-
generated/curl-v-http2.txt	curl-v	GET|127.0.0.1|200|-
generated/curl-v-i-gzip-interleaved.txt	curl-v	GET|127.0.0.1|200|-
generated/curl-v-proxy-connect.txt	curl-v	CONNECT|127.0.0.1|200|-;GET|127.0.0.1|200|-
generated/curl-v-timeout.txt	curl-v	GET|127.0.0.1|0|Operation timed out after 1001 milliseconds
generated/curl-v-tls-insecure.txt	curl-v	GET|127.0.0.1|200|-
generated/curl-v-tls-selfsigned-fail.txt	curl-v	*|127.0.0.1|0|SSL certificate problem: self-signed certificate
generated/curl-v-tty-progress-meter.txt	curl-v	GET|127.0.0.1|200|-
generated/curl-vL-redirect.combined.txt	curl-v	GET|127.0.0.1|302|-;GET|127.0.0.1|301|-;GET|127.0.0.1|200|-
generated/curl-vv-trace-time.txt	curl-v	GET|127.0.0.1|200|-
generated/httpie-404.txt	curl-i	-|-|404|-
generated/httpie-connection-refused.txt	curl-i	GET|127.0.0.1|0|Connection refused
generated/httpie-https-h2server.txt	curl-i	GET|127.0.0.1|200|-
generated/httpie-v-hello.txt	curl-i	GET|127.0.0.1|200|-
generated/httpie-v-post-json.txt	curl-i	POST|127.0.0.1|201|-
generated/curl-v-hello.stdout.txt	not-capture	
generated/httpie-follow-all-redirect.txt	not-capture	
generated/curl-w-simple.txt	not-capture	
generated/curl-w-json.txt	curl-i	GET|127.0.0.1|200|-
EOF

# Facts a reader checks: URL, body, redirect chain, exit code (file, sql, want).
cat > "$TMPDIR_T/facts" <<'EOF'
generated/curl-v-hello-combined-2to1.txt	select url||' '||resp_body from exchanges	http://127.0.0.1:18080/hello Hello, world!
generated/curl-v-http2.txt	select url||' '||http_version from exchanges	https://127.0.0.1:18444/hello HTTP/2
generated/curl-vL-redirect.combined.txt	select group_concat(coalesce(redirect_of,'-'),',') from exchanges	-,0,1
generated/curl-iL-redirect.txt	select group_concat(coalesce(redirect_of,'-'),',') from exchanges	-,0,1
generated/curl-v-timeout.txt	select exit_code from exchanges	28
generated/curl-v-proxy-connect.txt	select group_concat(url,' ') from exchanges	127.0.0.1:18443 https://127.0.0.1:18443/final
curl/montymthl-relay_connect_proxy.txt	select resp_body from exchanges where seq=1	x.x.x.x
generated/curl-trace-hex-utf8.txt	select resp_body from exchanges	Grüße, 世界 ✓
generated/curl-trace-ascii-time-post.txt	select req_body from exchanges	name=John+Doe&email=j%40example.com
generated/curl-i-tty-styled-ansi.txt	select group_concat(name,',') from headers where exchange_id=(select id from exchanges) and side='response'	Server,Date,Content-Type,Set-Cookie,Set-Cookie,X-Dup,X-Dup,Content-Length
generated/curl-v-i-gzip-interleaved.txt	select substr(resp_body,1,14) from exchanges	{"compressed":
generated/curl-v-tls-selfsigned-fail.txt	select count(*) from transcript where line like '%self-signed%'	1
generated/curl-w-json.txt	select url||' '||http_version||' '||time_total from exchanges	http://127.0.0.1:18080/hello HTTP/1.1 1.201
EOF

db=$TMPDIR_T/corpus.db
while IFS='	' read -r file fmt want; do
	f=$CORPUS/$file
	if [ ! -f "$f" ]; then
		skip "$file not in the corpus"
		continue
	fi
	rm -f "$db"
	HARTRIAGE_RULES=$rules "$HARTRIAGE" import -q --db "$db" "$f" >/dev/null 2>&1
	got_fmt=$(sqlite3 "$db" "select format from sources" 2>/dev/null)
	is "$got_fmt" "$fmt" "$file: format"
	[ -n "$want" ] || continue
	is "$(sqlite3 "$db" "select status from sources" 2>/dev/null)" ok "$file: imported completely"
	n_want=$(printf '%s' "$want" | awk -F';' '{print NF}')
	n_got=$(sqlite3 "$db" "select count(*) from exchanges" 2>/dev/null)
	is "$n_got" "$n_want" "$file: $n_want exchange(s)"
	i=0
	printf '%s\n' "$want" | tr ';' '\n' > "$TMPDIR_T/want"
	while IFS='|' read -r m h st err; do
		row=$(sqlite3 -separator '|' "$db" "select coalesce(method,'-'), coalesce(host,'-'),
			coalesce(status,'-'), coalesce(error,'-') from exchanges where seq=$i" 2>/dev/null)
		gm=$(echo "$row" | cut -d'|' -f1)
		gh=$(echo "$row" | cut -d'|' -f2)
		gs=$(echo "$row" | cut -d'|' -f3)
		ge=$(echo "$row" | cut -d'|' -f4-)
		[ "$m" = '*' ] && gm='*'
		[ "$h" = '*' ] && gh='*'
		is "$gm|$gh|$gs" "$m|$h|$st" "$file #$i: method, host, status"
		if [ "$err" = - ]; then
			is "$ge" "-" "$file #$i: no error"
		else
			case $ge in
			*"$err"*) ok 0 "$file #$i: error mentions '$err'" ;;
			*) ok 1 "$file #$i: error mentions '$err'"; diag "got error: $ge" ;;
			esac
		fi
		i=$((i + 1))
	done < "$TMPDIR_T/want"
done < "$TMPDIR_T/table"

while IFS='	' read -r file sql want; do
	f=$CORPUS/$file
	if [ ! -f "$f" ]; then
		skip "$file not in the corpus"
		continue
	fi
	rm -f "$db"
	HARTRIAGE_RULES=$rules "$HARTRIAGE" import -q --db "$db" "$f" >/dev/null 2>&1
	got=$(sqlite3 "$db" "$sql" 2>/dev/null | tr -d '\r' | sed -e :a -e '$!N;s/\n$//;ta' | tr '\n' ' ' | sed 's/ *$//')
	is "$got" "$want" "$file: $sql"
done < "$TMPDIR_T/facts"

# Text files of the corpus: detected as text, not as a curl capture.
for t in text/awscors-output.md text/cnd-powershell-curl-alias-invoke-webrequest.txt; do
	if [ ! -f "$CORPUS/$t" ]; then
		skip "$t not in the corpus"
		continue
	fi
	rm -f "$db"
	HARTRIAGE_RULES=$rules "$HARTRIAGE" import -q --db "$db" "$CORPUS/$t" >/dev/null 2>&1
	is "$(sqlite3 "$db" "select format from sources" 2>/dev/null)" text "$t: format text"
done

# Truncation: each curl capture cut at 50 random points (fixed seed) goes
# through the curl importer; exit 0, 1, 3 or 5 only (no signal, no hang).
command -v timeout >/dev/null 2>&1 || { skip "timeout is not installed"; done_testing; exit $?; }
seed=1
cuts=$TMPDIR_T/cuts
while IFS='	' read -r file fmt want; do
	f=$CORPUS/$file
	case $fmt in curl-*) ;; *) continue ;; esac
	[ -f "$f" ] || continue
	rm -rf "$cuts" && mkdir -p "$cuts"
	size=$(wc -c < "$f")
	awk -v n="$size" -v s="$seed" 'BEGIN { srand(s); for (i = 0; i < 50; i++) print int(rand() * n) }' |
	while read -r cut; do
		head -c "$cut" "$f" > "$cuts/cut-$cut.txt"
	done
	seed=$((seed + 1))
	rm -f "$db"
	HARTRIAGE_RULES=$rules timeout 120 "$HARTRIAGE" import -q --db "$db" --format-hint "$fmt" \
		"$cuts"/cut-*.txt >/dev/null 2>"$TMPDIR_T/cut.err"
	rc=$?
	case $rc in
	0|1|3|5) ok 0 "$file cut at 50 points: exit $rc" ;; # 5: no cut held an exchange
	*) ok 1 "$file cut at 50 points: exit $rc"; head -5 "$TMPDIR_T/cut.err" | while read -r l; do diag "$l"; done ;;
	esac
done < "$TMPDIR_T/table"

done_testing
