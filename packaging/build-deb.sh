#!/bin/bash
# Builds the Debian package of this tree, then runs lintian on it.
#
#   packaging/build-deb.sh [OUTDIR]        # default OUTDIR: ./deb-out
#
# Needs dpkg-dev, debhelper and the Build-Depends of packaging/debian/control
# (dpkg-checkbuilddeps lists what is missing), and lintian for the check.
# The tree is copied first (the files git tracks, with your local changes;
# everything but build directories when this is not a git checkout), the
# copy gets packaging/debian as debian/, and dpkg-buildpackage builds it
# there (source and binary packages): nothing is written into the tree but
# OUTDIR.
# DEB_BUILD_OPTIONS=nocheck skips the test suite.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/deb-out}" && cd "${1:-$top/deb-out}" && pwd)
version=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)
upstream=${version%-*}
work=$(mktemp -d "${TMPDIR:-/tmp}/picklewarden-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/picklewarden-$upstream

mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$top" ls-files -z | tar -C "$top" --null -T - -cf - | tar -C "$src" -xf -
else
	tar -C "$top" --exclude='./build*' --exclude='./deb-out' --exclude=./debian -cf - . |
		tar -C "$src" -xf -
fi
rm -rf "$src/debian"
# The upstream tarball is the tree without debian/, so that the source
# package (.dsc) is built and checked too.
tar -C "$work" -czf "$work/picklewarden_$upstream.orig.tar.gz" "picklewarden-$upstream"
cp -r "$top/packaging/debian" "$src/debian"

cd "$src"
dpkg-checkbuilddeps
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-parallel=2}
dpkg-buildpackage -us -uc
changes=$(ls "$work"/picklewarden_"$version"_*.changes)
cp "$changes" "$work"/picklewarden*_"$version"_*.deb \
	"$work"/picklewarden_"$version"_*.buildinfo "$work"/picklewarden_"$version".dsc \
	"$work"/picklewarden_"$version".debian.tar.* "$work"/picklewarden_"$upstream".orig.tar.gz \
	"$out/"
echo "build-deb: built $(cd "$out" && ls picklewarden_"$version"_*.deb)" >&2
if command -v lintian >/dev/null 2>&1; then
	# Every level, pedantic and experimental tags included.
	lintian --pedantic --display-info --display-experimental "$out/$(basename "$changes")"
else
	echo "build-deb: lintian is not installed; not checked" >&2
fi
