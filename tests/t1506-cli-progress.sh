#!/bin/sh
# Progress and Ctrl-C: on a terminal the progress line shows the bytes read
# of the current file while it is being read, then matching, then writing;
# off a terminal nothing.  SIGINT during a run leaves no report, no -wal
# file and no half-imported source, and ends the process by the signal.
. "$srcdir/tests/tap.sh"
command -v python3 > /dev/null 2>&1 || skip_all "python3 not installed"

# A HAR of about 3 MB, written in two halves into a FIFO with a pause
# between them: the read of the one capture spans several seconds.
python3 "$srcdir/bench/gen-har.py" 200 "$TMPDIR_T/big.har" > /dev/null 2>&1
size=$(wc -c < "$TMPDIR_T/big.har" | tr -d ' ')
[ "$size" -gt 1000000 ]
ok $? "a test HAR of $size bytes"
half=$((size / 2))
feed() {
	# feed FIFO SECONDS: the first half, a pause, the rest.
	{ head -c "$half" "$TMPDIR_T/big.har"; sleep "$2"; tail -c +"$((half + 1))" "$TMPDIR_T/big.har"; } > "$1"
}

if command -v script > /dev/null 2>&1 && script -qc true /dev/null > /dev/null 2>&1; then
	mkfifo "$TMPDIR_T/f1"
	feed "$TMPDIR_T/f1" 2 &
	script -qc "'$HARTRIAGE' analyze -o '$TMPDIR_T/tty.md' '$TMPDIR_T/f1'" "$TMPDIR_T/tty.out" > /dev/null 2>&1
	wait
	tr '\r' '\n' < "$TMPDIR_T/tty.out" > "$TMPDIR_T/tty.txt"
	grep -q "^hartriage: reading $TMPDIR_T/f1: [0-9.]* MB, [0-9]* exchanges* so far, [0-9]*s" "$TMPDIR_T/tty.txt"
	ok $? "on a terminal: bytes read of the current file while it is read"
	grep -q '^hartriage: matching' "$TMPDIR_T/tty.txt"
	ok $? "on a terminal: then matching"
	grep -q '^hartriage: writing the report' "$TMPDIR_T/tty.txt"
	ok $? "on a terminal: then writing"
	grep '^hartriage: ' "$TMPDIR_T/tty.txt" | sed 's/\x1b\[K//g; s/^/# /' | head -8
else
	skip "script(1) cannot make a terminal"
	skip "script(1) cannot make a terminal"
	skip "script(1) cannot make a terminal"
fi
"$HARTRIAGE" analyze -o "$TMPDIR_T/quiet.md" "$TMPDIR_T/big.har" 2> "$TMPDIR_T/quiet.err"
is "$?" 0 "off a terminal: exit 0"
[ ! -s "$TMPDIR_T/quiet.err" ]
ok $? "off a terminal: no progress line"

# SIGINT while the capture is being read.
mkfifo "$TMPDIR_T/f2"
db="$TMPDIR_T/int.db"
"$HARTRIAGE" import -q --db "$db" "$srcdir/data/samples/seed-ticket/curl-i.txt" > /dev/null 2>&1
feed "$TMPDIR_T/f2" 3 &
feeder=$!
"$HARTRIAGE" analyze -q --db "$db" -o "$TMPDIR_T/int.md" "$TMPDIR_T/f2" 2> "$TMPDIR_T/int.err" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
st=$?
wait "$feeder"
is "$st" 130 "SIGINT: the process ends by the signal (status 130)"
[ ! -e "$TMPDIR_T/int.md" ]
ok $? "SIGINT: no report file is left"
[ ! -e "$db-wal" ]
ok $? "SIGINT: no -wal file is left (the WAL was checkpointed)"
grep -q '^hartriage: interrupted' "$TMPDIR_T/int.err"
ok $? "SIGINT: says it was interrupted"
if command -v sqlite3 > /dev/null 2>&1; then
	is "$(sqlite3 "$db" 'SELECT COUNT(*) FROM sources')" 1 "SIGINT: the source being read is rolled back, the one before is kept"
else
	skip "sqlite3 not installed"
fi

done_testing
