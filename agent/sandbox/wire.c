/*
 * wire.c - encoding and (hostile-input) parsing of worker messages.
 * The parser reads through a bounded cursor: a failed read moves nothing,
 * and every length is checked against the bytes left before use.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent/sandbox/wire.h"

static const uint8_t req_magic[4] = {'P', 'W', 'S', 'Q'};
static const uint8_t res_magic[4] = {'P', 'W', 'S', 'R'};

/* ---- little-endian helpers ---- */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---- requests ---- */

size_t
sandbox_wire_request(uint8_t *req, uint16_t flags, uint64_t deadline_ms,
		     uint32_t count, const uint64_t *prefix_len)
{
	uint32_t i;

	memcpy(req, req_magic, 4);
	put16(req + 4, SANDBOX_WIRE_REQUEST_VERSION);
	put16(req + 6, flags);
	put64(req + 8, deadline_ms);
	put32(req + 16, count);
	put32(req + 20, 0);
	for (i = 0; i < count; i++)
		put64(req + SANDBOX_WIRE_REQUEST_HEADER + 8u * i,
		      prefix_len[i]);
	return SANDBOX_WIRE_REQUEST_SIZE(count);
}

int
sandbox_wire_parse_request(const uint8_t *req, size_t len,
			   uint16_t *ret_flags, uint64_t *ret_deadline_ms,
			   uint32_t *ret_count,
			   uint64_t prefix_len[SANDBOX_WIRE_MAX_BATCH])
{
	uint32_t count, i;

	if (len < SANDBOX_WIRE_REQUEST_HEADER ||
	    memcmp(req, req_magic, 4) != 0 ||
	    get16(req + 4) != SANDBOX_WIRE_REQUEST_VERSION ||
	    get32(req + 20) != 0)
		return -1;
	count = get32(req + 16);
	if (count == 0 || count > SANDBOX_WIRE_MAX_BATCH ||
	    len != SANDBOX_WIRE_REQUEST_SIZE(count))
		return -1;
	*ret_flags = get16(req + 6);
	*ret_deadline_ms = get64(req + 8);
	*ret_count = count;
	for (i = 0; i < count; i++)
		prefix_len[i] = get64(req + SANDBOX_WIRE_REQUEST_HEADER +
				      8u * i);
	return 0;
}

/* ---- encoding (worker side) ---- */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool failed;		/* out of memory, or over the body cap */
};

static uint8_t *
wb_grow(struct wbuf *w, size_t n)
{
	size_t need, ncap;
	uint8_t *np;

	if (w->failed)
		return NULL;
	if (__builtin_add_overflow(w->len, n, &need) ||
	    need > SANDBOX_WIRE_HEADER_SIZE + SANDBOX_WIRE_MAX_BODY) {
		w->failed = true;
		return NULL;
	}
	if (need > w->cap) {
		ncap = w->cap ? w->cap : 1024;
		while (ncap < need)
			ncap *= 2;
		np = realloc(w->p, ncap);
		if (np == NULL) {
			w->failed = true;
			return NULL;
		}
		w->p = np;
		w->cap = ncap;
	}
	np = w->p + w->len;
	w->len = need;
	return np;
}

static void
wb_u8(struct wbuf *w, uint8_t v)
{
	uint8_t *p = wb_grow(w, 1);

	if (p)
		*p = v;
}

static void
wb_u32(struct wbuf *w, uint32_t v)
{
	uint8_t *p = wb_grow(w, 4);

	if (p)
		put32(p, v);
}

static void
wb_u64(struct wbuf *w, uint64_t v)
{
	uint8_t *p = wb_grow(w, 8);

	if (p)
		put64(p, v);
}

static void
wb_str(struct wbuf *w, const char *s, size_t cap)
{
	size_t n = strlen(s);
	uint8_t *p;

	/* Long names and reasons are cut: they only end up in log lines. */
	if (n > cap)
		n = cap;
	wb_u32(w, (uint32_t)n);
	p = wb_grow(w, n);
	if (p)
		memcpy(p, s, n);
}

/* The size one finding takes on the wire (strings capped). */
static size_t
finding_size(const struct pw_finding *f)
{
	const char *s[6] = {f->global, f->module, f->name, f->opcode,
			    f->location, f->reason};
	size_t n = 1 + 4 + 1 + 8, i, l;

	for (i = 0; i < 6; i++) {
		if (s[i] == NULL)
			continue;
		l = strlen(s[i]);
		n += 4 + (l > SANDBOX_WIRE_MAX_STRING ? SANDBOX_WIRE_MAX_STRING
						      : l);
	}
	return n;
}

