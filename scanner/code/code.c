/*
 * code.c - token-level reading of TorchScript and torch.package sources.
 *
 * TorchScript can only call registered operators, so the names its code
 * calls say what it does: a call of an operator that reads or writes files
 * or loads native code (torch.from_file, torch.save, torch.load,
 * ops.load_library...) anywhere in code/ is reachable from forward or
 * __setstate__, and __setstate__ runs on load (even under torch 1.13's
 * weights_only=True): malicious.
 *
 * A torch.package module runs its top-level statements when a pickle of
 * the package imports it.  Definitions (def, class, imports, constants)
 * run nothing of the author's; any other call at import time - a call in
 * a top-level statement or class body, a decorator with arguments - is
 * code that runs on load: malicious.  Function bodies run only if called,
 * and only a pickle can call them: that is judged where the pickle is.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "code/code.h"
#include "pickle/lists.h"
#include "result.h"

/* Operators that touch files or load native code, as TorchScript spells
 * them (the last part of a torch.* / ops.* call). */
static const char *const ts_denied_ops[] = {
	"from_file", "save", "load", "load_library", "_load_for_lite_interpreter",
	"_save_for_lite_interpreter", "_load_for_mobile", "_save_parameters",
	"_load_parameters", "import_ir_module", "CompilationUnit", "system",
	"popen", NULL
};

/* Decorators that only wrap a definition (they call nothing of the
 * package's own). */
static const char *const plain_decorators[] = {
	"staticmethod", "classmethod", "property", "abstractmethod",
	"torch.jit.export", "torch.jit.ignore", "torch.jit.unused",
	"dataclass", "dataclasses.dataclass", NULL
};

struct lexer {
	const char *p, *end;
	int depth;		/* (, [, { nesting */
};

