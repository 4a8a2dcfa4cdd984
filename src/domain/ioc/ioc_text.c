/*
 * ioc_text.c - plain lists (one value a line) and CSV (RFC 4180, columns
 * named by the header) in, CSV out. Errors name the line (and for CSV the
 * column); the whole file is checked before the first record goes out.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ioc.h"
#include "ioc_int.h"
#include "../../base/arena.h"
#include "../../base/buf.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

/* The text must be UTF-8 without NUL (a list also without control
 * characters other than tab and line ends; CSV fields may hold them, as
 * descriptions from STIX do); a byte order mark is skipped. Returns the
 * offset where the text starts, or -1. */
static long text_start(struct ioc_run *r, const char *data, size_t n, int controls_ok)
{
	size_t off = n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	size_t bad = ioc_utf8_check(data + off, n - off, controls_ok);
	if (bad < n - off) {
		size_t line = 1, col = 1;
		for (size_t i = off; i < off + bad; i++) {
			if (data[i] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)data[i] & 0xC0) != 0x80) {
				col++;
			}
		}
		return ioc_fail(r, E_MALFORMED, MSG_IOC_SYNTAX,
				"line %zu, column %zu: not UTF-8 text (a NUL, control character or bad byte)",
				line, col);
	}
	return (long)off;
}

/* ---- plain lists ---- */

static int list_line(struct ioc_run *r, char *line, size_t lineno)
{
	size_t l = strlen(line);
	while (l && isspace((unsigned char)line[l - 1]))
		line[--l] = '\0';
	while (isspace((unsigned char)*line))
		line++;
	/* A comment: the whole line, or after white space ("1.2.3.4  # c2"). */
	for (char *h = strchr(line, '#'); h; h = strchr(h + 1, '#'))
		if (h == line || h[-1] == ' ' || h[-1] == '\t') {
			*h = '\0';
			break;
		}
	l = strlen(line);
	while (l && isspace((unsigned char)line[l - 1]))
		line[--l] = '\0';
	if (*line == '\0') {
		r->st->skipped++;
		return 0;
	}
	if (l > IOC_MAX_VALUE)
		return ioc_fail(r, E_TOOLARGE, MSG_IOC_LIMIT, "line %zu: %zu bytes (at most %d)",
				lineno, l, IOC_MAX_VALUE);
	const char *val, *why;
	int kind = ioc_list_value(line, &val);
	if (kind < 0)
		return ioc_fail(r, E_INVALID, MSG_IOC_VALUE,
				"line %zu: not an indicator (address, network, domain, URL, hash, e-mail, file name; or KIND:VALUE): '%.60s'",
				lineno, line);
	if (kind == IOC_URL && strstr(val, "://") == NULL &&
	    (val = arena_printf(r->a, "http://%s", val)) == NULL)
		return ioc_nomem(r);
	const char *v = ioc_normalise(r->a, &kind, val, &why);
	if (v == NULL)
		return ioc_fail(r, E_INVALID, MSG_IOC_VALUE, "line %zu: '%.60s': %s", lineno, line, why);
	struct ioc *i = ioc_run_add(r);
	if (i == NULL)
		return -1;
	i->kind = kind;
	i->value = v;
	return 0;
}

long ioc_parse_list(const char *name, const char *data, size_t n, ioc_sink sink, void *arg,
		    struct ioc_stats *st, struct err *e)
{
	struct ioc_run r;
	long rc = -1;
	if (ioc_run_init(&r, name, st, e) != 0)
		return -1;
	if (data == NULL) {
		data = "";
		n = 0;
	}
	long off = text_start(&r, data, n, 0);
	if (off < 0)
		goto out;
	size_t lineno = 0;
	for (size_t i = (size_t)off; i < n;) {
		const char *nl = memchr(data + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - data) : n;
		char *line = arena_strndup(r.a, data + i, end - i);
		if (line == NULL) {
			ioc_nomem(&r);
			goto out;
		}
		if (list_line(&r, line, ++lineno) != 0)
			goto out;
		i = end + 1;
	}
	rc = ioc_run_deliver(&r, sink, arg);
out:
	ioc_run_release(&r);
	return rc;
}

