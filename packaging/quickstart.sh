#!/usr/bin/env bash
# The README's quick start.  Installs what is missing (Debian 12), builds,
# and then either runs the agent in the foreground on the default
# configuration (`run`) or runs the whole test suite (`test`).
#
#   packaging/quickstart.sh run     # build, then: picklewarden watch --foreground
#   packaging/quickstart.sh test    # build with ASan+UBSan, then: make check
set -euo pipefail

mode=${1:-run}
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

# Build and test dependencies, as Debian 12 names them.
packages=(
	build-essential autoconf automake pkg-config
	libzip-dev libarchive-dev zlib1g-dev liblzma-dev libssl-dev
	libiniparser-dev libinotifytools0-dev libcmocka-dev
	python3 util-linux procps
	# loaders and writers of the evasion corpus self-test (tests/evasions)
	python3-torch python3-numpy python3-joblib python3-pandas python3-py7zr
	python3-lz4 python3-sklearn python3-scipy
)

need_install() {
	local p
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || return 0
	done
	return 1
}

if need_install; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "quickstart: installing build dependencies with apt-get" >&2
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${packages[@]}"
fi

cd "$top"
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi

case "$mode" in
run)
	mkdir -p build
	cd build
	[ -f Makefile ] || ../configure --prefix="$HOME/.local"
	make -j"$jobs" picklewarden
	echo "quickstart: starting the agent (Ctrl-C to stop)" >&2
	exec ./picklewarden watch --foreground
	;;
test)
	rm -rf build-test
	mkdir -p build-test
	cd build-test
	../configure --enable-asan --enable-ubsan
	make -j"$jobs"
	# Tests print their own logs on failure (VERBOSE).
	make -j"$jobs" check VERBOSE=1
	# The release tarball builds and passes its tests on its own.
	make -j"$jobs" distcheck >distcheck.log 2>&1 || {
		tail -50 distcheck.log
		exit 1
	}
	echo "quickstart: make distcheck passed"
	;;
*)
	echo "usage: $0 run|test" >&2
	exit 2
	;;
esac
