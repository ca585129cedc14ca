#!/bin/sh
# Sharded batch runs (docs/scale.md): --shard K/N splits an inbox by a
# stable hash of the ticket name, 'merge' joins the shard databases, and
# 'report --per-ticket' from the merged database writes the same reports
# and index.md, byte for byte, as one run over the whole inbox.  Also the
# refusals: bad K/N, another schema version, a database given twice,
# shards of another key, and sources merged twice.
. "$srcdir/tests/tap.sh"
for tool in zip tar gzip bsdtar sha256sum; do
	command -v $tool > /dev/null 2>&1 || skip_all "$tool not installed"
done
H=$HARTRIAGE
R="--no-default-rules --rules $srcdir/rules"
T=$TMPDIR_T

# The documented shard formula, in the shell: the first 16 hex digits of
# SHA-256 of the ticket name, as a number, modulo N.
shard_of() {
	h=$(printf '%s' "$1" | sha256sum | cut -c1-16)
	r=0
	for d in $(printf '%s' "$h" | sed 's/./& /g'); do
		r=$(((r * 16 + 0x$d) % $2))
	done
	echo $r
}

# --- usage errors of --shard K/N -------------------------------------------
printf 'HTTP/1.1 503 Busy\r\nContent-Type: text/plain\r\n\r\nbusy\n' > "$T/one.txt"
for bad in 3/3 1 a/3 0/0 -1/3 1/ /3 0/100001 " 0/3" 0/3x; do
	status=0
	"$H" import --db "$T/bad.db" --shard "$bad" "$T/one.txt" 2> "$T/err" || status=$?
	is "$status" 2 "--shard '$bad' is a usage error"
done
grep -q "^hartriage: invalid --shard '0/3x': expected K/N, two numbers such as 0/3$" "$T/err"
ok $? "the message names the option and the value"
"$H" import --db "$T/bad.db" --shard 3/3 "$T/one.txt" 2>&1 | grep -q "K must be 0 to 2"
ok $? "K/N out of range says shards count from 0"
"$H" import --db "$T/bad.db" --shard 3/3 "$T/one.txt" 2>&1 | grep -q "^Try 'hartriage import --help'"
ok $? "a bad --shard points at --help"
[ ! -e "$T/bad.db" ]
ok $? "a usage error writes no database"

# --- the formula ------------------------------------------------------------
mkdir -p "$T/few"
for t in alpha beta gamma delta epsilon zeta eta theta; do
	mkdir -p "$T/few/$t"
	printf 'HTTP/1.1 503 Busy\r\nX-Request-Id: %s\r\n\r\nbusy %s\n' "$t" "$t" > "$T/few/$t/a.txt"
done
want=
got=
for k in 0 1 2; do
	"$H" import -q --db "$T/few$k.db" --shard $k/3 "$T/few" 2> /dev/null
	"$H" match -q $R --db "$T/few$k.db" 2> /dev/null
	"$H" report --db "$T/few$k.db" --per-ticket "$T/few$k" > /dev/null 2>&1
	for t in alpha beta gamma delta epsilon zeta eta theta; do
		[ "$(shard_of $t 3)" = $k ] && want="$want $k:$t"
		[ -f "$T/few$k/$t.md" ] && got="$got $k:$t"
	done
done
is "$got" "$want" "each shard holds the tickets of the documented formula (sha256sum in a shell)"
"$H" import -v --db "$T/fewv.db" --shard 2/3 "$T/few" 2> "$T/err"
grep -q "^hartriage: shard 2/3: $((8 - $(echo "$want" | tr ' ' '\n' | grep -c '^2:'))) tickets of the inputs left to the other shards" "$T/err"
ok $? "-v says how many tickets went to the other shards"
status=0
"$H" import --db "$T/few-none.db" --shard 0/1 "$T/few" 2> "$T/err" || status=$?
is "$status" 0 "--shard 0/1 is every ticket"
"$H" import -q --db "$T/fewj.db" --shard 1/3 -j 2 "$T/few" 2> /dev/null
"$H" match -q $R --db "$T/fewj.db" 2> /dev/null
"$H" report --db "$T/fewj.db" --per-ticket "$T/fewj" > /dev/null 2>&1
diff -r "$T/few1" "$T/fewj" > /dev/null
ok $? "--shard with --jobs 2 takes the same tickets"

