#!/bin/sh
# The scanner's layers run one way: dispatch -> sniff, containers ->
# the pickle machine -> names and lists, all over the core (context,
# stream, source, result, options).  Checks the #include lines: nothing
# below includes a layer above it, and nothing in scanner/ includes agent/
# or policy/.  Nested content is reached through the hooks in context.h.
set -u
: "${top_srcdir:?run through make check}"
cd "$top_srcdir/scanner" || exit 1
bad=0
check() {	# check FILES... -- PATTERN REASON
	pat=$1 why=$2
	shift 2
	hits=$(grep -nE "^#[[:space:]]*include[[:space:]]*\"($pat)" "$@" /dev/null)
	if [ -n "$hits" ]; then
		echo "FAIL: $why:"
		echo "$hits"
		bad=1
	fi
}
check 'container/|sniff\.h|dispatch' 'the pickle machine reaches up' pickle/*.c pickle/*.h
check 'dispatch' 'a container includes the dispatcher' container/*.c container/*.h
check 'pickle/pickle\.h|pickle/pw_values|pickle/memo|container/' \
	'names/lists reach up into the machine' pickle/names.c pickle/names.h \
	pickle/lists.h pickle/builtin_names.h
check 'container/|pickle/|sniff\.h' 'the core reaches up' \
	context.c context.h stream.c stream.h source.c source.h result.c \
	result.h options.c scanner.h status.c pw_limits.h
check '\.\./|agent/|policy/' 'scanner/ includes another top-level folder' \
	*.c *.h */*.c */*.h
# Calls, not only includes: no container entry point named in pickle/.
hits=$(grep -nE '(^|[^a-z_])(container_[a-z_]+|pwz_[a-z_]+|(zip|npy|joblib|legacy|archive|compressed|polyglot|safetensors|dispatch)_[a-z_]+)\(' \
	pickle/*.c pickle/*.h)
if [ -n "$hits" ]; then
	echo "FAIL: the pickle machine calls a container:"
	echo "$hits"
	bad=1
fi
[ "$bad" -eq 0 ] && echo "scanner include graph: one way, no loop"
exit "$bad"
