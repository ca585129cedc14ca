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
. "$srcdir/tests/batch-gen.sh"
batch_gen "$B" "$TMPDIR_T/work"

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
