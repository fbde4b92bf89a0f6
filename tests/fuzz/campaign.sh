#!/bin/sh
# The fuzzing campaign: builds every libFuzzer harness with clang, ASan and
# UBSan in a temporary directory and runs each for SECONDS with JOBS
# parallel fuzzing processes (libFuzzer -fork: it keeps going after a
# crash and collects them all).
#
#   tests/fuzz/campaign.sh SECONDS JOBS [NAME...]   (default: all harnesses)
#
# Harnesses: pickle (fuzz_scan_buffer) zip legacy numpy joblib gzip bzip2
# xz lzma lz4 zstd zlib archive torchscript (fuzz_wrap.c, one format
# each), policy (INI reader), qrecord (quarantine records), wire (the scan
# worker's result parser), sig_bundle (model signatures; qrecord and
# sig_bundle both reach the one strict JSON reader).
#
# Seeds (tests/fuzz/seeds, tests/fuzz/corpus) are copied, never written.
# Prints one line per harness: execs, coverage (cov = edges, ft =
# features), corpus size and crashes; the full table is in
# $tmp/summary.txt.  Every crash must become a regression fixture:
# PW_FUZZ_KEEP_CRASHES=1 copies them into tests/fuzz/harness-regressions/
# NAME/ (tests/fuzz/regressions/ for pickle), which make check replays.
# Exits 1 when any harness found a crash, timeout or out-of-memory input.
#
# A campaign longer than a sitting: PW_FUZZ_WORK=DIR keeps each harness's
# corpus in DIR/NAME across runs (seeds are added again each run) and
# appends one line per harness run to DIR/ledger.tsv with the CPU seconds
# it really used (user+system of the fuzzing processes, from getrusage:
# not wall time, which a nice'd run shares with other work).
# tests/fuzz/ledger.sh DIR sums them against the targets.
set -eu
secs=${1:?usage: campaign.sh SECONDS JOBS [NAME...]}
jobs=${2:?usage: campaign.sh SECONDS JOBS [NAME...]}
shift 2
names=${*:-pickle zip legacy numpy joblib gzip bzip2 xz lzma lz4 zstd zlib archive torchscript policy qrecord wire sig_bundle}
src=$(cd "$(dirname "$0")/../.." && pwd)
command -v clang >/dev/null || { echo "clang is required (apt-get install clang)" >&2; exit 2; }
if [ -n "${PW_FUZZ_WORK:-}" ]; then
	mkdir -p "$PW_FUZZ_WORK"
	tmp=$(cd "$PW_FUZZ_WORK" && pwd)
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/pw-campaign.XXXXXX")
fi
echo "campaign: working in $tmp"
if [ ! -x "$src/configure" ]; then
	(cd "$src" && autoreconf -fi)
fi
# PW_FUZZ_BUILD=DIR reuses (and updates) the fuzz build of an earlier run.
if [ -n "${PW_FUZZ_BUILD:-}" ] && [ -f "$PW_FUZZ_BUILD/Makefile" ]; then
	[ -e "$tmp/build" ] || ln -s "$PW_FUZZ_BUILD" "$tmp/build"
elif [ -f "$tmp/build/Makefile" ]; then
	: # PW_FUZZ_WORK: the build of an earlier sitting, brought up to date
else
	mkdir -p "$tmp/build"
	(cd "$tmp/build" && CC=clang "$src/configure" --enable-fuzz \
		--enable-asan --enable-ubsan >"$tmp/configure.log" 2>&1) ||
		{ echo "configure failed: $tmp/configure.log" >&2; exit 2; }
fi
targets=""
for n in $names; do
	if [ "$n" = pickle ]; then
		targets="$targets tests/fuzz/fuzz_scan_buffer"
	else
		targets="$targets tests/fuzz/fuzz_$n"
	fi
done
# shellcheck disable=SC2086
nice make -C "$tmp/build" -j"$jobs" $targets >"$tmp/make.log" 2>&1 ||
	{ echo "build failed: $tmp/make.log" >&2; exit 2; }

