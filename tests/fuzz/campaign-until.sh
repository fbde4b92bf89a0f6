#!/bin/sh
# Runs the fuzzing campaign in chunks until every harness has used its CPU
# target (60 CPU-minutes for pickle and zip, 30 for the others), resuming
# where an earlier sitting stopped: the corpus and the ledger live in DIR
# (see campaign.sh, PW_FUZZ_WORK).  Each round runs the harness furthest
# from its target for CHUNK seconds with JOBS processes, at nice 19 so it
# only takes CPU nobody else wants.
#
#   tests/fuzz/campaign-until.sh DIR [CHUNK] [JOBS]
set -eu
dir=${1:?usage: campaign-until.sh DIR [CHUNK] [JOBS]}
chunk=${2:-600}
jobs=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
all="pickle zip legacy numpy joblib gzip bzip2 xz lzma lz4 zstd zlib archive torchscript policy qrecord wire sig_bundle"
mkdir -p "$dir"
touch "$dir/ledger.tsv"
while :; do
	# The harness with the largest share of its target still to do.
	next=$(for n in $all; do
		awk -F'\t' -v n="$n" '$2 == n { s += $5 } END {
			t = (n == "pickle" || n == "zip") ? 3600 : 1800
			if (s < t) printf "%.4f %s\n", (t - s) / t, n }' "$dir/ledger.tsv"
	done | sort -rn | head -n 1 | cut -d' ' -f2)
	[ -n "$next" ] || break
	rc=0
	PW_FUZZ_WORK=$dir nice -n 19 "$here/campaign.sh" "$chunk" "$jobs" "$next" || rc=$?
	case $rc in
	0) ;;
	1) echo "campaign-until: $next found something (see $dir/$next/artifacts)" ;;
	*) echo "campaign-until: the campaign could not run ($rc)" >&2; exit "$rc" ;;
	esac
done
"$here/ledger.sh" "$dir"
