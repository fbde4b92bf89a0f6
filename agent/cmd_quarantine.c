#include "config.h"

#include <stdio.h>

#include "agent/commands.h"

int
cmd_quarantine(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "picklewarden: quarantine is not built yet\n");
	return EXIT_TROUBLE;
}

int
cmd_check_config(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "picklewarden: check-config is not built yet\n");
	return EXIT_TROUBLE;
}
