/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_quarantine.c - `picklewarden quarantine list|show|restore|purge`.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/cli/commands.h"
#include "agent/store/escape.h"
#include "agent/store/quarantine.h"
#include "agent/store/quarantine_dedup.h"
#include "agent/store/quarantine_prefix.h"
#include "agent/store/tombstone.h"
#include "policy/policy.h"

/* --older-than is capped so days * 86400 cannot overflow time_t. */
#define MAX_DAYS 1000000

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: picklewarden quarantine list [--json]\n"
		"       picklewarden quarantine show ID [--json]\n"
		"       picklewarden quarantine restore ID [--to PATH|DIR]\n"
		"       picklewarden quarantine purge ID | --older-than DAYS\n"
		"ID may be any unique prefix of an entry's ID.\n"
		"Options for every action:\n"
		"  --config FILE  use FILE instead of the usual configuration\n"
		"  --help         this text\n\n"
		"The store is the [quarantine] directory of the configuration.\n"
		"list first finishes moves that were interrupted (IDs new-*\n"
		"are moves it could not finish yet; show, restore and purge\n"
		"accept them).  restore verifies the SHA-256, never replaces an\n"
		"existing file, follows no symlink in the target's directories,\n"
		"refuses an original directory that was replaced (use --to),\n"
		"and puts back the permission bits and times.  A file restored\n"
		"into a watched directory is scanned again: add its sha256 to\n"
		"[trusted] first if it should stay.\n");
}

static void
print_time(FILE *out, time_t t)
{
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs(buf, out);
}

static void
print_escaped(FILE *out, const char *s)
{
	char *e = escape_text(s);

	fputs(e ? e : "(out of memory)", out);
	free(e);
}

static void
entry_json(FILE *out, const struct quarantine_entry *e)
{
	fputs("{\"id\": ", out);
	escape_json_write(out, e->id);
	fputs(", \"original_path\": ", out);
	escape_json_write(out, e->original_path);
	fprintf(out, ", \"size\": %" PRIu64 ", \"sha256\": \"%s\", "
		"\"verdict\": ", e->size, e->sha256);
	escape_json_write(out, e->verdict);
	fputs(", \"format\": ", out);
	escape_json_write(out, e->format);
	fputs(", \"quarantined_at\": \"", out);
	print_time(out, e->quarantined_at);
	fprintf(out, "\", \"findings\": %" PRIu64 ", \"data_present\": %s, "
		"\"state\": \"%s\", \"captured_while_writing\": %s}",
		e->findings_total, e->data_present ? "true" : "false",
		quarantine_state_name(e->state),
		e->captured_while_writing ? "true" : "false");
}

/*
 * Moves that were interrupted (a kill, a crash) are finished or undone
 * before listing; what cannot be finished now is listed with its state.
 */
static void
recover_and_report(struct quarantine_store *st)
{
	struct quarantine_recovery r;

	if (quarantine_recover(st, &r) != QUARANTINE_OK)
		return;
	if (r.completed || r.undone)
		fprintf(stderr, "picklewarden: recovered %zu interrupted "
			"move%s (%zu finished, %zu had taken nothing)\n",
			r.completed + r.undone,
			r.completed + r.undone == 1 ? "" : "s", r.completed,
			r.undone);
	if (r.stuck)
		fprintf(stderr, "picklewarden: %zu interrupted move%s could "
			"not be finished now (listed as new-*; retried at the "
			"next list or start of watch)\n", r.stuck,
			r.stuck == 1 ? "" : "s");
}