# --- merge refusals ---------------------------------------------------------
status=0
"$H" merge --db "$T/m.db" 2> "$T/err" || status=$?
is "$status" 2 "merge without a shard is a usage error"
status=0
"$H" merge "$T/few0.db" 2> "$T/err" || status=$?
is "$status" 2 "merge without --db is a usage error"
status=0
"$H" merge --db "$T/few0.db" "$T/few0.db" 2> "$T/err" || status=$?
is "$status" 2 "merging a database into itself is a usage error"
status=0
"$H" merge --db "$T/m.db" "$T/few0.db" "$T/few0.db" 2> "$T/err" || status=$?
is "$status" 2 "a shard given twice is a usage error"
grep -q "given twice" "$T/err"
ok $? "... and says so"
status=0
"$H" merge --db "$T/m.db" "$T/no-such.db" 2> "$T/err" || status=$?
is "$status" 4 "a missing shard fails (exit 4)"
grep -q "cannot read database '.*no-such.db'" "$T/err"
ok $? "... naming it"
printf 'not a database at all, just text that is long enough to be read\n' > "$T/text.db"
status=0
"$H" merge --db "$T/m.db" "$T/few0.db" "$T/text.db" 2> "$T/err" || status=$?
is "$status" 4 "a file that is no database is refused"
[ ! -e "$T/m.db" ] && [ -z "$(ls "$T" | grep 'm.db.merging')" ]
ok $? "a failed merge into a new database leaves no file behind"
if command -v sqlite3 > /dev/null 2>&1; then
	cp "$T/few1.db" "$T/old.db"
	sqlite3 "$T/old.db" "UPDATE meta SET value = '1' WHERE key = 'schema_version'"
	status=0
	"$H" merge --db "$T/m.db" "$T/few0.db" "$T/old.db" 2> "$T/err" || status=$?
	is "$status" 4 "a shard of another schema version is refused"
	grep -q "old.db' has database schema version 1, this hartriage merges version 2 only" "$T/err"
	ok $? "... with a clear message"
	sed 's/^/# /' "$T/err"
	[ ! -e "$T/m.db" ]
	ok $? "... before anything is merged"
	sqlite3 "$T/old.db" "DROP TABLE meta"
	status=0
	"$H" merge --db "$T/m.db" "$T/old.db" 2> "$T/err" || status=$?
	is "$status" 4 "an SQLite database that is not hartriage's is refused"
	grep -q "is not a hartriage database" "$T/err"
	ok $? "... and said to be none"
else
	skip "sqlite3 not installed: schema version refusal"
	skip "sqlite3 not installed"
	skip "sqlite3 not installed"
	skip "sqlite3 not installed"
	skip "sqlite3 not installed"
fi

# --- duplicate sources are skipped ------------------------------------------
status=0
"$H" merge --db "$T/m.db" "$T/few0.db" "$T/few1.db" "$T/few2.db" 2> "$T/err" || status=$?
is "$status" 0 "merge of three shards exits 0"
grep -q "merged 8 sources of 3 databases" "$T/err"
ok $? "... says what it merged"
status=0
"$H" merge --db "$T/m.db" "$T/few1.db" 2> "$T/err" || status=$?
is "$status" 0 "merging a shard again exits 0"
n1=$(grep -c . "$T/few1/index.md")
grep -q "skipped .* source.* held already" "$T/err"
ok $? "... and skips the sources already held (same sha256)"
"$H" report --db "$T/m.db" --per-ticket "$T/m1" > /dev/null 2>&1
"$H" analyze -q $R --per-ticket "$T/single" "$T/few" > /dev/null 2>&1
diff -r "$T/single" "$T/m1" > /dev/null
ok $? "a shard merged twice changes no report"

