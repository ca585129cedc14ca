#!/bin/sh
# t0405-rule-index.sh - docs/rule-index.md is what scripts/gen-rule-index
# makes from the current rules/: a rule added, removed or retitled without
# regenerating the index fails here, with the diff.
. "$srcdir/tests/tap.sh"

idx=$srcdir/docs/rule-index.md
fresh=$TMPDIR_T/rule-index.md

sh "$srcdir/scripts/gen-rule-index" -o "$fresh" 2>"$TMPDIR_T/err"
st=$?
is "$st" 0 "scripts/gen-rule-index runs"
[ "$st" -eq 0 ] || sed 's/^/# /' "$TMPDIR_T/err" | head -10

diff -u "$idx" "$fresh" >"$TMPDIR_T/diff" 2>&1
st=$?
ok $st "docs/rule-index.md is up to date"
if [ "$st" -ne 0 ]; then
	head -60 "$TMPDIR_T/diff" | sed 's/^/# /'
	diag "regenerate it with: scripts/gen-rule-index BUILDDIR   (or HARTRIAGE=path/to/hartriage scripts/gen-rule-index)"
fi

sh "$srcdir/scripts/gen-rule-index" -o - >"$TMPDIR_T/again" 2>/dev/null
cmp -s "$fresh" "$TMPDIR_T/again"
ok $? "the index is the same when generated twice"

is "$(sed -n 1p "$fresh")" "# Rule index" "the index starts with its heading"
nfiles=$(find "$srcdir/rules" -name '*.yaml' ! -path '*/tests/*' | wc -l)
nrows=$(grep -c '^| `[a-z0-9._-]*` | ' "$fresh")
is "$nrows" "$nfiles" "one table row per rule file"
grep -q "^The failure signatures shipped in \`rules/\`: $nfiles rules (" "$fresh"
ok $? "the sentence above the table counts the rules"
sed -n 's/^| `\([a-z0-9._-]*\)` | .*/\1/p' "$fresh" >"$TMPDIR_T/ids"
LC_ALL=C sort -c "$TMPDIR_T/ids"
ok $? "rows are sorted by id"

done_testing
