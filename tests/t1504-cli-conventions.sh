#!/bin/sh
# Conventions: help COMMAND, --version (libraries, rules), -v, one error
# prefix, pluralisation, and the man page and the shell completions checked
# against --help so they cannot drift.
. "$srcdir/tests/tap.sh"

seed="$srcdir/data/samples/seed-ticket"
man="$builddir/doc/hartriage.1"
[ -f "$man" ] || man="$TMPDIR_T/hartriage.1"
[ -f "$man" ] || sed -e 's|@pkgdatadir@|/usr/local/share/hartriage|g' -e 's|@docdir@|/usr/local/share/doc/hartriage|g' \
	-e 's|@VERSION@|0|g' "$srcdir/doc/hartriage.1.in" > "$man"
# The man page as plain text: roff escapes of '-' undone, font changes dropped.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$man" > "$TMPDIR_T/man.txt"

# help [COMMAND]
"$HARTRIAGE" help > "$TMPDIR_T/h" 2>&1
is "$?" 0 "'help' exits 0"
"$HARTRIAGE" --help | cmp -s - "$TMPDIR_T/h"
ok $? "'help' prints what --help prints"
for c in analyze import match report merge rules; do
	"$HARTRIAGE" help $c > "$TMPDIR_T/hc" 2>&1
	is "$?" 0 "'help $c' exits 0"
	"$HARTRIAGE" $c --help | cmp -s - "$TMPDIR_T/hc"
	ok $? "'help $c' prints '$c --help'"
done
"$HARTRIAGE" help frob > /dev/null 2> "$TMPDIR_T/e"
is "$?" 2 "'help frob' exits 2"
grep -q "^hartriage: 'frob' is not a command" "$TMPDIR_T/e"
ok $? "'help frob' names the unknown command"

# --version
"$HARTRIAGE" --version > "$TMPDIR_T/v"
for lib in jansson PCRE2 SQLite libyaml libarchive nettle; do
	grep -q "^Libraries: .*$lib [0-9]" "$TMPDIR_T/v"
	ok $? "--version names the $lib version"
done
grep -q '^Rules: [0-9][0-9]*, read from:' "$TMPDIR_T/v"
ok $? "--version counts the rules"
"$HARTRIAGE" analyze --version > "$TMPDIR_T/v2"
is "$?" 0 "'analyze --version' exits 0"
head -1 "$TMPDIR_T/v2" | grep -q '^hartriage [0-9]'
ok $? "'analyze --version' prints the version"

# -v
"$HARTRIAGE" -v analyze -q "$seed" > /dev/null 2> "$TMPDIR_T/verbose"
is "$?" 0 "-v analyze exits 0"
grep -q '^hartriage: [0-9]* rules read from: ' "$TMPDIR_T/verbose" &&
	grep -q '^hartriage: imported 3 exchanges from 3 attachments, one ticket' "$TMPDIR_T/verbose" &&
	grep -q '^hartriage: ran [0-9]* rules: [0-9]* findings' "$TMPDIR_T/verbose"
ok $? "-v says the rules read, what was imported and what matched"
sed 's/^/# /' "$TMPDIR_T/verbose"
"$HARTRIAGE" analyze -q --verbose "$seed" > /dev/null 2> "$TMPDIR_T/verbose2"
cmp -s "$TMPDIR_T/verbose" "$TMPDIR_T/verbose2"
ok $? "analyze --verbose says the same as -v analyze"

# One error prefix.
: > "$TMPDIR_T/prefixes"
for args in "--frob" "analyze --frob x" "analyze -Z x" "report --db" "rules list --frob" \
	"rules frob" "frob" "import x" "analyze --format=xml x"; do
	"$HARTRIAGE" $args > /dev/null 2>> "$TMPDIR_T/prefixes"
done
grep -v '^Try ' "$TMPDIR_T/prefixes" | grep -v '^hartriage: ' > "$TMPDIR_T/other"
[ ! -s "$TMPDIR_T/other" ]
ok $? "every usage error starts with 'hartriage: '"
sed 's/^/# /' "$TMPDIR_T/other"

# Pluralisation.
"$HARTRIAGE" analyze -q "$seed/curl-i.txt" | grep -q '^\*\*Summary:\*\* 1 attachment, 1 exchange,'
ok $? "one attachment, one exchange: singular in the summary"
mkdir -p "$TMPDIR_T/one-rule"
cp "$(find "$srcdir/rules" -name 'vercel.ai-gateway.access-denied.yaml' | head -1)" "$TMPDIR_T/one-rule/"
is "$("$HARTRIAGE" rules lint "$TMPDIR_T/one-rule")" "1 rule, no problems" "rules lint: '1 rule'"
"$HARTRIAGE" rules list "$TMPDIR_T/one-rule" 2>&1 >/dev/null | grep -q '^hartriage: 1 rule read from:'
ok $? "rules list: '1 rule read from'"

# The man page and --help cannot drift: every long option of every
# command's --help is in the man page, and every option the man page
# documents is in some --help.
: > "$TMPDIR_T/help-opts"
for c in "" analyze import match report merge rules; do
	"$HARTRIAGE" $c --help | grep -o -- '--[a-z][a-z-]*' >> "$TMPDIR_T/help-opts"
