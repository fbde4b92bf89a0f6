#!/bin/sh
# Sums a long fuzzing campaign run in several sittings
# (PW_FUZZ_WORK=DIR tests/fuzz/campaign.sh ...): per harness, the CPU
# minutes really used against its target (60 for pickle and zip, 30 for
# the others), executions, the last coverage (edges) and features, the
# corpus size and the crashes found.
#
#   tests/fuzz/ledger.sh DIR
set -eu
dir=${1:?usage: ledger.sh DIR}
[ -f "$dir/ledger.tsv" ] || { echo "no $dir/ledger.tsv" >&2; exit 2; }
awk -F'\t' '
{
	n = $2; cpu[n] += $5; execs[n] += $6; runs[n]++
	cov[n] = $7; ft[n] = $8; corp[n] = $9; crash[n] += $10
	if (!(n in seen)) { seen[n] = 1; order[++k] = n }
}
END {
	printf "%-12s %5s %9s %7s %11s %7s %8s %6s %7s\n", "harness", "runs", "cpu_min", "target", "execs", "cov", "ft", "corpus", "crashes"
	met = 0
	for (i = 1; i <= k; i++) {
		n = order[i]
		t = (n == "pickle" || n == "zip") ? 60 : 30
		if (cpu[n] / 60 >= t) met++
		printf "%-12s %5d %9.1f %7d %11d %7d %8d %6d %7d\n", n, runs[n], cpu[n] / 60, t, execs[n], cov[n], ft[n], corp[n], crash[n]
	}
	printf "%d of %d harnesses at their CPU target\n", met, k
}' "$dir/ledger.tsv"
