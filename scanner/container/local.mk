# Container parsers (issue 3).
scanner_libpicklewarden_a_SOURCES += \
	scanner/container/unsupported.c
