# The watching agent (issue 5).
agent_libagent_a_SOURCES += agent/cmd_watch.c