# --- shared key ---------------------------------------------------------------
printf '%s\n' 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef > "$T/key"
printf '%s\n' fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210 > "$T/key2"
chmod 600 "$T/key2"
chmod 644 "$T/key"
"$H" import --db "$T/kw.db" --key-file "$T/key" "$T/one.txt" 2> "$T/err"
grep -q "warning: key file '.*key' can be read by other users" "$T/err"
ok $? "a key file others can read is warned about"
"$H" import --db "$T/kw2.db" --key-file "$T/key2" "$T/one.txt" 2> "$T/err"
! grep -q "can be read by other users" "$T/err"
ok $? "... a key file of mode 600 is not"
printf 'short\n' > "$T/short"
status=0
"$H" import --db "$T/k.db" --key-file "$T/short" "$T/one.txt" 2> "$T/err" || status=$?
is "$status" 4 "a key file of 5 bytes is refused"
grep -q "at least 32" "$T/err"
ok $? "... saying how long a key must be"
"$H" import -q --db "$T/k1.db" --key-file "$T/key" --shard 0/2 "$T/few" 2> /dev/null
"$H" import -q --db "$T/k2.db" --key-file "$T/key2" --shard 1/2 "$T/few" 2> /dev/null
status=0
"$H" merge --db "$T/k.db" "$T/k1.db" "$T/k2.db" 2> "$T/err" || status=$?
is "$status" 4 "shards of two different key files are not merged"
grep -q "another --key-file" "$T/err"
ok $? "... saying so"
status=0
"$H" import --db "$T/k1.db" --key-file "$T/key2" "$T/one.txt" 2> "$T/err" || status=$?
is "$status" 4 "a database of one key file takes no ticket under another"
status=0
"$H" import --db "$T/k1.db" "$T/one.txt" 2> "$T/err" || status=$?
is "$status" 4 "... nor under its own key"
status=0
"$H" import --db "$T/few0.db" --key-file "$T/key" "$T/one.txt" 2> "$T/err" || status=$?
is "$status" 4 "a database of its own key takes no --key-file"
! grep -q "0123456789abcdef" "$T/k1.db" "$T/k2.db"
ok $? "the databases keep no key"

# --- 206 tickets: one run, and 3 shards under GNU parallel ---------------------
if ! command -v parallel > /dev/null 2>&1; then
	skip "GNU parallel not installed: the sharded batch run"
	done_testing
	exit 0
fi
B="$T/batch"
. "$srcdir/tests/batch-gen.sh"
batch_gen "$B" "$T/work"
# Tickets with findings and fingerprints; x-a and x-b share a request ID
# in different shards (the merged sequence links them across shards).
# Not one secret: a process remembers the secrets it redacted, so a
# secret seen in two tickets of different shards gets another receipt
# kind in the second ticket than one run gives it (docs/scale.md).
mkdir -p "$B/x-a" "$B/x-b" "$B/x-mixed"
cp "$srcdir/tests/golden/mixed-inputs/api.har" "$srcdir/tests/golden/mixed-inputs/notes.txt" "$B/x-mixed/"
cp -r "$srcdir/data/samples/seed-ticket" "$B/x-seed"
printf '> GET /v1/models HTTP/1.1\r\n> Host: api.openai.com\r\n> Authorization: Bearer sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD\r\n>\r\n< HTTP/1.1 401 Unauthorized\r\n< Content-Type: application/json\r\n< x-request-id: req-shared-77\r\n<\r\n{"error":{"message":"Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD","type":"invalid_request_error","code":"invalid_api_key"}}\n' \
	> "$B/x-a/verbose.txt"
printf 'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nx-request-id: req-shared-77\r\n\r\n{"error":{"message":"Incorrect API key provided: sk-proj-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcd","type":"invalid_request_error","code":"invalid_api_key"}}\n' \
	> "$B/x-b/curl-i.txt"
[ "$(shard_of x-a 3)" != "$(shard_of x-b 3)" ]
ok $? "the two tickets of one request ID fall in different shards"

status=0
"$H" analyze -q $R --db "$T/one.db" --key-file "$T/key" --per-ticket "$T/out1" "$B" \
	2> "$T/err1" || status=$?
is "$status" 3 "one run over the batch exits 3 (broken attachments)"
export H T B R
parallel --will-cite -j3 --halt never \
	'"$H" analyze -q $R --db "$T/s{}.db" --key-file "$T/key" --shard {}/3 --per-ticket "$T/shard{}" "$B" 2> "$T/errs{}"; echo $? > "$T/rc{}"' \
	::: 0 1 2
