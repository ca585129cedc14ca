#!/bin/sh
# t0201-curl-live.sh - real `curl -v` failures made against 127.0.0.1 import
# as exchanges with the right status, error and exit code, and (when the
# rules are there) raise the right finding.  Cases whose tool is missing
# (openssl, socat / nc / python3) are skipped one by one.
. "$srcdir/tests/tap.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
command -v timeout >/dev/null 2>&1 || skip_all "timeout is not installed"
have_sqlite=0
command -v sqlite3 >/dev/null 2>&1 && have_sqlite=1

rules=${HARTRIAGE_RULES:-}
pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$TMPDIR_T"
}
trap cleanup EXIT

# A TCP port on 127.0.0.1 that nothing listens on (curl gets "refused").
free_port() {
	p=$(( 20000 + ($$ * 7 + ${1:-0} * 131) % 30000 ))
	n=0
	while [ $n -lt 50 ]; do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/" 2>/dev/null
		[ $? -eq 7 ] && { echo "$p"; return 0; }
		p=$((p + 1))
		n=$((n + 1))
	done
	return 1
}

# Wait until something accepts connections on the port (up to 5 s).
wait_port() {
	n=0
	while [ $n -lt 50 ]; do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" 2>/dev/null
		[ $? -ne 7 ] && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

# check NAME FILE STATUS ERROR-SUBSTRING EXIT RULE: import the transcript,
# then check the last exchange and the finding.
check() {
	name=$1 file=$2 want_status=$3 want_err=$4 want_exit=$5 want_rule=$6
	db=$TMPDIR_T/$name.db
	rm -f "$db"
	"$HARTRIAGE" import -q --db "$db" "$file" >/dev/null 2>"$TMPDIR_T/err"
	ok $? "$name: imports"
	if [ $have_sqlite -eq 1 ]; then
		row=$(sqlite3 -separator '|' "$db" "select s.format, e.status, coalesce(e.exit_code,'-')
			from exchanges e join sources s on s.id = e.source_id order by e.seq desc limit 1")
		is "$row" "curl-v|$want_status|$want_exit" "$name: format, status, exit code"
		err=$(sqlite3 "$db" "select coalesce(error,'') from exchanges order by seq desc limit 1")
		case $err in
		*"$want_err"*) ok 0 "$name: error mentions '$want_err'" ;;
		*) ok 1 "$name: error mentions '$want_err'"; diag "error: $err"; sed 's/^/# /' "$file" ;;
		esac
	else
		skip "$name: sqlite3 is not installed"
	fi
	if [ -n "$rules" ] && [ -f "$rules/${want_rule%%.*}/$want_rule.yaml" ]; then
		"$HARTRIAGE" analyze -q --format json --rules "$rules" "$file" > "$TMPDIR_T/$name.json" 2>/dev/null
		grep -q "\"rule\": *\"$want_rule\"" "$TMPDIR_T/$name.json"
		ok $? "$name: finding $want_rule"
	else
		skip "$name: rule $want_rule not available"
	fi
}

# 1. DNS failure of a reserved name.
curl -v --max-time 10 "https://no-such-host.hartriage.invalid/ping" > "$TMPDIR_T/dns.txt" 2>&1
check dns "$TMPDIR_T/dns.txt" 0 "Could not resolve host: no-such-host.hartriage.invalid" 6 \
	curl.could-not-resolve-host

# 2. Connection refused on a port nothing listens on.
port=$(free_port 1)
if [ -n "$port" ]; then
	curl -v --max-time 5 "http://127.0.0.1:$port/refused" > "$TMPDIR_T/refused.txt" 2>&1
	check refused "$TMPDIR_T/refused.txt" 0 "127.0.0.1 port $port" 7 curl.connection-refused
else
	skip "refused: no free port"
fi

