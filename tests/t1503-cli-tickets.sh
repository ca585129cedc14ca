#!/bin/sh
# What a ticket is: one folder of plain files is one ticket named after it
# (with --per-ticket too); a folder holding sub-folders or archives is a
# batch with one ticket per top-level entry; the rule is in --help and the
# man page.
. "$srcdir/tests/tap.sh"

seed="$srcdir/data/samples/seed-ticket"
"$HARTRIAGE" analyze -q --per-ticket "$TMPDIR_T/one" "$seed" > /dev/null 2>&1
is "$?" 0 "--per-ticket on the seed folder: exit 0"
is "$(ls "$TMPDIR_T/one" | tr '\n' ' ')" "index.md seed-ticket.md " "the seed folder is one ticket, named after the folder"
is "$(grep -c '^| \[' "$TMPDIR_T/one/index.md")" 1 "index.md has one ticket row"
grep -q 'chrome-export.har' "$TMPDIR_T/one/seed-ticket.md" && grep -q 'curl-i.txt' "$TMPDIR_T/one/seed-ticket.md" &&
	grep -q 'ticket.txt' "$TMPDIR_T/one/seed-ticket.md"
ok $? "the one ticket's report holds all three attachments"
"$HARTRIAGE" analyze -q -f json "$seed" > "$TMPDIR_T/seed.json"
python3 -c 'import json,sys; print(" ".join(sorted({s["ticket"] for s in json.load(open(sys.argv[1]))["sources"]})))' \
	"$TMPDIR_T/seed.json" > "$TMPDIR_T/t"
is "$(cat "$TMPDIR_T/t")" "seed-ticket" "without --per-ticket every source belongs to the one ticket"
# "." names the folder it stands for.
(cd "$seed" && "$HARTRIAGE" analyze -q --per-ticket "$TMPDIR_T/dot" .) > /dev/null 2>&1
is "$(ls "$TMPDIR_T/dot" | tr '\n' ' ')" "index.md seed-ticket.md " "'.' is named after the folder it stands for"

# A batch: sub-folders and archives at the top level.
B="$TMPDIR_T/batch"
mkdir -p "$B/t-1" "$B/t-2"
cp "$seed/curl-i.txt" "$B/t-1/"
cp "$seed/chrome-export.har" "$seed/ticket.txt" "$B/t-2/"
cp "$seed/curl-i.txt" "$B/loose.txt"
"$HARTRIAGE" analyze -q --per-ticket "$TMPDIR_T/batch-out" "$B" > /dev/null 2>&1
is "$?" 0 "a batch folder: exit 0"
is "$(ls "$TMPDIR_T/batch-out" | tr '\n' ' ')" "index.md loose.txt.md t-1.md t-2.md " \
	"a batch folder: one ticket per top-level entry"
if command -v zip > /dev/null 2>&1; then
	Z="$TMPDIR_T/zips"
	mkdir -p "$Z"
	(cd "$seed" && zip -q "$Z/t-9.zip" curl-i.txt)
	cp "$seed/ticket.txt" "$Z/"
	"$HARTRIAGE" analyze -q --per-ticket "$TMPDIR_T/zip-out" "$Z" > /dev/null 2>&1
	is "$(ls "$TMPDIR_T/zip-out" | tr '\n' ' ')" "index.md t-9.md ticket.txt.md " \
		"an archive at the top level makes the folder a batch"
else
	skip "zip not installed"
fi
# A single compressed capture does not make a batch.
G="$TMPDIR_T/gz"
mkdir -p "$G"
gzip -c "$seed/chrome-export.har" > "$G/chrome-export.har.gz"
cp "$seed/curl-i.txt" "$G/"
"$HARTRIAGE" analyze -q --per-ticket "$TMPDIR_T/gz-out" "$G" > /dev/null 2>&1
is "$(ls "$TMPDIR_T/gz-out" | tr '\n' ' ')" "gz.md index.md " "a folder with a.har.gz and a file is one ticket"

# The rule is stated.
"$HARTRIAGE" analyze --help | tr '\n' ' ' | grep -q 'A single folder given alone is a batch of tickets when it holds a sub-folder or an archive'
ok $? "analyze --help states what a ticket is"
tr '\n' ' ' < "$srcdir/doc/hartriage.1.in" | sed 's/\\-/-/g' | grep -q 'a batch of tickets when it holds a sub-folder or an archive'
ok $? "the man page states what a ticket is"

done_testing
