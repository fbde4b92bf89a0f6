/* SPDX-License-Identifier: Apache-2.0 */
/*
 * commands.h - the subcommands of the picklewarden program.  Each takes
 * its own argv (argv[0] is the subcommand name) and returns the process
 * exit status.
 */
#ifndef PW_AGENT_COMMANDS_H
#define PW_AGENT_COMMANDS_H

/* Exit statuses shared by every subcommand. */
#define EXIT_NOTHING_MALICIOUS 0
#define EXIT_MALICIOUS 1
#define EXIT_TROUBLE 2	/* an error prevented a verdict, or bad usage */
/* `watch` only: the configuration is invalid (sysexits.h EX_CONFIG), so
 * the unit's RestartPreventExitStatus= stops a restart loop that cannot
 * succeed until someone fixes the file. */
#define EXIT_CONFIG 78

int cmd_scan(int argc, char **argv);		/* cmd_scan.c */
int cmd_watch(int argc, char **argv);		/* cmd_watch.c */
int cmd_quarantine(int argc, char **argv);	/* cmd_quarantine.c */
int cmd_verify(int argc, char **argv);		/* signing/cmd_verify.c */
int cmd_guard(int argc, char **argv);		/* guard/cmd_guard.c */
int cmd_status(int argc, char **argv);		/* cmd_status.c */
int cmd_check_config(int argc, char **argv);	/* cmd_quarantine.c until
						   policy has its own */

#endif
