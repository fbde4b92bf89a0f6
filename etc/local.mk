# Default configuration (issue 4): every key, documented, with its default.
pwconfdir = $(sysconfdir)/picklewarden
dist_pwconf_DATA = etc/picklewarden.ini
