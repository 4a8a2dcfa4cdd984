/* syslog_line.c - one syslog message, and TCP framing (see syslog_line.h). */
#include <stdlib.h>
#include <string.h>

#include "syslog_line.h"
#include "../../base/timeutil.h"
#include "../../base/utf8.h"
#include "../../base/banned.h"

const char *syslog_refusal_name(int r)
{
	static const char *const names[SYSLOG__REFUSALS] = {
		"ok", "empty", "too_long", "bad_pri", "bad_header", "bad_utf8",
	};
	return r >= 0 && r < SYSLOG__REFUSALS ? names[r] : "unknown";
}

/* The next space-delimited field at *p (bounded by end); NULL at the end. */
static const char *field(const char **p, const char *end, size_t *len)
{
	const char *b = *p;
	if (b >= end)
		return NULL;
	const char *s = memchr(b, ' ', (size_t)(end - b));
	const char *e = s ? s : end;
	*len = (size_t)(e - b);
	*p = s ? s + 1 : end;
	return *len ? b : NULL;
}

/* PRI "<0>".."<191>" (at most three digits, no leading zero but "0"). */
static int read_pri(const char **p, const char *end, int *pri)
{
	const char *q = *p + 1;
	int v = 0, digits = 0;
	while (q < end && *q >= '0' && *q <= '9' && digits < 4) {
		v = v * 10 + (*q - '0');
		q++;
		digits++;
	}
	if (digits == 0 || digits > 3 || q >= end || *q != '>' || v > 191 ||
	    (digits > 1 && (*p)[1] == '0'))
		return -1;
	*pri = v;
	*p = q + 1;
	return 0;
}

static int64_t rfc3339(const char *s, size_t n)
{
	char buf[48];
	int64_t ms = 0;
	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return time_parse(buf, &ms) == 0 ? ms : 0;
}

/* RFC 5424 structured data: "-" or [id param="v"...]..., quotes and the
 * escapes \" \\ \] inside values. Returns its length, 0 when malformed. */
static size_t sd_length(const char *p, const char *end)
{
	if (p < end && *p == '-')
		return 1;
	const char *q = p;
	while (q < end && *q == '[') {
		int quoted = 0;
		q++;
		while (q < end) {
			if (quoted && *q == '\\' && q + 1 < end) {
				q += 2;
				continue;
			}
			if (*q == '"')
				quoted = !quoted;
			else if (*q == ']' && !quoted)
				break;
			q++;
		}
		if (q >= end)
			return 0;
		q++;
	}
	if (q == p || (q < end && *q != ' '))
		return 0;
	return (size_t)(q - p);
}

static int parse_5424(const char *p, const char *end, struct syslog_msg *m)
{
	size_t n;
	const char *f;
	m->version = 1;
	/* TIMESTAMP HOSTNAME APP-NAME PROCID MSGID: none empty ("-" for nil) */
	const char *fields[5];
	size_t lens[5];
	for (int i = 0; i < 5; i++) {
		if ((f = field(&p, end, &n)) == NULL)
			return SYSLOG_BAD_HEADER;
		fields[i] = f;
		lens[i] = n;
	}
	static const size_t max[5] = { 40, 255, 48, 128, 32 };
	for (int i = 0; i < 5; i++)
		if (lens[i] > max[i])
			return SYSLOG_BAD_HEADER;
	if (!(lens[0] == 1 && fields[0][0] == '-')) {
		m->time_ms = rfc3339(fields[0], lens[0]);
		if (m->time_ms == 0)
			return SYSLOG_BAD_HEADER;
	}
	if (!(lens[1] == 1 && fields[1][0] == '-')) {
		m->host = fields[1];
		m->host_len = lens[1];
	}
	if (!(lens[2] == 1 && fields[2][0] == '-')) {
		m->app = fields[2];
		m->app_len = lens[2];
	}
	size_t sd = sd_length(p, end);
	if (sd == 0)
		return SYSLOG_BAD_HEADER;
	m->sd = p;
	m->sd_len = sd;
	p += sd;
	if (p < end)
		p++; /* the space before MSG */
	/* a BOM says the message is UTF-8 (it has to be anyway) */
	if (end - p >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
	    (unsigned char)p[2] == 0xBF)
		p += 3;
	m->msg = p;
	m->msg_len = (size_t)(end - p);
	return SYSLOG_OK;
}

static int month(const char *s)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	for (int i = 0; i < 12; i++)
		if (memcmp(s, names + 3 * i, 3) == 0)
			return i + 1;
	return 0;
}

/* "Mmm dd hh:mm:ss " (dd may be " 7"). */
static int bsd_time(const char *p, const char *end)
{
	if (end - p < 16 || !month(p) || p[3] != ' ' || p[15] != ' ')
		return 0;
	static const char shape[] = "___ d9 99:99:99 ";
	for (int i = 4; i < 16; i++) {
		char c = p[i];
		if (shape[i] == '9' && !(c >= '0' && c <= '9'))
			return 0;
		if (shape[i] == 'd' && !(c == ' ' || (c >= '0' && c <= '9')))
			return 0;
		if ((shape[i] == ' ' || shape[i] == ':') && c != shape[i])
			return 0;
	}
	return 1;
}

