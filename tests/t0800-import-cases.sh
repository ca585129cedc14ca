#!/bin/sh
# Importer cases as data: tests/import/<format>/<case>/ holds one input file
# (input.*), optionally "args" (import-dump options, one per line, relative
# to the case folder, e.g. --env=env.json or --format-hint=curl-v) and
# expected.txt, the dump of every exchange and note that import_stream()
# hands to its sink (tests/import-dump.c says what the dump shows).
# GOLDEN_UPDATE=1 rewrites expected.txt for review with git diff, as for the
# golden reports.
. "$srcdir/tests/tap.sh"

DUMP="$builddir/tests/import-dump"
[ -x "$DUMP" ] || skip_all "tests/import-dump is not built (make check builds it)"

ncases=0
for dir in "$srcdir"/tests/import/*/*/; do
	[ -d "$dir" ] || continue
	dir=${dir%/}
	case_name=$(basename "$(dirname "$dir")")/$(basename "$dir")
	set --
	for f in "$dir"/input "$dir"/input.*; do
		[ -f "$f" ] && set -- "$@" "$(basename "$f")"
	done
	if [ $# -ne 1 ]; then
		ok 1 "$case_name: exactly one input file (found $#)"
		continue
	fi
	input=$1
	set --
	if [ -f "$dir/args" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			[ -n "$line" ] && set -- "$@" "$line"
		done < "$dir/args"
	fi
	ncases=$((ncases + 1))
	out="$TMPDIR_T/dump.txt"
	status=0
	(cd "$dir" && "$DUMP" "$@" "$input" > "$out" 2> "$TMPDIR_T/dump.err") || status=$?
	if [ "$status" -ne 0 ]; then
		ok 1 "$case_name: import-dump ran (exit $status)"
		sed 's/^/# /' "$TMPDIR_T/dump.err"
		continue
	fi
	if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
		cp "$out" "$dir/expected.txt"
		ok 0 "$case_name updated"
		continue
	fi
	if [ ! -f "$dir/expected.txt" ]; then
		ok 1 "$case_name: expected.txt exists (GOLDEN_UPDATE=1 writes it)"
	elif diff -u "$dir/expected.txt" "$out" > "$TMPDIR_T/dump.diff"; then
		ok 0 "$case_name"
	else
		ok 1 "$case_name"
		sed 's/^/# /' "$TMPDIR_T/dump.diff" | head -80
	fi
done
# An empty or missing tests/import would make this test pass on nothing.
[ "$ncases" -ge 40 ]
ok $? "at least 40 importer cases ran ($ncases)"
done_testing
