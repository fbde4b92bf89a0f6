# agent/cli/: the commands (scan, watch, quarantine, check-config), their
# output, and the one place a scan result becomes an action (decide).
# main.c is the program's own source (agent/local.mk), not in libagent.
agent_libagent_a_SOURCES += \
	agent/cli/commands.h \
	agent/cli/cmd_scan.c agent/cli/cmd_watch.c \
	agent/cli/cmd_quarantine.c agent/cli/cmd_check_config.c \
	agent/cli/report.c agent/cli/report.h \
	agent/cli/scanfile.c agent/cli/scanfile.h \
	agent/cli/decide.c agent/cli/decide.h \
	agent/cli/policy_bridge.c agent/cli/policy_bridge.h \
	agent/cli/service_args.c agent/cli/service_args.h
agent_libagent_a_SOURCES += agent/cli/sarif.c agent/cli/sarif.h
# Telling the user: the on_quarantine hook and desktop notifications.
agent_libagent_a_SOURCES += agent/cli/alert.c agent/cli/alert.h \
	agent/cli/decide_after.c agent/cli/decide_after.h \
	agent/cli/cmd_status.c