is "$(cat "$T/rc0" "$T/rc1" "$T/rc2" | tr '\n' ' ')" "3 3 3 " "each shard exits 3 under GNU parallel"
n0=$(ls "$T/shard0" | grep -c '\.md$')
n1=$(ls "$T/shard1" | grep -c '\.md$')
n2=$(ls "$T/shard2" | grep -c '\.md$')
is $((n0 + n1 + n2 - 3)) 206 "every ticket is in exactly one shard ($n0, $n1, $n2 reports with index.md)"
status=0
"$H" merge --db "$T/all.db" "$T/s2.db" "$T/s0.db" "$T/s1.db" 2> "$T/errm" || status=$?
is "$status" 0 "merge of the 3 shards (in another order) exits 0"
sed 's/^/# /' "$T/errm"
status=0
"$H" report --db "$T/all.db" --per-ticket "$T/out2" 2> "$T/err2" || status=$?
is "$status" 3 "report --per-ticket from the merged database exits 3"
diff -r "$T/out1" "$T/out2" > "$T/shard.diff"
ok $? "the merged reports and index.md equal the single run's byte for byte"
head -20 "$T/shard.diff" | sed 's/^/# /'
is "$(ls "$T/out2" | grep -c '\.md$')" 207 "206 ticket reports and index.md"
grep -q '\[#[0-9a-f]\{6\}\]' "$T/out2/x-a.md"
ok $? "x-a's report shows a fingerprint (the shared key is what keeps it equal)"
ka=$(shard_of x-a 3)
"$H" analyze -q $R --db "$T/nokey.db" --shard $ka/3 --per-ticket "$T/nokey" "$B" 2> /dev/null
diff "$T/shard$ka/x-a.md" "$T/nokey/x-a.md" > /dev/null
[ $? -ne 0 ]
ok $? "without --key-file the shard's own key gives x-a other fingerprints"
diff "$T/shard$(shard_of x-a 3)/x-a.md" "$T/out2/x-a.md" > /dev/null
[ $? -ne 0 ]
ok $? "x-a's shard report alone differs from the merged one (the request ID links x-b)"
! grep -rq 'batchsecret\|abcdefghijklmnopqrstuvwxyz0123456789\|ZYXWVUTSRQPONMLKJIHGFEDCBA' "$T/out2"
ok $? "no secret in any merged report"

status=0
"$H" merge --db "$T/all.db" "$T/s1.db" 2> "$T/err" || status=$?
is "$status" 0 "merging a shard again into the merged database exits 0"
grep -q "merged 0 sources" "$T/err"
ok $? "... and copies nothing, not even its unreadable sources"
"$H" report --db "$T/all.db" --per-ticket "$T/out2b" 2> /dev/null
diff -r "$T/out1" "$T/out2b" > /dev/null
ok $? "... so the reports stay the single run's"

# The reports written in shards too, from the merged database.
parallel --will-cite -j3 --halt never \
	'"$H" report --db "$T/all.db" --per-ticket "$T/out4" --shard {}/3 2> /dev/null' ::: 0 1 2
diff -r "$T/out1" "$T/out4" > /dev/null
ok $? "3 report jobs with --shard K/3 write the same reports and index.md, each once"
status=0
"$H" report --db "$T/all.db" --shard 0/3 > /dev/null 2> "$T/err" || status=$?
is "$status" 2 "report --shard without --per-ticket is a usage error"
status=0
"$H" match --db "$T/all.db" --shard 0/3 > /dev/null 2> "$T/err" || status=$?
is "$status" 2 "match --shard is a usage error"
status=0
"$H" report --db "$T/all.db" --key-file "$T/key" > /dev/null 2> "$T/err" || status=$?
is "$status" 2 "report --key-file is a usage error"

# Shards that only imported: merge, then match, then report.
for k in 0 1 2; do
	"$H" import -q --db "$T/i$k.db" --key-file "$T/key" --shard $k/3 "$B" 2> /dev/null
done
"$H" merge -q --db "$T/iall.db" "$T/i0.db" "$T/i1.db" "$T/i2.db" 2> "$T/err"
status=0
"$H" report --db "$T/iall.db" --per-ticket "$T/out3" 2> /dev/null || status=$?
is "$status" 5 "shards that only imported: report says the rules never ran"
"$H" match -q $R --db "$T/iall.db" 2> /dev/null
"$H" report --db "$T/iall.db" --per-ticket "$T/out3" 2> /dev/null
diff -r "$T/out1" "$T/out3" > /dev/null
ok $? "... after match the reports equal the single run's"
# A shard that never ran the rules drops the others' findings.
"$H" merge --db "$T/mixed.db" "$T/s0.db" "$T/i1.db" 2> "$T/err"
grep -q "warning: no findings kept: .*i1.db never ran the rules; run 'hartriage match" "$T/err"
ok $? "a shard whose rules never ran: merge warns that match must run"
done_testing
