# libpicklewarden: the scanner library.  Only scanner/include is public.
noinst_LIBRARIES += scanner/libpicklewarden.a
scanner_libpicklewarden_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/scanner \
	-I$(top_builddir)/scanner $(LIBZIP_CFLAGS) $(LIBARCHIVE_CFLAGS) $(ZLIB_CFLAGS)
scanner_libpicklewarden_a_SOURCES = \
	scanner/include/picklewarden.h \
	scanner/limits.h \
	scanner/status.c \
	scanner/options.c scanner/scanner.h \
	scanner/result.c scanner/result.h \
	scanner/context.c scanner/context.h \
	scanner/source.c scanner/source.h \
	scanner/stream.c scanner/stream.h \
	scanner/sniff.c scanner/sniff.h \
	scanner/dispatch.c \
	scanner/pickle/pickle.h \
	scanner/pickle/opcodes.c scanner/pickle/opcodes.h \
	scanner/pickle/vm_stub.c \
	scanner/container/container.h

# Libraries the scanner needs, for every program that links it.
PW_SCANNER_LIBS = scanner/libpicklewarden.a $(LIBZIP_LIBS) $(LIBARCHIVE_LIBS) $(ZLIB_LIBS)

include scanner/container/local.mk
