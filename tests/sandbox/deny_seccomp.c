/*
 * deny_seccomp - runs a program the way the shipped systemd unit does:
 * no_new_privs and a seccomp filter under which seccomp(2) fails with
 * EPERM (SystemCallFilter=@system-service without "seccomp"), so the scan
 * workers must load their filter through prctl().
 *   deny_seccomp PROGRAM [ARG...]
 */
#include "config.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);

	if (argc < 2 || c == NULL ||
	    seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(seccomp), 0) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || seccomp_load(c)) {
		fprintf(stderr, "deny_seccomp: cannot set up\n");
		return 99;
	}
	seccomp_release(c);
	execv(argv[1], argv + 1);
	perror("deny_seccomp: exec");
	return 99;
}
