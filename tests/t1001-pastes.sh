#!/bin/sh
# t1001-pastes.sh - the development set of real pastes
# ($CORPUS/pastes/expected.tsv): every case gives its expected result.  A
# rule id (or a prefix ending in *) must fire; "import" means at least one
# exchange is read; "healthy" means no finding of medium or above; exit 4
# (internal error) never.
. "$srcdir/tests/tap.sh"

exp=${CORPUS:-}/pastes/expected.tsv
[ -f "$exp" ] || skip_all "pastes corpus not found (set CORPUS)"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"

grep -v '^#' "$exp" | grep -v '^$' > "$TMPDIR_T/cases"
n=0
while IFS='	' read -r file want note; do
	n=$((n + 1))
	db=$TMPDIR_T/p$n.db
	"$HARTRIAGE" analyze -q --db "$db" -r "$srcdir/rules" -o /dev/null "$CORPUS/pastes/$file" 2>"$TMPDIR_T/err"
	st=$?
	[ "$st" -ne 4 ] && [ "$st" -ne 2 ]
	ok $? "$file: no internal or usage error (exit $st)"
	case $want in
	import)
		got=$(sqlite3 "$db" "SELECT COUNT(*) FROM exchanges")
		[ "${got:-0}" -ge 1 ] ;;
	healthy)
		got=$(sqlite3 "$db" "SELECT COUNT(*) FROM findings WHERE severity IN ('medium', 'high', 'critical')")
		[ "${got:-1}" -eq 0 ] ;;
	*\*)
		got=$(sqlite3 "$db" "SELECT COUNT(*) FROM findings WHERE rule_id LIKE '${want%\*}%'")
		[ "${got:-0}" -ge 1 ] ;;
	*)
		got=$(sqlite3 "$db" "SELECT COUNT(*) FROM findings WHERE rule_id = '$want'")
		[ "${got:-0}" -ge 1 ] ;;
	esac
	r=$?
	ok $r "$file: $want ($note)"
	if [ $r -ne 0 ]; then
		sqlite3 "$db" "SELECT kind, status, status_source, error FROM exchanges" | sed 's/^/# exchange: /'
		sqlite3 "$db" "SELECT rule_id, severity FROM findings" | sed 's/^/# finding: /'
	fi
done < "$TMPDIR_T/cases"
[ "$n" -ge 1 ]
ok $? "expected.tsv lists cases ($n)"

done_testing