/* ---- CSV ---- */

enum col {
	C_TYPE, C_VALUE, C_TLP, C_CONFIDENCE, C_VALID_FROM, C_VALID_UNTIL, C_TO_IDS, C_TAGS,
	C_RELATED, C_NAME, C_FILE_NAME, C_DESCRIPTION, C_SOURCE, C_PATTERN_TYPE,
	C_MISP_TAGS, C_UUID, C_CATEGORY, C__COUNT
};

/* Header names; the ones after C_PATTERN_TYPE (and "comment") are MISP's
 * CSV export columns. What we write is C_TYPE..C_PATTERN_TYPE. */
static const char *const col_names[C__COUNT] = {
	"type", "value", "tlp", "confidence", "valid_from", "valid_until", "to_ids", "tags",
	"related", "name", "file_name", "description", "source", "pattern_type",
	"attribute_tag", "uuid", "category",
};

struct csv {
	struct ioc_run *r;
	const char *s;
	size_t n, pos, line;          /* line of pos */
	int cols[C__COUNT];           /* field index of each column, -1 absent */
	size_t nfields;               /* of the header */
};

/* One field at c->pos into *out (arena); *last when it ends the row.
 * Quoted fields may hold commas, line ends and "" for a quote. */
static int csv_field(struct csv *c, size_t field, char **out, int *last)
{
	size_t start = c->pos, o = 0, line0 = c->line;
	char *buf;
	if (c->pos < c->n && c->s[c->pos] == '"') {
		buf = arena_alloc(c->r->a, c->n - c->pos + 1);
		if (buf == NULL)
			return ioc_nomem(c->r);
		for (c->pos++;; c->pos++) {
			if (c->pos >= c->n)
				return ioc_fail(c->r, E_MALFORMED, MSG_IOC_SYNTAX,
						"line %zu, column %zu: quoted field not closed", line0,
						field + 1);
			if (c->s[c->pos] == '"') {
				if (c->pos + 1 < c->n && c->s[c->pos + 1] == '"') {
					buf[o++] = '"';
					c->pos++;
					continue;
				}
				c->pos++;
				break;
			}
			if (c->s[c->pos] == '\n')
				c->line++;
			buf[o++] = c->s[c->pos];
		}
		if (c->pos < c->n && c->s[c->pos] == '\r')
			c->pos++;
		if (c->pos < c->n && c->s[c->pos] != ',' && c->s[c->pos] != '\n')
			return ioc_fail(c->r, E_MALFORMED, MSG_IOC_SYNTAX,
					"line %zu, column %zu: text after a closing quote (a quote inside a field is written \"\")",
					c->line, field + 1);
	} else {
		while (c->pos < c->n && c->s[c->pos] != ',' && c->s[c->pos] != '\n')
			c->pos++;
		size_t end = c->pos;
		if (end > start && c->s[end - 1] == '\r')
			end--;
		buf = arena_strndup(c->r->a, c->s + start, end - start);
		if (buf == NULL)
			return ioc_nomem(c->r);
		o = end - start;
		if (memchr(buf, '"', o))
			return ioc_fail(c->r, E_MALFORMED, MSG_IOC_SYNTAX,
					"line %zu, column %zu: a quote inside an unquoted field",
					c->line, field + 1);
	}
	buf[o] = '\0';
	*last = c->pos >= c->n || c->s[c->pos] == '\n';
	if (c->pos < c->n) {
		if (c->s[c->pos] == '\n')
			c->line++;
		c->pos++;
	}
	/* The exporter's guard against spreadsheet formulas. */
	if (buf[0] == '\'' && buf[1] != '\0' && strchr("=+-@'\t\r", buf[1]))
		buf++;
	*out = buf;
	return 0;
}