int
sandbox_wire_encode(int status, const struct pw_result *res,
		    uint8_t **ret_msg, size_t *ret_len)
{
	struct wbuf w = {NULL, 0, 0, false};
	size_t i, n, count = 0, count_at, room;
	uint8_t *hdr;

	hdr = wb_grow(&w, SANDBOX_WIRE_HEADER_SIZE);
	(void)hdr;
	wb_u32(&w, (uint32_t)status);
	if (status == PW_OK) {
		const char *fmt = pw_result_format(res);

		wb_u8(&w, (uint8_t)pw_result_verdict(res));
		wb_u8(&w, pw_result_executable(res) ? 1 : 0);
		wb_str(&w, fmt, SANDBOX_WIRE_MAX_FORMAT);
		wb_u64(&w, pw_result_bytes_read(res));
		wb_u64(&w, pw_result_bytes_total(res));
		wb_u64(&w, pw_result_opcodes(res));
		count_at = w.len;
		wb_u32(&w, 0);	/* patched below */
		n = pw_result_finding_count(res);
		for (i = 0; i < n && count < SANDBOX_WIRE_MAX_FINDINGS; i++) {
			const struct pw_finding *f = pw_result_finding(res, i);
			uint8_t present = 0;

			/* Over the cap: stop rather than fail; the verdict
			 * already counts every finding. */
			room = SANDBOX_WIRE_HEADER_SIZE + SANDBOX_WIRE_MAX_BODY -
			       w.len;
			if (w.failed || finding_size(f) > room)
				break;
			present = (uint8_t)((f->global ? 1 : 0) |
					    (f->module ? 2 : 0) |
					    (f->name ? 4 : 0) |
					    (f->opcode ? 8 : 0));
			wb_u8(&w, (uint8_t)f->severity);
			wb_u32(&w, (uint32_t)f->kind);
			wb_u8(&w, present);
			wb_u64(&w, f->offset);
			if (f->global)
				wb_str(&w, f->global, SANDBOX_WIRE_MAX_STRING);
			if (f->module)
				wb_str(&w, f->module, SANDBOX_WIRE_MAX_STRING);
			if (f->name)
				wb_str(&w, f->name, SANDBOX_WIRE_MAX_STRING);
			if (f->opcode)
				wb_str(&w, f->opcode, SANDBOX_WIRE_MAX_OPCODE);
			wb_str(&w, f->location ? f->location : "",
			       SANDBOX_WIRE_MAX_STRING);
			wb_str(&w, f->reason ? f->reason : "",
			       SANDBOX_WIRE_MAX_STRING);
			count++;
		}
		if (!w.failed)
			put32(w.p + count_at, (uint32_t)count);
	}
	if (w.failed) {
		free(w.p);
		return -1;
	}
	memcpy(w.p, res_magic, 4);
	put16(w.p + 4, SANDBOX_WIRE_VERSION);
	put16(w.p + 6, 0);
	put32(w.p + 8, (uint32_t)(w.len - SANDBOX_WIRE_HEADER_SIZE));
	*ret_msg = w.p;
	*ret_len = w.len;
	return 0;
}

/* ---- parsing (agent side): every byte is hostile ---- */

struct rd {
	const uint8_t *p;
	size_t len, off;
};

static bool
rd_u8(struct rd *r, uint8_t *v)
{
	if (r->len - r->off < 1)
		return false;
	*v = r->p[r->off++];
	return true;
}

static bool
rd_u32(struct rd *r, uint32_t *v)
{
	if (r->len - r->off < 4)
		return false;
	*v = get32(r->p + r->off);
	r->off += 4;
	return true;
}

static bool
rd_u64(struct rd *r, uint64_t *v)
{
	if (r->len - r->off < 8)
		return false;
	*v = get64(r->p + r->off);
	r->off += 8;
	return true;
}

/* A string of at most cap bytes, none NUL; *ret is a new C string.  When
 * charset is not NULL every byte must be in it. */
static bool
rd_str(struct rd *r, size_t cap, const char *charset, char **ret)
{
	uint32_t n;
	size_t save = r->off, i;
	char *s;

	if (!rd_u32(r, &n))
		return false;
	if (n > cap || n > r->len - r->off)
		goto bad;
	for (i = 0; i < n; i++) {
		uint8_t c = r->p[r->off + i];

		if (c == 0 || (charset && strchr(charset, c) == NULL))
			goto bad;
	}
	s = malloc((size_t)n + 1);
	if (s == NULL)
		goto bad;
	memcpy(s, r->p + r->off, n);
	s[n] = '\0';
	r->off += n;
	*ret = s;
	return true;
bad:
	r->off = save;
	return false;
}

static const char format_chars[] =
	"abcdefghijklmnopqrstuvwxyz0123456789.+_-";
static const char opcode_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

int
sandbox_wire_parse_header(const uint8_t *hdr, size_t len,
			  uint32_t *ret_body_len, const char **ret_why)
{
	uint32_t body;

	if (len < SANDBOX_WIRE_HEADER_SIZE) {
		*ret_why = "short header";
		return -1;
	}
	if (memcmp(hdr, res_magic, 4) != 0) {
		*ret_why = "bad magic";
		return -1;
	}
	if (get16(hdr + 4) != SANDBOX_WIRE_VERSION) {
		*ret_why = "unsupported version";
		return -1;
	}
	if (get16(hdr + 6) != 0) {
		*ret_why = "reserved bits set";
		return -1;
	}
	body = get32(hdr + 8);
	if (body > SANDBOX_WIRE_MAX_BODY) {
		*ret_why = "message too long";
		return -1;
	}
	*ret_body_len = body;
	return 0;
}