static int
do_list(struct quarantine_store *st, bool json)
{
	struct quarantine_entry *v = NULL;
	size_t n = 0, bad = 0, i;
	int rc;

	recover_and_report(st);
	rc = quarantine_list(st, &v, &n, &bad);
	if (rc != QUARANTINE_OK) {
		fprintf(stderr, "picklewarden: quarantine list: %s\n",
			quarantine_strerror(rc));
		return EXIT_TROUBLE;
	}
	if (json) {
		fputs("[", stdout);
		for (i = 0; i < n; i++) {
			fputs(i ? ",\n " : "\n ", stdout);
			entry_json(stdout, &v[i]);
		}
		fputs(n ? "\n]\n" : "]\n", stdout);
	} else {
		/* The header even when empty: "nothing here" at a glance. */
		printf("%-38s %-20s %-10s %12s  %s\n", "ID",
			       "QUARANTINED", "VERDICT", "SIZE", "PATH");
		for (i = 0; i < n; i++) {
			printf("%-38s ", v[i].id);
			print_time(stdout, v[i].quarantined_at);
			fputc(' ', stdout);
			/* The verdict is ours, but the record is a file:
			 * escaped like everything read back. */
			{
				char vb[16];

				escape_text_buf(v[i].verdict, vb, sizeof(vb));
				printf("%-10.10s", vb);
			}
			printf(" %12" PRIu64 "  ", v[i].size);
			print_escaped(stdout, v[i].original_path);
			if (v[i].state != QUARANTINE_STATE_COMPLETE)
				printf("  [%s]", quarantine_state_name(
						      v[i].state));
			else if (v[i].captured_while_writing)
				fputs("  [captured while being written]",
				      stdout);
			putchar('\n');
		}
	}
	if (bad)
		fprintf(stderr, "picklewarden: %zu entr%s with an unreadable "
			"record skipped\n", bad, bad == 1 ? "y" : "ies");
	quarantine_entries_free(v, n);
	return bad ? EXIT_TROUBLE : 0;
}

static int
do_show(struct quarantine_store *st, const char *id, bool json)
{
	struct quarantine_entry *e = NULL;
	size_t i;
	int rc;

	if (json) {
		rc = quarantine_write_record(st, id, stdout);
	} else {
		rc = quarantine_show(st, id, &e);
	}
	if (rc != QUARANTINE_OK) {
		fprintf(stderr, "picklewarden: quarantine show: %s\n",
			quarantine_strerror(rc));
		return EXIT_TROUBLE;
	}
	if (json)
		return 0;
	printf("id:            %s\noriginal path: ", e->id);
	print_escaped(stdout, e->original_path);
	printf("\nsize:          %" PRIu64 "\nmode:          %04o\n"
	       "owner:         %u:%u\nsha256:        %s\nverdict:       ",
	       e->size, (unsigned)e->mode, (unsigned)e->uid, (unsigned)e->gid,
	       e->sha256);
	print_escaped(stdout, e->verdict);
	fputs("\nformat:        ", stdout);
	print_escaped(stdout, e->format);
	fputs("\nquarantined:   ", stdout);
	print_time(stdout, e->quarantined_at);
	fputs("\nmtime:         ", stdout);
	print_time(stdout, e->mtime.tv_sec);
	fputs("\nmethod:        ", stdout);
	print_escaped(stdout, e->method);
	fputs("\nversion:       ", stdout);
	print_escaped(stdout, e->version);
	printf("\ndata:          %s\nstate:         %s\n",
	       e->data_present ? "present" :
	       e->state == QUARANTINE_STATE_COMPLETE ? "MISSING" :
	       "not stored yet", quarantine_state_name(e->state));
	if (e->captured_while_writing)
		printf("captured:      while still being written: %" PRIu64
		       " bytes, sha256 above is of what was captured\n",
		       e->captured_size);
	printf("findings:      %" PRIu64 "\n", e->findings_total);
	for (i = 0; i < e->n_findings; i++) {
		const struct quarantine_finding *f = &e->findings[i];

		fputs("  - ", stdout);
		print_escaped(stdout, f->severity);
		fputc(' ', stdout);
		print_escaped(stdout, f->kind);
		if (f->global[0]) {
			fputc(' ', stdout);
			print_escaped(stdout, f->global);
		}
		if (f->location[0]) {
			fputs(" in ", stdout);
			print_escaped(stdout, f->location);
		}
		printf(" @%" PRIu64 ": ", f->offset);
		print_escaped(stdout, f->reason);
		putchar('\n');
	}
	/* Every time this content was met (one copy kept per digest). */
	(void)quarantine_events_print(st, e->sha256, stdout);
	quarantine_entry_free(e);
	return 0;
}