static bool
is_ident_start(int c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static bool
is_ident(int c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* Skips a string literal starting at p (after any prefix letters): quote,
 * triple quote, backslash escapes.  Returns where it ends. */
static const char *
skip_string(const char *p, const char *end)
{
	char q = *p;
	bool triple = end - p >= 3 && p[1] == q && p[2] == q;

	p += triple ? 3 : 1;
	while (p < end) {
		if (*p == '\\') {
			p += 2;
			continue;
		}
		if (*p == q) {
			if (!triple)
				return p + 1;
			if (end - p >= 3 && p[1] == q && p[2] == q)
				return p + 3;
		} else if (*p == '\n' && !triple) {
			return p;	/* unterminated: the line ends it */
		}
		p++;
	}
	return end;
}

static bool
in_list(const char *const *list, const char *s, size_t n)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
			return true;
	return false;
}

/* Whether a torch.* / ops.* call chain is one real TorchScript calls. */
static bool
ts_op_known(const char *chain, size_t n)
{
	size_t i;

	for (i = 0; i < pw_torchscript_ops_len; i++)
		if (strlen(pw_torchscript_ops[i].pattern) == n &&
		    memcmp(pw_torchscript_ops[i].pattern, chain, n) == 0)
			return true;
	return false;
}

/* TorchScript: every dotted call chain torch.X...(/ops.X...( whose last
 * name is a denied operator.  fn tracks the enclosing def for the report. */
static void
scan_torchscript(struct scan_ctx *ctx, const char *p, const char *end)
{
	const char *fn = "", *chain, *last;
	size_t fnlen = 0;
	bool reported = false, unknown_reported = false;

	while (p < end && !reported) {
		int c = (unsigned char)*p;

		if (c == '#') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if (c == '"' || c == '\'') {
			p = skip_string(p, end);
			continue;
		}
		if (!is_ident_start(c)) {
			p++;
			continue;
		}
		chain = p;
		last = p;
		for (;;) {
			while (p < end && is_ident((unsigned char)*p))
				p++;
			if (p < end && *p == '.' && p + 1 < end &&
			    is_ident_start((unsigned char)p[1])) {
				p++;
				last = p;
				continue;
			}
			break;
		}
		if ((size_t)(p - chain) == 3 && memcmp(chain, "def", 3) == 0) {
			const char *q = p;

			while (q < end && *q == ' ')
				q++;
			fn = q;
			while (q < end && is_ident((unsigned char)*q))
				q++;
			fnlen = (size_t)(q - fn);
			continue;
		}
		{
			const char *q = p;
			size_t first = strcspn(chain, ".");

			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			if (q >= end || *q != '(')
				continue;
			if (!((first == 5 && memcmp(chain, "torch", 5) == 0) ||
			      (first == 3 && memcmp(chain, "ops", 3) == 0)))
				continue;
			if (!in_list(ts_denied_ops, last, (size_t)(p - last)) &&
			    !unknown_reported &&
			    !ts_op_known(chain, (size_t)(p - chain))) {
				scan_report(ctx, PW_SEV_SUSPICIOUS, PW_KIND_CALL,
					    NULL, 0, "TorchScript code calls "
					    "%.*s (in %.*s), an operator "
					    "outside those real TorchScript "
					    "code calls",
					    (int)(p - chain > 120 ? 120
						  : p - chain), chain,
					    (int)(fnlen > 80 ? 80 : fnlen),
					    fn);
				unknown_reported = true;
			}
			if (in_list(ts_denied_ops, last, (size_t)(p - last))) {
				scan_report(ctx, PW_SEV_MALICIOUS, PW_KIND_CALL,
					    NULL, 0, "TorchScript code calls "
					    "%.*s (in %.*s): an operator that "
					    "reads or writes files or loads "
					    "native code, reachable from "
					    "forward or __setstate__, which "
					    "runs on load",
					    (int)(p - chain > 120 ? 120
						  : p - chain), chain,
					    (int)(fnlen > 80 ? 80 : fnlen),
					    fn);
				reported = true;
			}
		}
	}
}

/* One logical line of a packaged module (brackets joined), from s to e,
 * at indentation ind: whether it calls something when the module runs. */
static bool
statement_calls(const char *s, const char *e)
{
	const char *p = s;
	int prev = 0;	/* 'i' identifier, ')' or ']' closer, 0 other */

	while (p < e) {
		int c = (unsigned char)*p;

		if (c == '#') {
			while (p < e && *p != '\n')
				p++;
			continue;
		}
		if (c == '"' || c == '\'') {
			p = skip_string(p, e);
			prev = 0;
			continue;
		}
		if (is_ident_start(c)) {
			const char *w = p;

			while (p < e && is_ident((unsigned char)*p))
				p++;
			/* Keywords before a parenthesis are not calls. */
			prev = ((p - w == 2 && (memcmp(w, "in", 2) == 0 ||
						memcmp(w, "if", 2) == 0 ||
						memcmp(w, "or", 2) == 0 ||
						memcmp(w, "is", 2) == 0)) ||
				(p - w == 3 && (memcmp(w, "and", 3) == 0 ||
						memcmp(w, "not", 3) == 0)) ||
				(p - w == 6 && memcmp(w, "return", 6) == 0))
				       ? 0 : 'i';
			continue;
		}
		if (c == '(' && (prev == 'i' || prev == ')' || prev == ']'))
			return true;
		if (c == ')' || c == ']')
			prev = c;
		else if (c != ' ' && c != '\t' && c != '\\' && c != '\n' &&
			 c != '\r')
			prev = 0;
		p++;
	}
	return false;
}

static bool
starts_word(const char *s, const char *e, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(e - s) >= n && memcmp(s, w, n) == 0 &&
	       ((size_t)(e - s) == n || !is_ident((unsigned char)s[n]));
}

/* The statement is "class Name(Base, ...):" with nothing called in its
 * bases. */
static bool
class_header_calls(const char *s, const char *e)
{
	const char *open = memchr(s, '(', (size_t)(e - s));

	if (open == NULL)
		return false;
	return statement_calls(open + 1, e);
}

static void
scan_package(struct scan_ctx *ctx, const char *p, const char *end)
{
	int skip_above = -1;	/* inside a def body deeper than this */

	while (p < end) {
		const char *s, *e;
		int ind = 0, depth = 0;

		while (p < end && (*p == ' ' || *p == '\t')) {
			ind++;
			p++;
		}
		s = p;
		/* The logical line: to a newline outside brackets/strings. */
		while (p < end) {
			int c = (unsigned char)*p;

			if (c == '"' || c == '\'') {
				p = skip_string(p, end);
				continue;
			}
			if (c == '#') {
				while (p < end && *p != '\n')
					p++;
				continue;
			}
			if (c == '(' || c == '[' || c == '{')
				depth++;
			else if ((c == ')' || c == ']' || c == '}') && depth > 0)
				depth--;
			else if (c == '\\' && p + 1 < end && p[1] == '\n') {
				p += 2;
				continue;
			} else if (c == '\n' && depth == 0)
				break;
			p++;
		}
		e = p;
		if (p < end)
			p++;
		if (s == e || *s == '#' || *s == '\r')
			continue;	/* blank or comment */
		if (skip_above >= 0 && ind > skip_above)
			continue;	/* a function body: runs only if called */
		skip_above = -1;
		if (starts_word(s, e, "def") || starts_word(s, e, "async")) {
			skip_above = ind;
			/* Default values and annotations run at definition. */
			{
				const char *open = memchr(s, '(', (size_t)(e - s));

				if (open != NULL && statement_calls(open + 1, e))
					goto runs;
			}
			continue;
		}
		if (starts_word(s, e, "class")) {
			if (class_header_calls(s, e))
				goto runs;
			continue;
		}
		if (starts_word(s, e, "import") || starts_word(s, e, "from"))
			continue;
		if (*s == '@') {
			const char *q = s + 1;

			while (q < e && (is_ident((unsigned char)*q) || *q == '.'))
				q++;
			if (in_list(plain_decorators, s + 1, (size_t)(q - s - 1)) &&
			    (q == e || *q == '\r' || *q == ' ' || *q == '#'))
				continue;
			goto runs;
		}
		if (!statement_calls(s, e))
			continue;
runs:
		scan_report(ctx, PW_SEV_MALICIOUS, PW_KIND_CALL, NULL, 0,
			    "torch.package module runs code when a pickle of "
			    "the package imports it: '%.*s'",
			    (int)(e - s > 120 ? 120 : e - s), s);
		return;
	}
}

void
code_scan_text(struct scan_ctx *ctx, const char *text, size_t len,
	       enum code_kind kind)
{
	if (kind == CODE_TORCHSCRIPT)
		scan_torchscript(ctx, text, text + len);
	else
		scan_package(ctx, text, text + len);
}

int
code_scan_stream(struct scan_ctx *ctx, struct stream *st, enum code_kind kind)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	const uint8_t *chunk;
	size_t n;
	int rc = PW_OK;

	while (stream_read_some(st, 1u << 16, &chunk, &n)) {
		if (len + n > PW_MAX_CODE_BYTES) {
			/* Fail closed: code a loader runs and we did not
			 * read whole is never clean. */
			scan_report(ctx, PW_SEV_ERROR, PW_KIND_LIMIT, NULL, 0,
				    "source member larger than %llu bytes is "
				    "not analysed",
				    (unsigned long long)PW_MAX_CODE_BYTES);
			goto out;
		}
		if (len + n > cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb;

			while (ncap < len + n)
				ncap *= 2;
			nb = realloc(buf, ncap);
			if (nb == NULL) {
				rc = PW_ERR_NOMEM;
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	if (st->err != PW_OK && st->err != PW_ERR_NOMEM)
		rc = st->err;
	else if (st->err == PW_ERR_NOMEM)
		rc = PW_ERR_NOMEM;
	code_scan_text(ctx, buf != NULL ? buf : "", len, kind);
out:
	free(buf);
	return rc;
}