static int
parse_finding(struct rd *r, struct scan_result *res, uint8_t *ret_sev,
	      const char **ret_why)
{
	struct pw_finding f;
	char *s[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
	uint8_t sev, present;
	uint32_t kind;
	int i, rc = -1;

	memset(&f, 0, sizeof(f));
	if (!rd_u8(r, &sev) || !rd_u32(r, &kind) || !rd_u8(r, &present) ||
	    !rd_u64(r, &f.offset)) {
		*ret_why = "truncated finding";
		goto out;
	}
	if (sev > PW_SEV_MALICIOUS) {
		*ret_why = "severity out of range";
		goto out;
	}
	if (kind > SANDBOX_WIRE_MAX_KIND) {
		*ret_why = "finding kind out of range";
		goto out;
	}
	if (present & ~0x0fu) {
		*ret_why = "unknown finding fields";
		goto out;
	}
	for (i = 0; i < 4; i++) {
		if (!(present & (1u << i)))
			continue;
		if (!rd_str(r, i == 3 ? SANDBOX_WIRE_MAX_OPCODE
				      : SANDBOX_WIRE_MAX_STRING,
			    i == 3 ? opcode_chars : NULL, &s[i])) {
			*ret_why = "bad finding string";
			goto out;
		}
	}
	if (!rd_str(r, SANDBOX_WIRE_MAX_STRING, NULL, &s[4]) ||
	    !rd_str(r, SANDBOX_WIRE_MAX_STRING, NULL, &s[5])) {
		*ret_why = "bad finding string";
		goto out;
	}
	f.severity = (enum pw_severity)sev;
	f.kind = (enum pw_finding_kind)kind;
	f.global = s[0];
	f.module = s[1];
	f.name = s[2];
	f.opcode = s[3];
	f.location = s[4];
	f.reason = s[5];
	if (scan_result_add(res, &f) != 0) {
		*ret_why = "out of memory";
		goto out;
	}
	*ret_sev = sev;
	rc = 0;
out:
	for (i = 0; i < 6; i++)
		free(s[i]);
	return rc;
}

int
sandbox_wire_parse(const uint8_t *msg, size_t len, int *ret_status,
		   struct scan_result **ret_res, const char **ret_why)
{
	struct scan_result *res = NULL;
	struct rd r;
	uint32_t body, status, count, i;
	uint8_t verdict, executable, sev, worst = 0;
	char *format = NULL;
	int rc = -1;

	if (sandbox_wire_parse_header(msg, len, &body, ret_why) != 0)
		return -1;
	if (len - SANDBOX_WIRE_HEADER_SIZE != body) {
		*ret_why = "length does not match the header";
		return -1;
	}
	r.p = msg + SANDBOX_WIRE_HEADER_SIZE;
	r.len = body;
	r.off = 0;
	if (!rd_u32(&r, &status) || status > SANDBOX_WIRE_MAX_STATUS) {
		*ret_why = "bad status";
		return -1;
	}
	if (status != PW_OK) {
		if (r.off != r.len) {
			*ret_why = "trailing bytes";
			return -1;
		}
		*ret_status = (int)status;
		return 0;
	}
	res = scan_result_new();
	if (res == NULL) {
		*ret_why = "out of memory";
		goto out;
	}
	if (!rd_u8(&r, &verdict) || verdict > PW_VERDICT_MALICIOUS) {
		*ret_why = "verdict out of range";
		goto out;
	}
	if (!rd_u8(&r, &executable) || executable > 1) {
		*ret_why = "executable flag out of range";
		goto out;
	}
	res->executable = executable == 1;
	if (!rd_str(&r, SANDBOX_WIRE_MAX_FORMAT, format_chars, &format) ||
	    format[0] == '\0') {
		*ret_why = "bad format name";
		goto out;
	}
	free(res->format);
	res->format = format;
	format = NULL;
	if (!rd_u64(&r, &res->bytes_read) || !rd_u64(&r, &res->bytes_total) ||
	    !rd_u64(&r, &res->opcodes) || !rd_u32(&r, &count)) {
		*ret_why = "truncated result";
		goto out;
	}
	/* The smallest finding is 22 bytes: a count the bytes cannot hold
	 * is a lie, caught before any allocation. */
	if (count > SANDBOX_WIRE_MAX_FINDINGS || count > (r.len - r.off) / 22) {
		*ret_why = "finding count out of range";
		goto out;
	}
	for (i = 0; i < count; i++) {
		if (parse_finding(&r, res, &sev, ret_why) != 0)
			goto out;
		if (sev > worst)
			worst = sev;
	}
	if (r.off != r.len) {
		*ret_why = "trailing bytes";
		goto out;
	}
	/* Severities and verdicts share their numbering; the verdict may
	 * be worse than the findings sent (some were over a cap) but never
	 * better. */
	if (verdict < worst) {
		*ret_why = "verdict better than its findings";
		goto out;
	}
	res->verdict = (enum pw_verdict)verdict;
	*ret_status = PW_OK;
	*ret_res = res;
	res = NULL;
	rc = 0;
out:
	free(format);
	scan_result_free(res);
	return rc;
}
