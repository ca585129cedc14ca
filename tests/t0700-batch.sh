#!/bin/sh
# Batch runs: 200 tickets as folders, zips, tar.gz and nested archives, with
# broken attachments, a zip bomb and a path-traversal member.  Every good
# attachment is analyzed, every broken one is named with its reason, the
# bomb is capped, index.md lists every ticket, and --jobs 2 gives the same
# reports as --jobs 1.
. "$srcdir/tests/tap.sh"
for tool in zip tar gzip bsdtar; do
	command -v $tool > /dev/null 2>&1 || skip_all "$tool not installed"
done

B="$TMPDIR_T/batch"
mkdir -p "$B"
good=0
broken=0

# har N HOST STATUS: a small valid HAR on stdout.
har() {
	printf '{"log":{"version":"1.2","creator":{"name":"test","version":"1"},"entries":['
	i=0
	while [ $i -lt "$1" ]; do
		[ $i -gt 0 ] && printf ','
		printf '{"startedDateTime":"2026-03-16T09:%02d:00.000Z","time":5,"request":{"method":"GET","url":"https://%s/v1/item/%d","httpVersion":"HTTP/1.1","headers":[{"name":"Authorization","value":"Bearer sk-batchsecret%04d%04dabcdefghijkl"}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},"response":{"status":%s,"statusText":"","httpVersion":"HTTP/1.1","headers":[{"name":"Content-Type","value":"application/json"},{"name":"x-request-id","value":"req-%d-%d"}],"cookies":[],"content":{"size":2,"mimeType":"application/json","text":"{}"},"redirectURL":"","headersSize":-1,"bodySize":2},"cache":{},"timings":{"send":1,"wait":3,"receive":1}}' \
			$((i % 60)) "$2" $i "$4" $i "$3" "$4" $i
		i=$((i + 1))
	done
	printf ']}}\n'
}
curl_i() {
	printf 'HTTP/1.1 %s Whatever\r\nContent-Type: text/plain\r\nX-Request-Id: curl-%s\r\n\r\nbody %s\n' "$1" "$2" "$2"
}

n=0
while [ $n -lt 200 ]; do
	t=$(printf 't%03d' $n)
	w="$TMPDIR_T/work/$t"
	mkdir -p "$w"
	har 3 "api$n.example.com" 200 $n > "$w/a.har"
	curl_i 503 $n > "$w/b.txt"
	good=$((good + 2))
	if [ $((n % 20)) -eq 7 ]; then
		# 5% broken: a HAR cut inside its first entry, and a binary "capture".
		har 2 "cut$n.example.com" 500 $n | head -c 120 > "$w/cut.har"
		broken=$((broken + 1))
	fi
	case $((n % 4)) in
	0) mv "$w" "$B/$t" ;;
	1) (cd "$w" && zip -q -r "$B/$t.zip" .) ;;
	2) tar -czf "$B/$t.tar.gz" -C "$w" . ;;
	3) # nested: a zip holding a tar.gz holding the captures
		tar -czf "$TMPDIR_T/work/$t-inner.tar.gz" -C "$w" .
		(cd "$TMPDIR_T/work" && zip -q "$B/$t.zip" "$t-inner.tar.gz") ;;
	esac
	n=$((n + 1))
done
# One zip bomb (50 MB of zeros, ratio > 200) beside a good capture.
mkdir -p "$TMPDIR_T/work/bomb"
har 1 bomb.example.com 200 999 > "$TMPDIR_T/work/bomb/ok.har"
dd if=/dev/zero bs=1048576 count=50 2>/dev/null > "$TMPDIR_T/work/bomb/zeros.har"
(cd "$TMPDIR_T/work/bomb" && zip -q "$B/t200-bomb.zip" ok.har zeros.har)
good=$((good + 1))
# One path-traversal member beside a good capture.
mkdir -p "$TMPDIR_T/work/trav"
har 1 trav.example.com 200 998 > "$TMPDIR_T/work/trav/ok.har"
har 1 evil.example.com 200 997 > "$TMPDIR_T/work/trav/passwd"
(cd "$TMPDIR_T/work/trav" && bsdtar -cf "$B/t201-trav.zip" --format zip -P -s ',^passwd$,../../etc/passwd,' ok.har passwd)
good=$((good + 1))

