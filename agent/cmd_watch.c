#include "config.h"

#include <stdio.h>

#include "agent/commands.h"

int
cmd_watch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "picklewarden: watch is not built yet\n");
	return EXIT_TROUBLE;
}
