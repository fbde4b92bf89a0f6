# Container parsers (issue 3).
scanner_libpicklewarden_a_SOURCES += \
	scanner/container/internal.h \
	scanner/container/common.c \
	scanner/container/codecs.c \
	scanner/container/zip.c scanner/container/zip_internal.h \
	scanner/container/zip_layout.c \
	scanner/container/zip_prefix.c \
	scanner/container/polyglot.c \
	scanner/container/npy.c \
	scanner/container/compressed.c \
	scanner/container/archive.c \
	scanner/container/safetensors.c \
	scanner/container/legacy.c \
	scanner/container/joblib.c