/* A row's fields; *nf gets their number. */
static int csv_row(struct csv *c, char ***fields, size_t *nf)
{
	size_t cap = 16;
	char **f = arena_alloc(c->r->a, cap * sizeof(*f));
	int last = 0;
	*nf = 0;
	if (f == NULL)
		return ioc_nomem(c->r);
	while (!last) {
		if (*nf == cap) {
			if (cap >= 4096)
				return ioc_fail(c->r, E_TOOLARGE, MSG_IOC_LIMIT,
						"line %zu: more than 4096 columns", c->line);
			char **g = arena_alloc(c->r->a, 2 * cap * sizeof(*g));
			if (g == NULL)
				return ioc_nomem(c->r);
			memcpy(g, f, cap * sizeof(*g));
			f = g;
			cap *= 2;
		}
		if (csv_field(c, *nf, &f[*nf], &last) != 0)
			return -1;
		(*nf)++;
	}
	*fields = f;
	return 0;
}

static int csv_header(struct csv *c)
{
	char **f;
	size_t nf;
	for (int k = 0; k < C__COUNT; k++)
		c->cols[k] = -1;
	if (csv_row(c, &f, &nf) != 0)
		return -1;
	for (size_t i = 0; i < nf; i++) {
		size_t l;
		char *h = f[i];
		while (isspace((unsigned char)*h))
			h++;
		l = strlen(h);
		while (l && isspace((unsigned char)h[l - 1]))
			h[--l] = '\0';
		for (int k = 0; k < C__COUNT; k++) {
			int match = strcasecmp(h, col_names[k]) == 0 ||
				    (k == C_DESCRIPTION && strcasecmp(h, "comment") == 0);
			if (!match)
				continue;
			if (c->cols[k] >= 0)
				return ioc_fail(c->r, E_INVALID, MSG_IOC_SCHEMA,
						"line 1, column %zu: column '%s' twice", i + 1, h);
			c->cols[k] = (int)i;
		}
	}
	if (c->cols[C_VALUE] < 0)
		return ioc_fail(c->r, E_INVALID, MSG_IOC_SCHEMA,
				"line 1: the header names no 'value' column (type,value,tlp,...)");
	c->nfields = nf;
	return 0;
}

/* Splits a list cell at sep ('\' escapes sep and itself) into the items. */
static int split_list(struct csv *c, const char *cell, char sep, struct ioc_strv *out)
{
	size_t l = strlen(cell);
	char *item = arena_alloc(c->r->a, l + 1);
	size_t o = 0;
	if (item == NULL)
		return ioc_nomem(c->r);
	for (size_t i = 0; i <= l; i++) {
		if (cell[i] == '\\' && i + 1 < l && (cell[i + 1] == sep || cell[i + 1] == '\\')) {
			item[o++] = cell[++i];
			continue;
		}
		if (cell[i] != sep && cell[i] != '\0') {
			item[o++] = cell[i];
			continue;
		}
		item[o] = '\0';
		char *t = item;
		while (isspace((unsigned char)*t))
			t++;
		size_t tl = strlen(t);
		while (tl && isspace((unsigned char)t[tl - 1]))
			t[--tl] = '\0';
		if (*t && ioc_strv_add(c->r, out, t) != 0)
			return -1;
		item += o + 1;
		o = 0;
	}
	return 0;
}

