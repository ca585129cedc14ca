#!/bin/sh
# Crash consistency of --db: kill -9 at several points of a large import
# leaves a database that passes PRAGMA integrity_check and holds no
# half-imported source; running the import again completes it, and the
# report then equals that of an uninterrupted run.  SIGINT and SIGTERM
# roll back the source being imported, checkpoint the WAL and leave no
# partial report behind.
. "$srcdir/tests/tap.sh"
command -v python3 > /dev/null 2>&1 || skip_all "python3 not installed"
python3 -c 'import sqlite3' 2> /dev/null || skip_all "python3 has no sqlite3 module"

HARTRIAGE_REDACT_KEY=crash-test-key
export HARTRIAGE_REDACT_KEY
sql() {
	python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
r = c.execute(sys.argv[2]).fetchone()
print(r[0] if r else "")' "$1" "$2"
}
# stored DB: committed sources (0 before the schema exists).
stored() {
	python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
t = c.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = \"sources\"").fetchone()[0]
print(c.execute("SELECT COUNT(*) FROM sources").fetchone()[0] if t else 0)' "$1" 2> /dev/null || echo 0
}
# consistent DB WHAT: integrity, no pending source, every source's rows.
consistent() {
	is "$(sql "$1" 'PRAGMA integrity_check')" ok "$2: integrity check"
	if [ "$(sql "$1" "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sources'")" = 0 ]; then
		diag "$2: killed before the schema was created"
		return
	fi
	is "$(sql "$1" "SELECT COUNT(*) FROM sources WHERE status NOT IN ('ok', 'partial', 'error', 'not-capture')")" 0 \
		"$2: no half-imported source"
	is "$(sql "$1" 'SELECT COUNT(*) FROM sources s WHERE s.exchanges <> (SELECT COUNT(*) FROM exchanges e WHERE e.source_id = s.id)')" 0 \
		"$2: every source holds all its exchanges"
}

IN="$TMPDIR_T/in"
mkdir -p "$IN"
# A large import: several generated HARs, the largest last.
for n in 1 2 3 4; do
	python3 "$srcdir/bench/gen-har.py" $((300 + n)) "$IN/big-$n.har"
done
printf 'HTTP/1.1 503 Service Unavailable\r\nX-Request-Id: crash-1\r\n\r\ndown\n' > "$IN/small.txt"

"$HARTRIAGE" import -q --db "$TMPDIR_T/ref.db" "$IN" 2> /dev/null
"$HARTRIAGE" match --db "$TMPDIR_T/ref.db" --rules "$srcdir/rules" 2> /dev/null
"$HARTRIAGE" report --db "$TMPDIR_T/ref.db" -o "$TMPDIR_T/ref.md" 2> /dev/null
nsrc=$(sql "$TMPDIR_T/ref.db" 'SELECT COUNT(*) FROM sources')
is "$nsrc" 5 "an uninterrupted import stores every source"

# kill -9 at several points: inside the first source, and inside the
# 2nd, 3rd and 4th, just after the one before was committed.  A poller
# reads the database (WAL: readers never wait) and kills the import.
# killer DB PID K DELAY [SIGNAL]: send SIGNAL (default 9) DELAY seconds
# after DB holds K sources.
killer() {
	python3 -c 'import os, sqlite3, sys, time
db, pid, k, delay = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
sig = int(sys.argv[5]) if len(sys.argv) > 5 else 9
end = time.time() + 120
while time.time() < end:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(0)
    n = -1
    if os.path.exists(db):
        try:
            c = sqlite3.connect(db, timeout=0)
            n = c.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
            c.close()
        except sqlite3.Error:
            n = 0
    if n >= k:
        time.sleep(delay)
        os.kill(pid, sig)
        sys.exit(0)
    time.sleep(0.02)' "$@"
}
for point in 0:0.3 0:1.0 1:0.1 2:0.1 3:0.1; do
	k=${point%%:*}
	delay=${point#*:}
	db="$TMPDIR_T/k$point.db"
	"$HARTRIAGE" import -q --db "$db" "$IN" 2> /dev/null &
	pid=$!
	killer "$db" "$pid" "$k" "$delay"
	wait "$pid" 2> /dev/null
	what="kill -9 ${delay}s after $k sources"
	if [ -e "$db" ]; then
		diag "$what: $(stored "$db") of $nsrc sources stored when killed"
		consistent "$db" "$what"
	else
		diag "$what: killed before the database was created"
	fi
	"$HARTRIAGE" import -q --db "$db" "$IN" 2> /dev/null
	is "$?" 0 "$what: the import runs again"
	"$HARTRIAGE" match --db "$db" --rules "$srcdir/rules" 2> /dev/null
	"$HARTRIAGE" report --db "$db" -o "$TMPDIR_T/k.md" 2> /dev/null
	cmp -s "$TMPDIR_T/ref.md" "$TMPDIR_T/k.md"
	ok $? "$what: the completed run reports as an uninterrupted one"
done

# SIGINT / SIGTERM: the source being imported is rolled back, the WAL is
# checkpointed and removed, no partial report is left.  The signal comes
# once the first large capture is stored, while the others are read.
for sig in INT TERM; do
	db="$TMPDIR_T/sig-$sig.db"
	"$HARTRIAGE" import -q --db "$db" "$IN/small.txt" 2> /dev/null
	"$HARTRIAGE" analyze -q --db "$db" --rules "$srcdir/rules" -o "$TMPDIR_T/sig-$sig.md" "$IN" \
		2> "$TMPDIR_T/sig-$sig.err" &
	pid=$!
	case $sig in INT) signum=2 ;; TERM) signum=15 ;; esac
	killer "$db" "$pid" 2 0 "$signum"
	status=0
	wait "$pid" || status=$?
	if [ "$status" -eq 0 ]; then
		skip "SIG$sig arrived after the run ended"
		continue
	fi
	case $sig in INT) want=130 ;; TERM) want=143 ;; esac
	is "$status" "$want" "SIG$sig: the run ends by the signal"
	grep -q 'interrupted' "$TMPDIR_T/sig-$sig.err"
	ok $? "SIG$sig: says it was interrupted"
	ok "$([ ! -e "$TMPDIR_T/sig-$sig.md" ]; echo $?)" "SIG$sig: no partial report"
	ok "$([ ! -s "$db-wal" ]; echo $?)" "SIG$sig: the WAL was checkpointed"
	consistent "$db" "SIG$sig"
done

done_testing
