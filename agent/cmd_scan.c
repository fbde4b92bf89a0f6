#include "config.h"
#include <stdio.h>
#include "agent/commands.h"
int cmd_scan(int argc, char **argv) { (void)argc; (void)argv; return EXIT_TROUBLE; }