static const char *cell(struct csv *c, char **f, size_t nf, int col)
{
	int i = c->cols[col];
	return i >= 0 && (size_t)i < nf && f[i][0] ? f[i] : NULL;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "y" }, *const no[] = { "0", "false", "no", "n" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Tag items, as every format reads them (ioc_tag). */
static int tag_items(struct ioc_where *w, const struct ioc_strv *items, struct ioc *b,
		     struct ioc_strv *tags, struct ioc_refv *rel)
{
	for (size_t k = 0; k < items->n; k++)
		if (ioc_tag(w, "tags", items->v[k], &b->tlp, &b->confidence, tags, rel) != 0)
			return -1;
	return 0;
}

/* The fields of a row other than type and value. */
static int row_fields(struct csv *c, struct ioc_where *w, char **f, size_t nf, struct ioc *b)
{
	const char *s;
	struct ioc_strv items = { 0 }, tags = { 0 }, rels = { 0 };
	struct ioc_refv rel = { 0 };
	memset(b, 0, sizeof(*b));
	b->confidence = -1;
	b->to_ids = 1;
	s = cell(c, f, nf, C_TLP);
	if (s && (b->tlp = tlp_parse(s)) < 0)
		return ioc_jfail(w, E_INVALID, MSG_IOC_VALUE, "tlp",
				 "'%.40s': not a TLP label (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)", s);
	if (b->tlp < 0)
		b->tlp = TLP_NONE;
	s = cell(c, f, nf, C_CONFIDENCE);
	if (s) {
		char *end;
		long v = strtol(s, &end, 10);
		if (*end || v < 0 || v > 100)
			return ioc_jfail(w, E_INVALID, MSG_IOC_VALUE, "confidence",
					 "'%.40s': an integer from 0 to 100 expected", s);
		b->confidence = (int)v;
	}
	static const int times[2] = { C_VALID_FROM, C_VALID_UNTIL };
	int64_t *dst[2] = { &b->valid_from, &b->valid_until };
	for (int k = 0; k < 2; k++) {
		s = cell(c, f, nf, times[k]);
		if (s && time_parse(s, dst[k]) != 0)
			return ioc_jfail(w, E_INVALID, MSG_IOC_VALUE, col_names[times[k]],
					 "'%.40s': not an RFC 3339 time", s);
	}
	if (b->valid_from && b->valid_until && b->valid_until <= b->valid_from)
		return ioc_jfail(w, E_INVALID, MSG_IOC_VALUE, "valid_until", "not after valid_from");
	s = cell(c, f, nf, C_TO_IDS);
	if (s && parse_bool(s, &b->to_ids) != 0)
		return ioc_jfail(w, E_INVALID, MSG_IOC_VALUE, "to_ids", "'%.40s': 1 or 0 expected", s);
	s = cell(c, f, nf, C_TAGS);
	if (s && split_list(c, s, ';', &items) != 0)
		return -1;
	s = cell(c, f, nf, C_MISP_TAGS);
	if (s && split_list(c, s, ',', &items) != 0)
		return -1;
	if (tag_items(w, &items, b, &tags, &rel) != 0)
		return -1;
	s = cell(c, f, nf, C_RELATED);
	if (s && split_list(c, s, ';', &rels) != 0)
		return -1;
	for (size_t k = 0; k < rels.n; k++) {
		const char *colon = strchr(rels.v[k], ':');
		char *type = colon ? arena_strndup(c->r->a, rels.v[k], (size_t)(colon - rels.v[k])) : NULL;
		if (colon == NULL || colon == rels.v[k] || colon[1] == '\0')
			return ioc_jfail(w, E_INVALID, MSG_IOC_VALUE, "related",
					 "'%.40s': TYPE:NAME expected (malware:Emotet)", rels.v[k]);
		if (type == NULL || ioc_refv_add(c->r, &rel, type, colon + 1) != 0)
			return type ? -1 : ioc_nomem(c->r);
	}
	b->tags = tags.v;
	b->ntags = tags.n;
	b->related = rel.v;
	b->nrelated = rel.n;
	b->name = cell(c, f, nf, C_NAME);
	b->description = cell(c, f, nf, C_DESCRIPTION);
	b->source = cell(c, f, nf, C_SOURCE);
	b->origin_id = cell(c, f, nf, C_UUID);
	s = cell(c, f, nf, C_FILE_NAME);
	if (s) {
		int fk = IOC_FILENAME;
		const char *why;
		b->file_name = ioc_normalise(c->r->a, &fk, s, &why);
		if (b->file_name == NULL)
			return ioc_jfail(w, E_INVALID, MSG_IOC_VALUE, "file_name", "%s", why);
	}
	const char *text[] = { b->name, b->description, b->source, b->origin_id };
	for (size_t k = 0; k < 4; k++)
		if (text[k] && strlen(text[k]) > IOC_MAX_TEXT)
			return ioc_jfail(w, E_TOOLARGE, MSG_IOC_LIMIT, NULL, "a field over 64 KiB");
	return 0;
}

static int csv_record(struct csv *c, char **f, size_t nf, size_t line)
{
	struct ioc_where w = { .r = c->r };
	struct ioc b;
	const char *type = cell(c, f, nf, C_TYPE), *value = cell(c, f, nf, C_VALUE);
	snprintf(w.at, sizeof(w.at), "line %zu", line);
	if (nf > c->nfields)
		return ioc_jfail(&w, E_MALFORMED, MSG_IOC_SYNTAX, NULL,
				 "%zu fields, the header has %zu", nf, c->nfields);
	if (value == NULL) {
		snprintf(w.at, sizeof(w.at), "line %zu, column %d", line, c->cols[C_VALUE] + 1);
		return ioc_jfail(&w, E_INVALID, MSG_IOC_VALUE, "value", "empty");
	}
	if (row_fields(c, &w, f, nf, &b) != 0)
		return -1;
	int kind = type ? ioc_kind_parse(type) : ioc_classify(value);
	if (type && kind < 0) {
		/* A MISP type: composite ones split; in MISP's own CSV (it has
		 * a category column) types that are not indicators are left out. */
		snprintf(w.at, sizeof(w.at), "line %zu, column %d", line, c->cols[C_VALUE] + 1);
		int rc = ioc_misp_value(&w, &b, type, value, NULL);
		if (rc == 1 && c->cols[C_CATEGORY] >= 0) {
			c->r->st->skipped++;
			return 0;
		}
		if (rc == 1)
			snprintf(w.at, sizeof(w.at), "line %zu, column %d", line, c->cols[C_TYPE] + 1);
		return rc == 1 ? ioc_jfail(&w, E_INVALID, MSG_IOC_VALUE, "type", "unknown type '%.40s'", type) : rc;
	}
	snprintf(w.at, sizeof(w.at), "line %zu, column %d", line, c->cols[C_VALUE] + 1);
	if (kind < 0)
		return ioc_jfail(&w, E_INVALID, MSG_IOC_VALUE, "value",
				 "'%.60s': not an indicator; name its type in a type column", value);
	const char *ptype = cell(c, f, nf, C_PATTERN_TYPE);
	if (kind == IOC_PATTERN && (ptype == NULL || strcmp(ptype, "stix") == 0))
		return ioc_pattern_records(&w, &b, "value", value);
	if (kind == IOC_PATTERN) {
		b.pattern_type = ptype;
		b.why = arena_printf(c->r->a, "pattern_type %.40s: kept as text, not matched", ptype);
	} else if (ptype && strcmp(ptype, "yara") == 0) {
		kind = IOC_YARA;
	}
	const char *why;
	const char *v = ioc_normalise(c->r->a, &kind, value, &why);
	if (v == NULL)
		return ioc_jfail(&w, E_INVALID, MSG_IOC_VALUE, "value", "'%.60s': %s", value, why);
	struct ioc *i = ioc_run_add(c->r);
	if (i == NULL)
		return -1;
	*i = b;
	i->kind = kind;
	i->value = v;
	return 0;
}

long ioc_parse_csv(const char *name, const char *data, size_t n, ioc_sink sink, void *arg,
		   struct ioc_stats *st, struct err *e)
{
	struct ioc_run r;
	long rc = -1;
	if (ioc_run_init(&r, name, st, e) != 0)
		return -1;
	if (data == NULL) {
		data = "";
		n = 0;
	}
	long off = text_start(&r, data, n, 1);
	struct csv c = { .r = &r, .s = data, .n = n, .pos = (size_t)(off > 0 ? off : 0), .line = 1 };
	if (off < 0)
		goto out;
	if (c.pos >= n) {
		ioc_fail(&r, E_INVALID, MSG_IOC_SCHEMA, "empty: a CSV needs its header (type,value,tlp,...)");
		goto out;
	}
	if (csv_header(&c) != 0)
		goto out;
	while (c.pos < n) {
		char **f;
		size_t nf, line = c.line;
		if (csv_row(&c, &f, &nf) != 0)
			goto out;
		int blank = 1;
		for (size_t i = 0; i < nf; i++)
			if (f[i][0])
				blank = 0;
		if (blank) {
			r.st->skipped++;
			continue;
		}
		if (csv_record(&c, f, nf, line) != 0)
			goto out;
	}
	rc = ioc_run_deliver(&r, sink, arg);
out:
	ioc_run_release(&r);
	return rc;
}

/* ---- CSV export ---- */

/* items joined by ';', each ';' and '\' escaped with '\'. */
static char *join(struct arena *a, const char *const *items, size_t n, const struct ioc_ref *refs)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += 2 * (refs ? strlen(refs[i].type) + 1 + strlen(refs[i].name) :
				   strlen(items[i])) + 1;
	char *out = arena_alloc(a, len), *o = out;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *parts[3] = { refs ? refs[i].type : items[i], refs ? ":" : "",
					 refs ? refs[i].name : "" };
		if (i)
			*o++ = ';';
		for (int k = 0; k < 3; k++)
			for (const char *p = parts[k]; *p; p++) {
				if (k != 1 && (*p == ';' || *p == '\\'))
					*o++ = '\\';
				*o++ = *p;
			}
	}
	*o = '\0';
	return out;
}

