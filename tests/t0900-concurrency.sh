#!/bin/sh
# Two writers on one database (--db): the second waits for the first and
# both sources end up stored; with --no-wait it stops with exit status 4
# and a message instead; it never crashes (it once died of a double free
# in store_open() when the database was locked).  A third process holding
# the write lock is simulated with Python's sqlite3 module.
. "$srcdir/tests/tap.sh"
command -v python3 > /dev/null 2>&1 || skip_all "python3 not installed"
python3 -c 'import sqlite3' 2> /dev/null || skip_all "python3 has no sqlite3 module"

D="$TMPDIR_T/c.db"
# sql DB QUERY: the first column of the first row.
sql() {
	python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
r = c.execute(sys.argv[2]).fetchone()
print(r[0] if r else "")' "$1" "$2"
}
# hold DB SECONDS FLAG: hold the write lock of DB for SECONDS, touching
# FLAG once it is held.
hold() {
	python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (\"lock-test\", \"1\")")
open(sys.argv[3], "w").close()
time.sleep(float(sys.argv[2]))
c.execute("COMMIT")' "$1" "$2" "$3" &
	holder=$!
	n=0
	while [ ! -e "$3" ] && [ $n -lt 300 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}
curl_i() {
	printf 'HTTP/1.1 %s Whatever\r\nContent-Type: text/plain\r\nX-Request-Id: req-%s\r\n\r\nbody %s\n' "$1" "$2" "$2"
}
for i in 1 2 3 4 5 6; do
	curl_i 503 "$i" > "$TMPDIR_T/s$i.txt"
done

"$HARTRIAGE" import -q --db "$D" "$TMPDIR_T/s1.txt" 2> "$TMPDIR_T/err0"
is "$?" 0 "a first import creates the database"
is "$(sql "$D" 'PRAGMA journal_mode')" wal "the database is in WAL mode"

# --no-wait while another process holds the write lock: exit 4, a clear
# message, nothing stored, no crash.
hold "$D" 3 "$TMPDIR_T/held1"
status=0
"$HARTRIAGE" import -q --no-wait --db "$D" "$TMPDIR_T/s2.txt" 2> "$TMPDIR_T/err1" || status=$?
is "$status" 4 "--no-wait on a locked database exits 4"
grep -q 'another process' "$TMPDIR_T/err1"
ok $? "--no-wait says another process is writing"
grep -q 'no-wait' "$TMPDIR_T/err1"
ok $? "--no-wait names the option"
grep -qi 'double free\|abort\|core' "$TMPDIR_T/err1"
ok $((! $?)) "no crash"
wait "$holder"
is "$(sql "$D" "SELECT COUNT(*) FROM sources WHERE path LIKE '%s2.txt'")" 0 \
	"the refused input was not half-stored"

# Without --no-wait the second writer waits for the lock, then imports.
hold "$D" 2 "$TMPDIR_T/held2"
status=0
"$HARTRIAGE" import -q --db "$D" "$TMPDIR_T/s2.txt" 2> "$TMPDIR_T/err2" || status=$?
is "$status" 0 "a writer waits for the lock and succeeds"
wait "$holder"
is "$(sql "$D" "SELECT COUNT(*) FROM sources WHERE path LIKE '%s2.txt' AND status = 'ok'")" 1 \
	"the waiting writer's input is stored"

# On a terminal the wait is said (script(1) gives the writer a tty).
if command -v script > /dev/null 2>&1; then
	hold "$D" 2 "$TMPDIR_T/held3"
	script -qec "'$HARTRIAGE' import --db '$D' '$TMPDIR_T/s3.txt'" /dev/null \
		> "$TMPDIR_T/tty3" 2>&1 < /dev/null
	wait "$holder"
	grep -q 'waiting' "$TMPDIR_T/tty3"
	ok $? "on a terminal the writer says it is waiting for the lock"
else
	skip "script(1) not installed"
fi

# Two hartriage writers at once, on a new database and on an existing one.
for db in "$TMPDIR_T/new.db" "$D"; do
	"$HARTRIAGE" import -q --db "$db" "$TMPDIR_T/s4.txt" 2> "$TMPDIR_T/e4" &
	p1=$!
	"$HARTRIAGE" import -q --db "$db" "$TMPDIR_T/s5.txt" "$TMPDIR_T/s6.txt" 2> "$TMPDIR_T/e5" &
	p2=$!
	s1=0
	s2=0
	wait $p1 || s1=$?
	wait $p2 || s2=$?
	is "$s1.$s2" 0.0 "two writers at once both succeed ($(basename "$db"))"
	is "$(sql "$db" "SELECT COUNT(*) FROM sources WHERE path LIKE '%s4.txt' OR path LIKE '%s5.txt' OR path LIKE '%s6.txt'")" 3 \
		"both writers' inputs are stored ($(basename "$db"))"
	is "$(sql "$db" 'PRAGMA integrity_check')" ok "integrity check ($(basename "$db"))"
done

done_testing
