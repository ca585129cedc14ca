# scripts/common.sh - shared set-up for scripts/demo and scripts/test:
# install missing Debian packages (when root), bootstrap, configure, build.
# Sourced, not run.  BUILD_DIR (default _build) holds the build.

set -e
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$TOP/_build}

# Build dependencies (Debian 12 package names) and tools the tests use.
DEB_BUILD="build-essential autoconf automake pkg-config gnulib libjansson-dev
libpcre2-dev libsqlite3-dev libyaml-dev libarchive-dev nettle-dev
libcmark-gfm-dev libcmark-gfm-extensions-dev"
DEB_TEST="sqlite3 jq curl openssl netcat-openbsd socat cmark time zip libarchive-tools
python3 python3-jsonschema groff-base parallel"
# Only for the fuzzing step of .ci/run (clang with its libFuzzer runtime).
DEB_FUZZ="clang libclang-rt-14-dev"

need_packages() {
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing:$missing" >&2
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
	else
		echo "missing Debian packages:$missing" >&2
		echo "install them with: sudo apt-get install$missing" >&2
		return 1
	fi
}

build() {
	# build [CONFIGURE-ARGS...]: configure (once) and make in $BUILD_DIR.
	cd "$TOP"
	[ -x configure ] || ./bootstrap
	mkdir -p "$BUILD_DIR"
	cd "$BUILD_DIR"
	[ -f Makefile ] || "$TOP/configure" "$@"
	make -j"$(nproc 2>/dev/null || echo 2)"
}