timeb=
[ -x /usr/bin/time ] && timeb="/usr/bin/time -f %M -o $TMPDIR_T/rss"
status=0
$timeb "$HARTRIAGE" analyze -q --rules "$srcdir/rules" --per-ticket "$TMPDIR_T/out1" "$B" \
	2> "$TMPDIR_T/err1" || status=$?
is "$status" 3 "batch with broken attachments exits 3"
status=0
"$HARTRIAGE" analyze -q --rules "$srcdir/rules" --jobs 2 --per-ticket "$TMPDIR_T/out2" "$B" \
	2> "$TMPDIR_T/err2" || status=$?
is "$status" 3 "the same batch with --jobs 2 exits 3"

rows=$(grep -c '^| \[t[0-9]' "$TMPDIR_T/out1/index.md")
is "$rows" 202 "index.md has a row for every ticket"
reports=$(ls "$TMPDIR_T/out1" | grep -c '^t[0-9].*\.md$')
is "$reports" 202 "one report per ticket"
ok_sources=$(cat "$TMPDIR_T"/out1/t*.md | grep -c '| ok |$')
is "$ok_sources" "$good" "every good attachment analyzed"
cut_named=$(grep -c 'cut.har.*file ends inside' "$TMPDIR_T/out1/index.md")
is "$cut_named" "$broken" "every broken attachment is named with its reason in index.md"
grep -q 't200-bomb.*zeros.har.*\(bomb\|ratio\|expan\)' "$TMPDIR_T/out1/index.md"
ok $? "the zip bomb is named with its reason"
grep -q '| `t200-bomb.zip!ok.har` | har | 1 | ok |' "$TMPDIR_T/out1/t200-bomb.md"
ok $? "the capture beside the bomb is analyzed"
grep -q 't201-trav.*etc/passwd.*\(unsafe\|travers\|absolute\)' "$TMPDIR_T/out1/index.md"
ok $? "the path-traversal member is named with its reason"
grep -q '| `t201-trav.zip!ok.har` | har | 1 | ok |' "$TMPDIR_T/out1/t201-trav.md"
ok $? "the capture beside the path-traversal member is analyzed"
if [ -f "$TMPDIR_T/rss" ] && sanitized; then
	skip "peak RSS with a zip bomb in the batch (sanitizer build)"
elif [ -f "$TMPDIR_T/rss" ]; then
	rss=$(tail -1 "$TMPDIR_T/rss")
	[ "$rss" -lt 400000 ]
	ok $? "peak RSS ${rss} KiB stays under 400 MiB with a zip bomb in the batch"
fi
diff -r "$TMPDIR_T/out1" "$TMPDIR_T/out2" > "$TMPDIR_T/jobs.diff"
ok $? "--jobs 2 gives the same reports as --jobs 1"
head -20 "$TMPDIR_T/jobs.diff" | sed 's/^/# /'
# --jobs 3 with a --db file: the report workers read that database (not a
# copy of a private one), three of them
mkdir -p "$TMPDIR_T/tmp"
status=0
TMPDIR="$TMPDIR_T/tmp" "$HARTRIAGE" analyze -q --rules "$srcdir/rules" --db "$TMPDIR_T/jobs.db" --jobs 3 \
	--per-ticket "$TMPDIR_T/out3" "$B" 2> "$TMPDIR_T/err3" || status=$?
is "$status" 3 "the same batch with --jobs 3 and --db exits 3"
diff -r "$TMPDIR_T/out1" "$TMPDIR_T/out3" > "$TMPDIR_T/jobs3.diff"
ok $? "--jobs 3 with --db gives the same reports as --jobs 1"
head -20 "$TMPDIR_T/jobs3.diff" | sed 's/^/# /'
# the workers' temporary folders (database copy, error files) are removed
ls -d "$TMPDIR_T"/tmp/hartriage-jobs.* > /dev/null 2>&1
ok $(($? == 0)) "no temporary folder of the workers left behind"
! grep -rq 'batchsecret' "$TMPDIR_T/out1" "$TMPDIR_T/out2"
ok $? "no bearer token in any ticket report"
done_testing
