#!/bin/sh
# Golden end-to-end cases: tests/golden/<case>/ holds the inputs, "args"
# (the analyze arguments, one per line, relative to the case folder;
# @SRCDIR@ is the source tree) and the expected outputs expected.md and/or
# expected.json, plus optional expected-status.  GOLDEN_UPDATE=1 rewrites
# the expected files for review with git diff.
. "$srcdir/tests/tap.sh"

for dir in "$srcdir"/tests/golden/*/; do
	[ -f "$dir/args" ] || continue
	name=$(basename "$dir")
	set --
	while IFS= read -r line || [ -n "$line" ]; do
		[ -n "$line" ] || continue
		line=$(printf '%s' "$line" | sed "s|@SRCDIR@|$srcdir|g")
		set -- "$@" "$line"
	done < "$dir/args"
	want_status=0
	[ -f "$dir/expected-status" ] && want_status=$(cat "$dir/expected-status")
	for fmt in md json; do
		[ -f "$dir/expected.$fmt" ] || [ "${GOLDEN_UPDATE:-}" = 1 ] || continue
		[ "$fmt" = json ] && [ ! -f "$dir/expected.json" ] && [ "${GOLDEN_UPDATE:-}" = 1 ] &&
			[ ! -f "$dir/want-json" ] && continue
		out="$TMPDIR_T/$name.$fmt"
		status=0
		(cd "$dir" && HARTRIAGE_REDACT_KEY=golden "$HARTRIAGE" analyze -q --rules "$srcdir/rules" \
			--format "$fmt" "$@" >"$out" 2>"$TMPDIR_T/$name.err") || status=$?
		if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
			cp "$out" "$dir/expected.$fmt"
			echo "$status" > "$dir/expected-status"
			ok 0 "$name ($fmt) updated"
			continue
		fi
		is "$status" "$want_status" "$name ($fmt): exit status"
		if diff -u "$dir/expected.$fmt" "$out" > "$TMPDIR_T/$name.diff"; then
			ok 0 "$name ($fmt): output matches expected.$fmt"
		else
			ok 1 "$name ($fmt): output matches expected.$fmt"
			sed 's/^/# /' "$TMPDIR_T/$name.diff" | head -60
		fi
	done
done
done_testing
