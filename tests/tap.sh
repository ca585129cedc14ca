# tap.sh - TAP helpers for the shell tests; source it first.
#   ok COND-EXIT "name"; skip_all "reason"; done_testing
set -u
tap_n=0
tap_failed=0
: "${HARTRIAGE:?HARTRIAGE must point at the built binary}"
: "${srcdir:?srcdir must be set}"
TMPDIR_T=$(mktemp -d "${TMPDIR:-/tmp}/hartriage-test.XXXXXX")
trap 'rm -rf "$TMPDIR_T"' EXIT

ok() {
	# ok <status> <description>: passes when status is 0
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $2"
	fi
}
is() {
	# is <got> <want> <description>
	tap_n=$((tap_n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $tap_n - $3"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $3"
		echo "#   got: '$1'"
		echo "#  want: '$2'"
	fi
}
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $1"
}
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
diag() { echo "# $*"; }
# sanitized: true when $HARTRIAGE is a sanitizer build (AddressSanitizer's
# shadow memory makes peak RSS meaningless as a measure of our caps).
sanitized() { ldd "$HARTRIAGE" 2>/dev/null | grep -q 'libasan'; }
golden_args() {
	# golden_args DIR: the analyze arguments of tests/golden/DIR/args
	# (@SRCDIR@ filled in), shell-quoted for: eval "set -- $(golden_args DIR)"
	while IFS= read -r line || [ -n "$line" ]; do
		[ -n "$line" ] || continue
		line=$(printf '%s' "$line" | sed -e "s|@SRCDIR@|$srcdir|g" -e "s/'/'\\\\''/g")
		printf "'%s' " "$line"
	done < "$1/args"
}
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