static int csv_row_out(struct buf *b, struct arena *a, const struct ioc *i)
{
	char from[TIME_RFC3339_LEN] = "", until[TIME_RFC3339_LEN] = "", conf[8] = "";
	if (i->valid_from)
		time_format_utc(i->valid_from, from);
	if (i->valid_until)
		time_format_utc(i->valid_until, until);
	if (i->confidence >= 0 && i->confidence <= 100)
		snprintf(conf, sizeof(conf), "%d", i->confidence);
	const char **plain = arena_alloc(a, (i->ntags + 1) * sizeof(*plain));
	size_t np = 0;
	for (size_t k = 0; plain && k < i->ntags; k++)
		if (!ioc_tag_is_field(i->tags[k]))
			plain[np++] = i->tags[k];
	char *tags = plain ? join(a, plain, np, NULL) : NULL;
	char *rel = join(a, NULL, i->nrelated, i->related);
	if (tags == NULL || rel == NULL)
		return -1;
	const char *cells[] = {
		ioc_kind_name(i->kind), i->value, tlp_name(i->tlp), conf, from, until,
		i->to_ids ? "1" : "0", tags, rel, i->name, i->file_name, i->description, i->source,
		i->kind == IOC_PATTERN ? i->pattern_type : NULL,
	};
	for (size_t k = 0; k < sizeof(cells) / sizeof(cells[0]); k++)
		if (buf_add_csv(b, cells[k], k == 0) != 0)
			return -1;
	return buf_add(b, "\r\n", 2);
}