/* restore to the original path: removes the tombstone left there for this
 * entry (recognised by its exact format and the entry's ID).  Returns 1
 * when one was removed (*ret_path is then the path, to put it back if the
 * restore fails; caller frees), 0 when there was none, -1 (reported) on
 * error. */
static int
tombstone_clear_for_restore(struct quarantine_store *st, const char *id,
			    char **ret_path)
{
	struct quarantine_entry *e = NULL;
	int r = 0;

	*ret_path = NULL;
	if (quarantine_show(st, id, &e) != QUARANTINE_OK || !e)
		return 0;	/* restore reports it */
	r = tombstone_remove(e->original_path, e->id);
	if (r < 0) {
		fprintf(stderr, "picklewarden: restore %s: cannot remove the "
			"tombstone: %s\n", id, strerror(errno));
	} else if (r == 1) {
		*ret_path = strdup(e->original_path);
	}
	quarantine_entry_free(e);
	return r;
}

/* The action word, parsed once. */
enum cli_quarantine_action {
	CLI_QUARANTINE_UNKNOWN,
	CLI_QUARANTINE_LIST,
	CLI_QUARANTINE_SHOW,
	CLI_QUARANTINE_RESTORE,
	CLI_QUARANTINE_PURGE,
};

static enum cli_quarantine_action
parse_action(const char *word)
{
	static const struct {
		const char *word;
		enum cli_quarantine_action action;
	} actions[] = {
		{"list", CLI_QUARANTINE_LIST},
		{"show", CLI_QUARANTINE_SHOW},
		{"restore", CLI_QUARANTINE_RESTORE},
		{"purge", CLI_QUARANTINE_PURGE},
	};
	size_t i;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(word, actions[i].word) == 0)
			return actions[i].action;
	return CLI_QUARANTINE_UNKNOWN;
}