# Runs a command; writes the user+system seconds it and every descendant
# it waited for used to the file $CPU_OUT (getrusage of the children).
cpu_of() {
	python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%d\n" % int(u.ru_utime + u.ru_stime))
sys.exit(rc)' "$CPU_OUT" "$@"
}

found=0
printf '%-12s %10s %7s %8s %6s %7s\n' harness execs cov ft corpus crashes |
	tee "$tmp/summary.txt"
for n in $names; do
	w=$tmp/$n
	mkdir -p "$w/corpus" "$w/artifacts"
	case $n in
	pickle) prog=fuzz_scan_buffer; seeds="$src/tests/fuzz/corpus $src/tests/fuzz/regressions" ;;
	*) prog=fuzz_$n; seeds="$src/tests/fuzz/seeds/$n" ;;
	esac
	for s in $seeds "$src/tests/fuzz/harness-regressions/$n"; do
		[ -d "$s" ] && find "$s" -type f ! -name README -exec cp {} "$w/corpus/" \;
	done
	case $n in
	pickle) dicts="" ;;
	joblib|gzip|bzip2|xz|lzma|lz4|zstd|zlib) dicts=compress ;;
	*) dicts=$n ;;
	esac
	# Scanner harnesses get the pickle dictionary too: every format
	# carries a pickle.
	: >"$w/dict"
	case $n in
	policy|qrecord|wire|sig_bundle) ;;
	*) cat "$src/tests/fuzz/pickle.dict" >>"$w/dict" ;;
	esac
	[ -n "$dicts" ] && cat "$src/tests/fuzz/dict/$dicts.dict" >>"$w/dict"
	set +e
	# CPU used by this run (libFuzzer's fork-mode workers are waited
	# for, so they count).
	crashes0=$(find "$w/artifacts" -type f | wc -l)
	CPU_OUT=$w/cpu
	echo 0 >"$CPU_OUT"
	start=$(date +%s)
	(cd "$w" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		cpu_of "$tmp/build/tests/fuzz/$prog" -max_total_time="$secs" \
		-fork="$jobs" -ignore_crashes=1 -ignore_ooms=0 \
		-ignore_timeouts=0 -rss_limit_mb=2048 -timeout=10 \
		-max_len=65536 -dict="$w/dict" \
		-artifact_prefix="$w/artifacts/" "$w/corpus" >"$w/log" 2>&1)
	set -e
	cpu=$(cat "$CPU_OUT")
	wall=$(( $(date +%s) - start ))
	# Fork mode's status lines: "#EXECS: cov: C ft: F corp: N ..."
	last=$(grep -E '^#[0-9]+: cov: ' "$w/log" | tail -n 1)
	execs=$(echo "$last" | sed -nE 's/^#([0-9]+):.*/\1/p')
	cov=$(echo "$last" | sed -nE 's/.* cov: ([0-9]+).*/\1/p')
	ft=$(echo "$last" | sed -nE 's/.* ft: ([0-9]+).*/\1/p')
	corp=$(echo "$last" | sed -nE 's/.* corp: ([0-9]+).*/\1/p')
	crashes=$(( $(find "$w/artifacts" -type f | wc -l) - crashes0 ))
	printf '%-12s %10s %7s %8s %6s %7s\n' "$n" "${execs:-?}" "${cov:-?}" \
		"${ft:-?}" "${corp:-?}" "$crashes" | tee -a "$tmp/summary.txt"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$n" "$jobs" "$wall" "$cpu" \
		"${execs:-0}" "${cov:-0}" "${ft:-0}" "${corp:-0}" "$crashes" \
		>>"$tmp/ledger.tsv"
	if [ "$crashes" -gt 0 ]; then
		found=1
		if [ "${PW_FUZZ_KEEP_CRASHES:-0}" = 1 ]; then
			if [ "$n" = pickle ]; then
				dest=$src/tests/fuzz/regressions
			else
				dest=$src/tests/fuzz/harness-regressions/$n
			fi
			mkdir -p "$dest"
			cp "$w"/artifacts/* "$dest/"
		fi
	fi
done
echo "campaign: summary in $tmp/summary.txt, crashes in $tmp/*/artifacts"
exit $found
