# libpicklewarden: the scanner library.  Only scanner/include is public.
# Private headers are found with -iquote ("..." only), never -I: a folder
# of ours on the <...> path would shadow system headers (zlib's zconf.h
# once picked up our limits.h).  Private headers are named pw_* where a
# system header of the same name exists (pw_limits.h, pickle/pw_values.h).
#
# Layers run one way: dispatch.c -> sniff, container/ -> pickle/ (the
# machine) -> pickle/names + lists, all over the core (context, stream,
# source, result, options).  Lower layers reach nested content only through
# the hooks the dispatcher hands them (struct scan_hooks in context.h).
# tests/scanner/layering.sh checks the #include lines and calls.
noinst_LIBRARIES += scanner/libpicklewarden.a
# Only PW_API (the pw_* functions of picklewarden.h) is exported; every
# other symbol is hidden (tests/scanner/exports.sh checks it).
scanner_libpicklewarden_a_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
scanner_libpicklewarden_a_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/scanner \
	-iquote $(top_builddir)/scanner $(LIBZIP_CFLAGS) $(LIBARCHIVE_CFLAGS) $(ZLIB_CFLAGS) $(LZMA_CFLAGS)
scanner_libpicklewarden_a_SOURCES = \
	scanner/include/picklewarden.h \
	scanner/pw_limits.h \
	scanner/status.c \
	scanner/options.c scanner/scanner.h \
	scanner/result.c scanner/result.h \
	scanner/context.c scanner/context.h \
	scanner/source.c scanner/source.h \
	scanner/stream.c scanner/stream.h \
	scanner/formats.c scanner/formats.h \
	scanner/sniff.c scanner/sniff.h \
	scanner/dispatch.c \
	scanner/pickle/pickle.h \
	scanner/pickle/opcodes.c scanner/pickle/opcodes.h \
	scanner/pickle/values.c scanner/pickle/pw_values.h \
	scanner/pickle/memo.c scanner/pickle/memo.h \
	scanner/pickle/numparse.c scanner/pickle/numparse.h \
	scanner/pickle/text.c scanner/pickle/text.h \
	scanner/pickle/names.c scanner/pickle/names.h \
	scanner/pickle/builtin_names.h \
	scanner/pickle/lists.h \
	scanner/pickle/vm.c scanner/pickle/vm_internal.h \
	scanner/pickle/readers.c scanner/pickle/strings.c \
	scanner/pickle/calls.c scanner/pickle/callmodel.c scanner/pickle/stack.c scanner/pickle/nested.c \
	scanner/code/code.c scanner/code/code.h \
	scanner/container/container.h
nodist_scanner_libpicklewarden_a_SOURCES = scanner/lists.c
BUILT_SOURCES += scanner/lists.c
CLEANFILES += scanner/lists.c
PW_LISTFILES = scanner/data/allowlist.txt scanner/data/denylist.txt \
	scanner/data/audit-denylist.txt \
	scanner/data/torchscript-allowlist.txt scanner/data/compat_pickle.txt \
	scanner/data/torchscript-ops.txt
EXTRA_DIST += $(PW_LISTFILES) scanner/data/gen-lists.sh
scanner/lists.c: $(PW_LISTFILES) $(top_srcdir)/scanner/data/gen-lists.sh
	$(AM_V_GEN)$(MKDIR_P) scanner && \
	$(SHELL) $(top_srcdir)/scanner/data/gen-lists.sh $(top_srcdir)/scanner/data > $@.tmp && mv $@.tmp $@

# Libraries the scanner needs, for every program that links it.
PW_SCANNER_LIBS = scanner/libpicklewarden.a $(LIBZIP_LIBS) $(LIBARCHIVE_LIBS) $(ZLIB_LIBS) $(LZMA_LIBS)

include scanner/container/local.mk
