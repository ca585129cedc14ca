#!/bin/sh
# Hostile inputs (issue 16), generated streamed by tests/t0902-gen.py:
# each is analyzed with peak RSS under the cap (when /usr/bin/time can
# say), the exit status and message expected, and the good entry beside
# the bad one kept.  Sizes are smaller than the full-size measurements of
# docs/fuzzing.md where the property is the same (a 50 MB line is cut like
# a 500 MB one); the body stays above the 256 MiB entry cap on purpose.
. "$srcdir/tests/tap.sh"
command -v python3 > /dev/null 2>&1 || skip_all "python3 not installed"
gen="python3 $srcdir/tests/t0902-gen.py"
cap_kb=$((150 * 1024))
timer=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true > /dev/null 2>&1; then
	timer=/usr/bin/time
fi
cd "$TMPDIR_T" || exit 1

# run NAME FILE: analyze FILE into NAME.md / NAME.err; sets rc and kb.
run() {
	if [ -n "$timer" ]; then
		$timer -o "$1.time" -f %M "$HARTRIAGE" analyze -q --rules "$srcdir/rules" "$2" > "$1.md" 2> "$1.err"
		rc=$?
		kb=$(tail -1 "$1.time")
	else
		"$HARTRIAGE" analyze -q --rules "$srcdir/rules" "$2" > "$1.md" 2> "$1.err"
		rc=$?
		kb=
	fi
	rm -f "$2"
}

# rss NAME: peak RSS under the cap.
rss() {
	if [ -z "$kb" ]; then
		skip "$1: peak RSS (no /usr/bin/time -f)"
	elif sanitized; then
		skip "$1: peak RSS (sanitizer build)"
	else
		[ "$kb" -le "$cap_kb" ]
		ok $? "$1: peak RSS ${kb} KB <= 150 MB"
	fi
}

# has NAME TEXT DESC: the report NAME.md or its stderr holds TEXT.
has() {
	grep -qF -- "$2" "$1.md" "$1.err"
	ok $? "$1: $3"
}

# good NAME: the good entry after the bad one is in the report's store.
good() {
	grep -qE "\| \`[^|]*\` \| har \| 2 \|" "$1.md"
	ok $? "$1: both entries kept (the bad one and the good one)"
}

$gen longline-prose line.txt 50000000
run longline-prose line.txt
ok $( { [ $rc -le 3 ] || [ $rc -eq 5 ]; } && echo 0 || echo 1) "longline-prose: exit status $rc (no crash)"
rss longline-prose

$gen longline-capture cap.txt 50000000
run longline-capture cap.txt
ok $( { [ $rc -le 3 ] || [ $rc -eq 5 ]; } && echo 0 || echo 1) "longline-capture: exit status $rc (no crash)"
rss longline-capture
grep -qE '\| `cap.txt` \| curl-i \| 2 \|' longline-capture.md
ok $? "longline-capture: the exchange after the long line is kept"
has longline-capture "longer than 16 MiB cut" "the long line is cut with a note"

$gen headers headers.har 200000
run headers headers.har
is "$rc" 3 "headers: exit status 3 (partial)"
rss headers
good headers
has headers "response headers past the cap of 1000" "the cut headers are noted"

$gen bigbody body.har 280000000
run bigbody body.har
is "$rc" 3 "bigbody: exit status 3 (partial: the body was cut)"
rss bigbody
good bigbody
has bigbody "cut to 16 MiB" "the body is cut to the cap, with a note"

$gen deep deep.har 200000
run deep deep.har
is "$rc" 3 "deep: exit status 3 (partial)"
rss deep
has deep "entry 1 skipped: nested deeper than" "the deep entry is skipped with a note"
grep -qE '\| `deep.har` \| har \| 1 \|' deep.md
ok $? "deep: the next entry is read and kept"

$gen badutf8 utf8.har
run badutf8 utf8.har
is "$rc" 3 "badutf8: exit status 3 (partial)"
good badutf8
has badutf8 "replaced with U+FFFD" "the replacements are counted and noted"

$gen badname name.har
run badname name.har
is "$rc" 3 "badname: exit status 3 (partial)"
good badname
has badname "replaced with U+FFFD" "the bad header name is noted"

$gen badbytes bytes.txt
run badbytes bytes.txt
is "$rc" 3 "badbytes: exit status 3 (partial)"
grep -qE '\| `bytes.txt` \| curl-i \| 1 \|' badbytes.md
ok $? "badbytes: a few bad bytes in the first 4 KB do not make the file binary"
has badbytes "invalid UTF-8 bytes replaced with U+FFFD" "the bad bytes are replaced and noted"

$gen links links.tar
run links links.tar
is "$rc" 3 "links: exit status 3 (members skipped)"
has links "symbolic link member skipped" "the symlink member is noted"
has links "hard link member skipped" "the hardlink member is noted"
grep -qE '\| `links.tar!a.har` \| har \| 1 \|' links.md
ok $? "links: the regular member is kept"

$gen manyfiles many.zip 20000
start=$(date +%s)
run manyfiles many.zip
secs=$(($(date +%s) - start))
ok $( { [ $rc -le 3 ] || [ $rc -eq 5 ]; } && echo 0 || echo 1) "manyfiles: exit status $rc (no crash)"
rss manyfiles
[ "$secs" -le 60 ]
ok $? "manyfiles: 20,000 members in ${secs}s"
done_testing