done
sort -u "$TMPDIR_T/help-opts" -o "$TMPDIR_T/help-opts"
missing=""
for o in $(cat "$TMPDIR_T/help-opts"); do
	grep -q -- "$o\\b" "$TMPDIR_T/man.txt" || missing="$missing $o"
done
is "$missing" "" "every option of --help is in the man page"
grep -o -- '^--[a-z][a-z-]*\|[ ,(]--[a-z][a-z-]*' "$TMPDIR_T/man.txt" | sed 's/^[ ,(]//' | sort -u > "$TMPDIR_T/man-opts"
extra=""
for o in $(cat "$TMPDIR_T/man-opts"); do
	case $o in --trace-ascii) continue ;; esac   # curl's option, named as an input format
	grep -qx -- "$o" "$TMPDIR_T/help-opts" || extra="$extra $o"
done
is "$extra" "" "every option of the man page is in some --help"
for section in EXAMPLES "EXIT STATUS" "RULES DIRECTORIES" "INPUTS AND TICKETS" FILES ENVIRONMENT; do
	grep -q "^\.SH $section" "$man"
	ok $? "the man page has $section"
done
# Exit statuses: the same list in --help and the man page.
"$HARTRIAGE" --help | sed -n 's/^  \([0-9]\)  .*/\1/p' | tr '\n' ' ' > "$TMPDIR_T/st-help"
awk '/^\.SH EXIT STATUS/{on=1; next} /^\.SH/{on=0} on && prev ~ /^\.TP/ && /^\.B [0-9]/{print $2} {prev=$0}' "$man" |
	tr '\n' ' ' > "$TMPDIR_T/st-man"
is "$(cat "$TMPDIR_T/st-man")" "$(cat "$TMPDIR_T/st-help")" "the man page and --help list the same exit statuses"
# --format-hint values: the same in --help and the man page, and accepted.
hints=$("$HARTRIAGE" analyze --help | sed -n '/--format-hint/,/^  *-[-a-z]/p' | sed -n 's/.*skip detection: //p; /^    *[a-z]/p' |
	tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep -v '^$' | grep -v -- '--' | tr '\n' ' ')
[ -n "$hints" ]
ok $? "analyze --help lists --format-hint values ($hints)"
for h in $hints; do
	grep -q -- "--format-hint.*\\b$h\\b\|^$h\\b\|[ ,]$h[,.]" "$TMPDIR_T/man.txt"
	ok $? "the man page lists --format-hint value $h"
	"$HARTRIAGE" analyze -q --format-hint "$h" "$seed/curl-i.txt" > /dev/null 2> "$TMPDIR_T/e"
	! grep -q "unknown --format-hint" "$TMPDIR_T/e"
	ok $? "--format-hint $h is accepted"
done
if command -v groff > /dev/null 2>&1; then
	# -Wbreak: a long installed path cannot be broken or adjusted; that is
	# typography, not a defect of the page
	groff -man -Tutf8 -ww -Wbreak -z "$man" > "$TMPDIR_T/groff" 2>&1
	[ ! -s "$TMPDIR_T/groff" ]
	ok $? "the man page renders without groff warnings"
	sed 's/^/# /' "$TMPDIR_T/groff"
else
	skip "groff not installed"
fi
# FILES names the configured paths, not a fixed prefix.
if [ -f "$builddir/doc/hartriage.1" ]; then
	! grep -q '@pkgdatadir@\|@docdir@\|@VERSION@' "$builddir/doc/hartriage.1"
	ok $? "the built man page has its paths filled in"
else
	skip "no built man page"
fi

# Completions know every command and every long option of --help.
for f in hartriage _hartriage hartriage.fish; do
	comp="$srcdir/completions/$f"
	[ -f "$comp" ]
	ok $? "completions/$f exists"
	missing=""
	for c in analyze import match report merge rules help; do
		grep -q "$c" "$comp" || missing="$missing $c"
	done
	for o in $(cat "$TMPDIR_T/help-opts"); do
		name=${o#--}
		grep -q -- "$o\\b\|-l $name\\b" "$comp" || missing="$missing $o"
	done
	is "$missing" "" "completions/$f knows every command and option"
done
if command -v bash > /dev/null 2>&1; then
	out=$(bash -c ". '$srcdir/completions/hartriage'; COMP_WORDS=(hartriage ana); COMP_CWORD=1; _hartriage; echo \"\${COMPREPLY[*]}\"")
	is "$out" "analyze" "bash completes 'ana' to 'analyze'"
	out=$(bash -c ". '$srcdir/completions/hartriage'; COMP_WORDS=(hartriage analyze --fail-on h); COMP_CWORD=3; _hartriage; echo \"\${COMPREPLY[*]}\"")
	is "$out" "high" "bash completes --fail-on values"
	out=$(bash -c ". '$srcdir/completions/hartriage'; COMP_WORDS=(hartriage analyze --no-d); COMP_CWORD=2; _hartriage; echo \"\${COMPREPLY[*]}\"")
	is "$out" "--no-default-rules" "bash completes analyze options"
else
	skip "bash not installed"; skip "bash not installed"; skip "bash not installed"
fi

done_testing
