#!/bin/sh
# Every fuzz target's entry point, built without libFuzzer
# (tests/fuzz/replay-<target>), replays its seed corpus and every
# regression input of tests/fuzz/regress/<target>: inputs that once broke
# a target must keep passing in the normal (and the sanitizer) build.
. "$srcdir/tests/tap.sh"

for t in har curl text postman newman insomnia sniff fragment rules cond redact walk md; do
	bin="$builddir/tests/fuzz/replay-$t"
	if [ ! -x "$bin" ]; then
		ok 1 "$t: replayer built"
		continue
	fi
	set --
	for d in seeds regress; do
		for f in "$srcdir/tests/fuzz/$d/$t"/*; do
			[ -f "$f" ] && set -- "$@" "$f"
		done
	done
	if [ $# -eq 0 ]; then
		ok 1 "$t: has seed inputs"
		continue
	fi
	TMPDIR=$TMPDIR_T "$bin" "$@" > "$TMPDIR_T/$t.out" 2>&1
	rc=$?
	ok $rc "$t: $# seed and regression inputs replay"
	[ $rc -eq 0 ] || sed 's/^/# /' "$TMPDIR_T/$t.out" | tail -30
done
done_testing