char *ioc_export_csv(const struct ioc *iocs, size_t n, struct ioc_export *xp, struct err *e)
{
	struct ioc_export dflt = { 0 };
	struct buf b;
	struct arena *a = arena_new(IOC_SCRATCH_MAX);
	if (xp == NULL)
		xp = &dflt;
	xp->exported = xp->withheld = xp->unsupported = 0;
	buf_init(&b, IOC_SCRATCH_MAX);
	if (a == NULL)
		goto nomem;
	for (int k = 0; k <= C_PATTERN_TYPE; k++)
		if (buf_add_csv(&b, col_names[k], k == 0) != 0)
			goto nomem;
	if (buf_add(&b, "\r\n", 2) != 0)
		goto nomem;
	for (size_t k = 0; k < n; k++) {
		const struct ioc *i = &iocs[k];
		if (!ioc_may_share(i, xp->recipient_org)) {
			xp->withheld++;
			continue;
		}
		if (i->kind < 0 || i->kind >= IOC__COUNT || i->value == NULL) {
			xp->unsupported++;
			continue;
		}
		if (csv_row_out(&b, a, i) != 0)
			goto nomem;
		xp->exported++;
		arena_reset(a);
	}
	arena_free(a);
	return buf_detach(&b, NULL);
nomem:
	if (a)
		arena_free(a);
	buf_release(&b);
	err_set(e, E_NOMEM, MSG_IOC_LIMIT, "CSV export: out of memory");
	return NULL;
}