int
cmd_quarantine(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"to", required_argument, NULL, 't'},
		{"older-than", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *to = NULL, *older = NULL, *action, *id;
	char full_id[QUARANTINE_ID_MAX];
	enum cli_quarantine_action act;
	struct quarantine_store *st = NULL;
	struct policy *p = NULL;
	struct policy_error err;
	bool json = false;
	char msg[2048];
	int c, rc = EXIT_TROUBLE, q;

	if (argc < 2) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	action = argv[1];
	if (strcmp(action, "--help") == 0 || strcmp(action, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:jt:o:h", opts,
				NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'j': json = true; break;
		case 't': to = optarg; break;
		case 'o': older = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_TROUBLE;
		}
	}
	/* Operands, wherever the options were: the action, at most an ID. */
	if (optind >= argc) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	action = argv[optind];
	id = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (optind + 2 < argc) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	act = parse_action(action);
	if ((json && act != CLI_QUARANTINE_LIST &&
	     act != CLI_QUARANTINE_SHOW) ||
	    (to && act != CLI_QUARANTINE_RESTORE) ||
	    (older && act != CLI_QUARANTINE_PURGE)) {
		fprintf(stderr, "picklewarden: option not valid for "
			"'quarantine %s'\n", action);
		return EXIT_TROUBLE;
	}
	if (act == CLI_QUARANTINE_LIST ? id != NULL :
	    act == CLI_QUARANTINE_PURGE ? (!id) == (!older) : !id) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (act == CLI_QUARANTINE_UNKNOWN) {
		fprintf(stderr, "picklewarden: unknown quarantine action\n");
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (id && !quarantine_id_valid(id)) {
		fprintf(stderr, "picklewarden: malformed quarantine ID\n");
		return EXIT_TROUBLE;
	}
	memset(&err, 0, sizeof(err));
	if (policy_find_and_load(config, &p, &err) != 0) {
		fprintf(stderr, "picklewarden: configuration file %s\n",
			policy_error_format(&err, msg, sizeof(msg)));
		return EXIT_TROUBLE;
	}
	if (p->search_warning)
		fprintf(stderr, "picklewarden: warning: %s\n",
			p->search_warning);
	q = quarantine_open(p->quarantine_dir, &st);
	if (q != QUARANTINE_OK) {
		fprintf(stderr, "picklewarden: quarantine store ");
		print_escaped(stderr, p->quarantine_dir);
		fprintf(stderr, ": %s%s%s\n", quarantine_strerror(q),
			q == QUARANTINE_ERR_IO ? ": " : "",
			q == QUARANTINE_ERR_IO ? strerror(errno) : "");
		goto out;
	}
	if (id) {
		/* A unique prefix names an entry, as in git. */
		size_t matches = 0;

		q = quarantine_resolve_prefix(st, id, full_id, sizeof(full_id),
					      &matches);
		if (q == QUARANTINE_OK) {
			id = full_id;
		} else if (matches > 1) {
			fprintf(stderr, "picklewarden: %zu entries start "
				"with %s: give more of the ID\n", matches, id);
			goto out;
		}
	}
	if (act == CLI_QUARANTINE_LIST) {
		rc = do_list(st, json);
	} else if (act == CLI_QUARANTINE_SHOW) {
		rc = do_show(st, id, json);
	} else if (act == CLI_QUARANTINE_RESTORE) {
		struct quarantine_entry *e = NULL;
		bool frozen = false;
		uint64_t captured = 0;
		/* Where a Hugging Face blob was taken, our tombstone holds
		 * its name: it goes, and the file comes back. */
		char *tomb = NULL;

		if (quarantine_show(st, id, &e) == QUARANTINE_OK) {
			frozen = e->captured_while_writing;
			captured = e->captured_size;
		}
		quarantine_entry_free(e);

		if (!to && tombstone_clear_for_restore(st, id, &tomb) < 0)
			goto out;
		q = quarantine_restore(st, id, to);
		if (q != QUARANTINE_OK && tomb) {
			/* Nothing came back: the name keeps its tombstone,
			 * or huggingface_hub downloads the file again. */
			struct tombstone_info t = {
				.id = id, .what = tomb, .verdict = "malicious",
			};

			(void)tombstone_write(AT_FDCWD, tomb, &t);
		}
		free(tomb);
		if (q != QUARANTINE_OK) {
			fprintf(stderr, "picklewarden: restore %s: %s%s%s%s\n",
				id, quarantine_strerror(q),
				q == QUARANTINE_ERR_IO ? ": " : "",
				q == QUARANTINE_ERR_IO ? strerror(errno) : "",
				q == QUARANTINE_ERR_UNSAFE_PATH && !to ?
				"; nothing was written (give another place "
				"with --to DIR)" :
				q == QUARANTINE_ERR_UNSAFE_PATH ?
				"; nothing was written" : "");
			goto out;
		}
		printf("restored %s\n", id);
		if (frozen)
			printf("note: this file was captured while it was "
			       "still being written; what was restored is the "
			       "%" PRIu64 " bytes it held then\n", captured);
		rc = 0;
	} else if (id) {
		q = quarantine_purge(st, id);
		if (q != QUARANTINE_OK) {
			fprintf(stderr, "picklewarden: purge %s: %s\n", id,
				quarantine_strerror(q));
			goto out;
		}
		printf("purged %s\n", id);
		rc = 0;
	} else {
		char *end;
		unsigned long days;
		size_t count = 0;

		errno = 0;
		days = strtoul(older, &end, 10);
		if (errno || end == older || *end || days > MAX_DAYS ||
		    older[0] == '-') {
			fprintf(stderr, "picklewarden: --older-than wants a "
				"number of days\n");
			goto out;
		}
		q = quarantine_purge_older(st, time(NULL) -
					   (time_t)days * 86400, &count);
		printf("purged %zu entr%s\n", count, count == 1 ? "y" : "ies");
		if (q != QUARANTINE_OK) {
			fprintf(stderr, "picklewarden: purge: %s\n",
				quarantine_strerror(q));
			goto out;
		}
		rc = 0;
	}
out:
	quarantine_close(st);
	policy_free(p);
	return rc;
}