static void parse_3164(const char *p, const char *end, struct syslog_msg *m)
{
	size_t n;
	m->version = 0;
	const char *q = p;
	if (bsd_time(p, end)) {
		q = p + 16;
	} else if (end - p > 20 && p[4] == '-' && p[10] == 'T') {
		/* an RFC 3339 time in a BSD line (rsyslog's high-precision format) */
		const char *s = memchr(p, ' ', (size_t)(end - p));
		if (s && (m->time_ms = rfc3339(p, (size_t)(s - p))) != 0)
			q = s + 1;
	}
	if (q != p) {
		/* HOSTNAME, then TAG[pid]: */
		const char *save = q;
		const char *h = field(&q, end, &n);
		if (h && n <= 255 && memchr(h, ':', n) == NULL) {
			m->host = h;
			m->host_len = n;
		} else {
			q = save;
		}
	}
	/* TAG: up to 48 characters of [A-Za-z0-9_./-] before "[" or ":" */
	size_t t = 0;
	while (q + t < end && t < 48) {
		char c = q[t];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '/' || c == '-'))
			break;
		t++;
	}
	if (t > 0 && q + t < end && (q[t] == '[' || q[t] == ':')) {
		m->app = q;
		m->app_len = t;
	}
	m->msg = q;
	m->msg_len = (size_t)(end - q);
}

int syslog_parse(const char *p, size_t n, size_t max_line, struct syslog_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->facility = 1;
	m->severity = 5;
	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	if (n > max_line)
		return SYSLOG_TOO_LONG;
	const char *end = p + n;
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i == n)
		return SYSLOG_EMPTY;
	if (memchr(p, '\0', n) != NULL || !utf8_valid(p, n))
		return SYSLOG_BAD_UTF8;
	if (p[0] == '<') {
		int pri;
		if (read_pri(&p, end, &pri) != 0)
			return SYSLOG_BAD_PRI;
		m->facility = pri / 8;
		m->severity = pri % 8;
		if (end - p >= 2 && p[0] >= '1' && p[0] <= '9' && p[1] == ' ')
			return parse_5424(p + 2, end, m);
	}
	parse_3164(p, end, m);
	return SYSLOG_OK;
}

/* ---- framing (RFC 6587) ---- */

enum { FR_START, FR_COUNT, FR_OCTETS, FR_LINE, FR_SKIP_OCTETS, FR_SKIP_LINE };

int syslog_framer_init(struct syslog_framer *f, size_t max_line)
{
	memset(f, 0, sizeof(*f));
	f->max_line = max_line ? max_line : SYSLOG_LINE_DEFAULT;
	f->buf = malloc(f->max_line);
	return f->buf ? 0 : -1;
}

void syslog_framer_release(struct syslog_framer *f)
{
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

static void deliver(struct syslog_framer *f, syslog_frame_fn fn, void *ctx)
{
	fn(ctx, f->buf, f->len, SYSLOG_OK);
	f->len = 0;
	f->state = FR_START;
}

int syslog_framer_feed(struct syslog_framer *f, const char *p, size_t n, syslog_frame_fn fn,
		       void *ctx)
{
	while (n > 0) {
		char c = *p;
		switch (f->state) {
		case FR_START:
			if (c == '\n' || c == '\r' || c == '\0') { /* empty lines between frames */
				p++;
				n--;
				continue;
			}
			f->len = 0;
			f->want = 0;
			f->count_digits = 0;
			f->state = (c >= '1' && c <= '9') ? FR_COUNT : FR_LINE;
			continue;
		case FR_COUNT:
			p++;
			n--;
			if (c >= '0' && c <= '9' && f->count_digits < 9) {
				f->want = f->want * 10 + (size_t)(c - '0');
				f->count_digits++;
				continue;
			}
			if (c != ' ')
				return -1; /* neither a count nor a message: the stream is lost */
			if (f->want > f->max_line) {
				fn(ctx, NULL, 0, SYSLOG_TOO_LONG);
				f->state = FR_SKIP_OCTETS;
			} else {
				f->state = FR_OCTETS;
				if (f->want == 0)
					deliver(f, fn, ctx);
			}
			continue;
		case FR_OCTETS:
		case FR_SKIP_OCTETS: {
			size_t k = n < f->want ? n : f->want;
			if (f->state == FR_OCTETS)
				memcpy(f->buf + f->len, p, k);
			if (f->state == FR_OCTETS)
				f->len += k;
			f->want -= k;
			p += k;
			n -= k;
			if (f->want == 0) {
				if (f->state == FR_OCTETS)
					deliver(f, fn, ctx);
				else
					f->state = FR_START;
			}
			continue;
		}
		case FR_LINE:
		case FR_SKIP_LINE: {
			const char *nl = memchr(p, '\n', n);
			const char *z = memchr(p, '\0', nl ? (size_t)(nl - p) : n);
			if (z)
				nl = z;
			size_t k = nl ? (size_t)(nl - p) : n;
			if (f->state == FR_LINE) {
				if (f->len + k > f->max_line) {
					fn(ctx, NULL, 0, SYSLOG_TOO_LONG);
					f->state = FR_SKIP_LINE;
					f->len = 0;
				} else {
					memcpy(f->buf + f->len, p, k);
					f->len += k;
				}
			}
			p += k;
			n -= k;
			if (nl) {
				p++;
				n--;
				if (f->state == FR_LINE)
					deliver(f, fn, ctx);
				else
					f->state = FR_START;
			}
			continue;
		}
		}
	}
	return 0;
}

void syslog_framer_end(struct syslog_framer *f, syslog_frame_fn fn, void *ctx)
{
	if (f->state == FR_LINE && f->len > 0)
		deliver(f, fn, ctx);
	f->state = FR_START;
	f->len = 0;
}
