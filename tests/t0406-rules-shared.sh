#!/bin/sh
# t0406-rules-shared.sh - rules that repeat each other's matchers share
# their results and compiled regexes (rule-memo.c, rule-regex.c): with a
# second copy of the whole library under new ids, every finding of the
# library fires once more under its copy's id, with the same evidence, and
# nothing else changes.
. "$srcdir/tests/tap.sh"

command -v jq >/dev/null 2>&1 || skip_all "jq is missing"

copy=$TMPDIR_T/copy
(cd "$srcdir/rules" && find . -name '*.yaml' ! -path '*/tests/*') | while read -r f; do
	id=$(basename "$f" .yaml)
	mkdir -p "$copy/$(dirname "$f")"
	sed "s/^id: $id\$/id: $id-copy/" "$srcdir/rules/$f" > "$copy/$(dirname "$f")/$id-copy.yaml"
done
n=$(find "$copy" -name '*.yaml' | wc -l)
[ "$n" -ge 200 ]
ok $? "the library was copied under new ids ($n rules)"

for case in seed-ticket transport-failures mixed-inputs; do
	dir=$srcdir/tests/golden/$case
	set --
	while read -r a; do
		case $a in
		@SRCDIR@*) set -- "$@" "$srcdir${a#@SRCDIR@}" ;;
		*) set -- "$@" "$dir/$a" ;;
		esac
	done < "$dir/args"
	"$HARTRIAGE" analyze --format json -r "$srcdir/rules" -o "$TMPDIR_T/one.json" "$@" 2>/dev/null
	"$HARTRIAGE" analyze --format json -r "$srcdir/rules" -r "$copy" -o "$TMPDIR_T/two.json" "$@" 2>/dev/null
	# one line per finding: rule id, source, exchange and evidence
	q='.findings[] | [.rule, (.source // ""), ((.exchange) | tostring), (.evidence | tojson)] | @tsv'
	jq -r "$q" "$TMPDIR_T/one.json" | sort > "$TMPDIR_T/one"
	jq -r "$q" "$TMPDIR_T/two.json" > "$TMPDIR_T/two-all"
	grep -v -- '-copy	' "$TMPDIR_T/two-all" | sort > "$TMPDIR_T/two-orig"
	grep -- '-copy	' "$TMPDIR_T/two-all" | sed 's/-copy	/	/' | sort > "$TMPDIR_T/two-copy"
	f=$(wc -l < "$TMPDIR_T/one")
	[ "$f" -gt 0 ]
	ok $? "$case: the library finds something ($f findings)"
	cmp -s "$TMPDIR_T/one" "$TMPDIR_T/two-orig"
	ok $? "$case: the library's findings are unchanged beside a copy"
	cmp -s "$TMPDIR_T/one" "$TMPDIR_T/two-copy"
	ok $? "$case: the copy finds the same, with the same evidence"
done

done_testing