# 3. Self-signed certificate (openssl s_server), and a host-name mismatch
#    when the same certificate is trusted but the URL names the IP.
if command -v openssl >/dev/null 2>&1 && port=$(free_port 2); then
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
		-keyout "$TMPDIR_T/key.pem" -out "$TMPDIR_T/cert.pem" >/dev/null 2>&1
	openssl s_server -quiet -www -accept "127.0.0.1:$port" -cert "$TMPDIR_T/cert.pem" \
		-key "$TMPDIR_T/key.pem" >/dev/null 2>&1 &
	pids="$pids $!"
	if wait_port "$port"; then
		curl -v --max-time 5 "https://127.0.0.1:$port/" > "$TMPDIR_T/selfsigned.txt" 2>&1
		check selfsigned "$TMPDIR_T/selfsigned.txt" 0 "self-signed certificate" 60 curl.ssl-self-signed
		curl -v --max-time 5 --cacert "$TMPDIR_T/cert.pem" "https://127.0.0.1:$port/" \
			> "$TMPDIR_T/mismatch.txt" 2>&1
		check mismatch "$TMPDIR_T/mismatch.txt" 0 "target host name" 60 curl.ssl-hostname-mismatch
	else
		skip "selfsigned: openssl s_server did not start"
		skip "mismatch: openssl s_server did not start"
	fi
else
	skip "selfsigned: openssl is not installed"
	skip "mismatch: openssl is not installed"
fi

# A listener on $1 that runs the shell snippet $2 for every connection, with
# socat, else nc (one connection at a time), else python3.  Prints the pid.
serve() {
	# the snippet goes to a file: socat's address syntax would eat ':' and ','
	printf '%s\n' "$2" > "$TMPDIR_T/serve-$1.sh"
	if command -v socat >/dev/null 2>&1; then
		socat "TCP-LISTEN:$1,bind=127.0.0.1,reuseaddr,fork" SYSTEM:"sh $TMPDIR_T/serve-$1.sh" \
			>/dev/null 2>&1 &
		echo $!
	elif command -v nc >/dev/null 2>&1; then
		( while :; do sh "$TMPDIR_T/serve-$1.sh" </dev/null | nc -l 127.0.0.1 "$1"; done ) \
			>/dev/null 2>&1 &
		echo $!
	elif command -v python3 >/dev/null 2>&1; then
		python3 -c '
import socket, subprocess, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
def run(c):
    subprocess.run(["sh", sys.argv[2]], stdin=c.makefile("rb"), stdout=c.makefile("wb"))
    c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=run, args=(c,), daemon=True).start()
' "$1" "$TMPDIR_T/serve-$1.sh" >/dev/null 2>&1 &
		echo $!
	else
		return 1
	fi
}

# 4. Timeout: a listener that accepts and never answers.
port=$(free_port 3)
if [ -n "$port" ] && pid=$(serve "$port" "sleep 8"); then
	pids="$pids $pid"
	if wait_port "$port"; then
		curl -v --max-time 1 "http://127.0.0.1:$port/slow" > "$TMPDIR_T/timeout.txt" 2>&1
		check timeout "$TMPDIR_T/timeout.txt" 0 "timed out" 28 curl.timeout
	else
		skip "timeout: listener did not start"
	fi
else
	skip "timeout: no socat, nc or python3"
fi

# 5. Redirect loop: every answer is a 302 to itself; --max-redirs 3.
port=$(free_port 4)
loop='while read -r l; do [ ${#l} -le 1 ] && break; done; printf "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"'
if [ -n "$port" ] && { command -v socat >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1; }; then
	if pid=$(serve "$port" "$loop"); then
		pids="$pids $pid"
		if wait_port "$port"; then
			curl -v -L --max-redirs 3 --max-time 10 "http://127.0.0.1:$port/loop" \
				> "$TMPDIR_T/loop.txt" 2>&1
			check loop "$TMPDIR_T/loop.txt" 302 "Maximum (3) redirects followed" 47 http.redirect-loop
			if [ $have_sqlite -eq 1 ]; then
				chain=$(sqlite3 "$TMPDIR_T/loop.db" "select group_concat(coalesce(redirect_of,'-'),',')
					from (select redirect_of from exchanges order by seq)")
				is "$chain" "-,0,1,2" "loop: four hops chained"
			fi
		else
			skip "loop: listener did not start"
		fi
	else
		skip "loop: no listener"
	fi
else
	skip "loop: needs socat or python3 (nc serves one connection at a time)"
fi

done_testing
