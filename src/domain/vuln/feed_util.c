/*
 * feed_util.c - what the feed and scan parsers share (feed_int.h): error
 * messages that name the file and the position, bounded JSON getters with
 * JSON pointers, the hardened XML reader and its getters, feed times, the
 * CVSS v3.1 base score and severity words.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>

#include "feed_int.h"
#include "../../base/arena.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

/* ---- errors ---- */

/* The file name as shown: at most NAME_SHOWN bytes, cut from the left at a
 * UTF-8 character boundary, so that the position after it fits in e->arg. */
#define NAME_SHOWN 60

static const char *shown_name(const char *name, char *tmp, size_t n)
{
	if (name == NULL || *name == '\0')
		return "(input)";
	size_t l = strlen(name);
	if (l <= NAME_SHOWN)
		return name;
	const char *p = name + l - (NAME_SHOWN - 3);
	while ((*p & 0xC0) == 0x80)
		p++;
	snprintf(tmp, n, "...%s", p);
	return tmp;
}

static int vfail(struct err *e, int code, int msg, const char *name, const char *fmt,
		 va_list ap)
{
	char tmp[NAME_SHOWN + 8], detail[sizeof(e->arg)], arg[sizeof(e->arg)];
	vsnprintf(detail, sizeof(detail), fmt, ap);
	/* Cut at the end when long: the position comes first and stays. */
	int w = snprintf(arg, sizeof(arg), "%s: %s", shown_name(name, tmp, sizeof(tmp)), detail);
	if (w < 0)
		arg[0] = '\0';
	return err_set(e, code, msg, arg);
}

int feed_fail(struct err *e, int code, int msg, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(e, code, msg, name, fmt, ap);
	va_end(ap);
	return -1;
}

int feed_nomem(struct err *e, const char *name)
{
	return feed_fail(e, E_NOMEM, MSG_FEED_LIMIT, name, "out of memory");
}

/* ---- times, scores, severities ---- */

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int feed_time(const char *s, int64_t *ms)
{
	if (s == NULL)
		return -1;
	size_t l = strlen(s);
	/* "YYYY-MM-DD" */
	if (l == 10 && all_digits(s, 4) && s[4] == '-' && all_digits(s + 5, 2) &&
	    s[7] == '-' && all_digits(s + 8, 2)) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		return time_parse(buf, ms);
	}
	if (time_parse(s, ms) == 0)
		return 0;
	/* NVD: no zone, meaning UTC. Only a plain date-time gets a 'Z'. */
	if (l >= 19 && l <= 29 && s[10] == 'T' && isdigit((unsigned char)s[l - 1])) {
		char buf[40];
		snprintf(buf, sizeof(buf), "%sZ", s);
		return time_parse(buf, ms);
	}
	return -1;
}

/* CVSS v3.1 specification, section 7 (also right for 3.0, whose Roundup
 * differed only by floating-point noise). */
static double roundup(double x)
{
	long long i = llround(x * 100000.0);
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (floor((double)i / 10000.0) + 1.0) / 10.0;
}

struct cvss_metric {
	const char *name;
	const char *values;           /* the letters allowed */
	double w[4];                  /* weight of each letter, in order */
};

/* PR depends on the scope; its changed-scope weights are handled below. */
static const struct cvss_metric cvss_metrics[] = {
	{ "AV", "NALP", { 0.85, 0.62, 0.55, 0.2 } },
	{ "AC", "LH", { 0.77, 0.44, 0, 0 } },
	{ "PR", "NLH", { 0.85, 0.62, 0.27, 0 } },
	{ "UI", "NR", { 0.85, 0.62, 0, 0 } },
	{ "S", "UC", { 0, 0, 0, 0 } },
	{ "C", "HLN", { 0.56, 0.22, 0, 0 } },
	{ "I", "HLN", { 0.56, 0.22, 0, 0 } },
	{ "A", "HLN", { 0.56, 0.22, 0, 0 } },
};
#define CVSS_NMETRICS (sizeof(cvss_metrics) / sizeof(cvss_metrics[0]))

/* Reads "AV:N/AC:L/..." after the prefix into the letter index of each base
 * metric; other (temporal, environmental) metrics are allowed and ignored. */
static int cvss3_letters(const char *p, int idx[CVSS_NMETRICS])
{
	for (size_t m = 0; m < CVSS_NMETRICS; m++)
		idx[m] = -1;
	while (*p) {
		const char *colon = strchr(p, ':');
		if (colon == NULL)
			return -1;
		const char *end = strchr(colon, '/');
		size_t klen = (size_t)(colon - p);
		size_t vlen = end ? (size_t)(end - colon - 1) : strlen(colon + 1);
		for (size_t m = 0; m < CVSS_NMETRICS; m++) {
			const struct cvss_metric *cm = &cvss_metrics[m];
			if (strlen(cm->name) != klen || memcmp(cm->name, p, klen) != 0)
				continue;
			const char *at = vlen == 1 ? strchr(cm->values, colon[1]) : NULL;
			if (at == NULL || colon[1] == '\0' || idx[m] >= 0)
				return -1;
			idx[m] = (int)(at - cm->values);
		}
		if (end == NULL)
			break;
		p = end + 1;
		if (*p == '\0')
			return -1;            /* a trailing '/' */
	}
	for (size_t m = 0; m < CVSS_NMETRICS; m++)
		if (idx[m] < 0)
			return -1;
	return 0;
}

double cvss3_base(const char *vector)
{
	int idx[CVSS_NMETRICS];
	if (vector == NULL || (strncmp(vector, "CVSS:3.0/", 9) != 0 &&
			       strncmp(vector, "CVSS:3.1/", 9) != 0))
		return -1;
	if (cvss3_letters(vector + 9, idx) != 0)
		return -1;
	int changed = idx[4] == 1;
	double av = cvss_metrics[0].w[idx[0]], ac = cvss_metrics[1].w[idx[1]];
	double pr = cvss_metrics[2].w[idx[2]], ui = cvss_metrics[3].w[idx[3]];
	if (changed && idx[2] == 1)
		pr = 0.68;
	else if (changed && idx[2] == 2)
		pr = 0.5;
	double c = cvss_metrics[5].w[idx[5]], i = cvss_metrics[6].w[idx[6]];
	double a = cvss_metrics[7].w[idx[7]];
	double iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
	double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15)
				: 6.42 * iss;
	double expl = 8.22 * av * ac * pr * ui;
	if (impact <= 0)
		return 0;
	double sum = changed ? 1.08 * (impact + expl) : impact + expl;
	return roundup(sum < 10 ? sum : 10);
}

const char *feed_severity_word(const char *s)
{
	static const struct { const char *in, *out; } words[] = {
		{ "low", "low" }, { "moderate", "medium" }, { "medium", "medium" },
		{ "high", "high" }, { "critical", "critical" }, { "important", "high" },
	};
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i].in) == 0)
			return words[i].out;
	return NULL;
}

const char *feed_severity_of(double cvss)
{
	if (cvss >= 9.0)
		return "critical";
	if (cvss >= 7.0)
		return "high";
	if (cvss >= 4.0)
		return "medium";
	if (cvss >= 0.1)
		return "low";
	return NULL;
}

/* ---- JSON ---- */

void fj_push_key(struct fj *j, const char *key)
{
	if (j->depth < FJ_PATH_MAX) {
		j->path[j->depth].key = key;
		j->path[j->depth].idx = 0;
	}
	j->depth++;
}

void fj_push_idx(struct fj *j, size_t idx)
{
	if (j->depth < FJ_PATH_MAX) {
		j->path[j->depth].key = NULL;
		j->path[j->depth].idx = idx;
	}
	j->depth++;
}

void fj_pop(struct fj *j)
{
	if (j->depth > 0)
		j->depth--;
}

/* The JSON pointer of the current value plus key (may be NULL). */
static void fj_pointer(const struct fj *j, const char *key, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
	int d = j->depth < FJ_PATH_MAX ? j->depth : FJ_PATH_MAX;
	for (int i = 0; i <= d && len < n; i++) {
		int w;
		if (i == d && key == NULL)
			break;
		if (i == d)
			w = snprintf(out + len, n - len, "/%s", key);
		else if (j->path[i].key)
			w = snprintf(out + len, n - len, "/%s", j->path[i].key);
		else
			w = snprintf(out + len, n - len, "/%zu", j->path[i].idx);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	if (out[0] == '\0' && n > 1)
		snprintf(out, n, "/");
}

int fj_fail(struct fj *j, int code, int msg, const char *key, const char *fmt, ...)
{
	char ptr[96], detail[160], rec[48] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	fj_pointer(j, key, ptr, sizeof(ptr));
	if (j->rec)
		snprintf(rec, sizeof(rec), "record %.32s, ", j->rec);
	return feed_fail(j->e, code, msg, j->name, "%s%s%s%s: %s", j->where,
			 j->where[0] ? ", " : "", rec, ptr, detail);
}

int fj_syntax(const char *name, const char *data, size_t base, const json_error_t *je,
	      struct err *e)
{
	/* jansson counts lines and columns from the start of what it was
	 * given; add those of base. Its column counts characters. */
	long line = 1, col = 0;
	for (size_t i = 0; i < base; i++) {
		if (data[i] == '\n') {
			line++;
			col = 0;
		} else if (((unsigned char)data[i] & 0xC0) != 0x80) {
			col++;
		}
	}
	long l = je->line > 0 ? je->line : 1, c = je->column > 0 ? je->column : 0;
	if (l == 1)
		c += col;
	l += line - 1;
	long long pos = (long long)base + (je->position > 0 ? je->position : 0);
	return feed_fail(e, E_MALFORMED, MSG_FEED_SYNTAX, name,
			 "line %ld, column %ld (byte %lld): %s", l, c, pos, je->text);
}

/* The member key of o when it has type t; fails naming what it is. */
static int fj_typed(struct fj *j, const json_t *o, const char *key, json_type t, json_t **out)
{
	if (jv_member_of(o, key, t, out) == 0)
		return 0;
	return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, key, "expected %s, not %s",
		       t == JSON_TRUE ? "true or false" : jv_type_kind(t), jv_kind(jv_member(o, key)));
}

static int bounded(struct fj *j, const json_t *v, const char *key)
{
	if (json_string_length(v) > FEED_MAX_STRING)
		return fj_fail(j, E_TOOLARGE, MSG_FEED_LIMIT, key,
			       "a string of %zu bytes (at most %d)", json_string_length(v),
			       FEED_MAX_STRING);
	return 0;
}

int fj_str(struct fj *j, const json_t *o, const char *key, const char **out)
{
	json_t *v;
	*out = NULL;
	if (fj_typed(j, o, key, JSON_STRING, &v) != 0 || (v && bounded(j, v, key) != 0))
		return -1;
	*out = json_string_value(v);
	return 0;
}

int fj_str_at(struct fj *j, const json_t *arr, size_t i, const char **out)
{
	json_t *v = json_array_get(arr, i);
	char key[24];
	snprintf(key, sizeof(key), "%zu", i);
	if (!json_is_string(v))
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, key, "expected a string, not %s",
			       v ? jv_kind(v) : "nothing");
	if (bounded(j, v, key) != 0)
		return -1;
	*out = json_string_value(v);
	return 0;
}

int fj_obj(struct fj *j, const json_t *o, const char *key, json_t **out)
{
	return fj_typed(j, o, key, JSON_OBJECT, out);
}

int fj_arr(struct fj *j, const json_t *o, const char *key, json_t **out)
{
	if (fj_typed(j, o, key, JSON_ARRAY, out) != 0)
		return -1;
	if (json_array_size(*out) > FEED_MAX_ITEMS)
		return fj_fail(j, E_TOOLARGE, MSG_FEED_LIMIT, key,
			       "%zu items (at most %d)", json_array_size(*out), FEED_MAX_ITEMS);
	return 0;
}

int fj_num(struct fj *j, const json_t *o, const char *key, double *out)
{
	json_t *v;
	if (fj_typed(j, o, key, JSON_REAL, &v) != 0)
		return -1;
	if (v)
		*out = json_number_value(v);
	return 0;
}

int fj_bool(struct fj *j, const json_t *o, const char *key, int *out)
{
	json_t *v;
	if (fj_typed(j, o, key, JSON_TRUE, &v) != 0)
		return -1;
	if (v)
		*out = json_is_true(v);
	return 0;
}

int fj_time(struct fj *j, const json_t *o, const char *key, int64_t *out)
{
	const char *s;
	if (fj_str(j, o, key, &s) != 0)
		return -1;
	if (s == NULL)
		return 0;
	if (feed_time(s, out) != 0)
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, key, "not a date or time: \"%.40s\"",
			       s);
	return 0;
}

void *fj_alloc(struct fj *j, size_t count, size_t size)
{
	if (count > FEED_MAX_ITEMS) {
		fj_fail(j, E_TOOLARGE, MSG_FEED_LIMIT, NULL, "%zu items (at most %d)", count,
			FEED_MAX_ITEMS);
		return NULL;
	}
	void *p = arena_alloc(j->a, count ? count * size : 1);
	if (p == NULL)
		feed_nomem(j->e, j->name);
	return p;
}

/* ---- XML ---- */

static void xml_init_once(void)
{
	/* xmlInitParser is idempotent and thread-safe since 2.9; calling it
	 * before the first parse keeps its lazy initialisation out of the
	 * threads that parse. */
	xmlInitParser();
}

static int fx_depth_ok(const char *name, xmlDocPtr doc, struct err *e)
{
	/* Iterative walk: libxml2 itself stops at 257 levels; ours is 256. */
	xmlNode *n = xmlDocGetRootElement(doc);
	int depth = 1;
	while (n) {
		if (n->type == XML_ELEMENT_NODE && depth > SCAN_MAX_XML_DEPTH)
			return feed_fail(e, E_TOOLARGE, MSG_FEED_LIMIT, name,
					 "line %ld: elements nested deeper than %d",
					 xmlGetLineNo(n), SCAN_MAX_XML_DEPTH);
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			depth++;
			continue;
		}
		while (n && n->next == NULL) {
			n = n->parent;
			depth--;
			if (n == NULL || n->type == XML_DOCUMENT_NODE)
				return 0;
		}
		if (n)
			n = n->next;
	}
	return 0;
}

/* The line of the first entity declaration: libxml2 keeps none for
 * declarations, so look for it in the bytes (the root element's line when
 * the document is not in an ASCII-compatible encoding). */
static long decl_line(const char *data, size_t n, const xmlNode *root)
{
	const char *at = memmem(data, n, "<!ENTITY", 8);
	if (at == NULL)
		return root ? xmlGetLineNo(root) : 0;
	long line = 1;
	for (const char *p = data; p < at; p++)
		line += *p == '\n';
	return line;
}

xmlDocPtr fx_read(const char *name, const char *data, size_t n, struct err *e)
{
	xml_init_once();
	if (n > (size_t)INT32_MAX - 1) {
		feed_fail(e, E_TOOLARGE, MSG_FEED_LIMIT, name, "%zu bytes: too large for XML", n);
		return NULL;
	}
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		feed_nomem(e, name);
		return NULL;
	}
	/* No XML_PARSE_NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE: entities stay
	 * references, nothing outside the bytes is read, libxml2's own limits
	 * hold. NONET for good measure. */
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		   XML_PARSE_BIG_LINES;
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, data, (int)n, NULL, NULL, opts);
	if (doc == NULL) {
		const xmlError *xe = xmlCtxtGetLastError(ctxt);
		char text[120] = "not well-formed XML";
		if (xe && xe->message) {
			snprintf(text, sizeof(text), "%s", xe->message);
			size_t l = strlen(text);
			while (l && (text[l - 1] == '\n' || text[l - 1] == ' '))
				text[--l] = '\0';
		}
		int code = xe && xe->code == XML_ERR_NO_MEMORY ? E_NOMEM : E_MALFORMED;
		feed_fail(e, code, MSG_FEED_SYNTAX, name, "line %d, column %d: %s",
			  xe ? xe->line : 0, xe ? xe->int2 : 0, text);
		xmlFreeParserCtxt(ctxt);
		return NULL;
	}
	xmlFreeParserCtxt(ctxt);
	xmlDtdPtr dtd = doc->intSubset;
	if (dtd && (dtd->entities || dtd->pentities)) {
		feed_fail(e, E_INVALID, MSG_FEED_SCHEMA, name,
			  "line %ld: the DTD declares entities, which scanner reports never do",
			  decl_line(data, n, xmlDocGetRootElement(doc)));
		xmlFreeDoc(doc);
		return NULL;
	}
	if (xmlDocGetRootElement(doc) == NULL) {
		feed_fail(e, E_MALFORMED, MSG_FEED_SYNTAX, name, "no root element");
		xmlFreeDoc(doc);
		return NULL;
	}
	if (fx_depth_ok(name, doc, e) != 0) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

int fx_fail(struct fx *x, const xmlNode *at, int code, int msg, const char *fmt, ...)
{
	char detail[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	long line = at ? xmlGetLineNo(at) : 0;
	return feed_fail(x->e, code, msg, x->name, "line %ld, <%s>: %s", line > 0 ? line : 0,
			 at && at->name ? (const char *)at->name : "?", detail);
}

int fx_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

xmlNode *fx_next(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->next : NULL; c; c = c->next)
		if (fx_is(c, name))
			return c;
	return NULL;
}

xmlNode *fx_child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (fx_is(c, name))
			return c;
	return NULL;
}

/* The text children of n (text and CDATA only: entity references and
 * elements left out), lent when there is one, else joined in scratch. */
static int fx_join(struct fx *x, const xmlNode *owner, const xmlNode *first, int trim,
		   const char **out)
{
	const xmlNode *only = NULL;
	size_t total = 0, count = 0;
	*out = NULL;
	for (const xmlNode *c = first; c; c = c->next) {
		if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) ||
		    c->content == NULL)
			continue;
		only = c;
		count++;
		total += strlen((const char *)c->content);
		if (total > FEED_MAX_STRING)
			return fx_fail(x, owner, E_TOOLARGE, MSG_FEED_LIMIT,
				       "text over %d bytes", FEED_MAX_STRING);
	}
	if (count == 0)
		return 0;
	const char *s = (const char *)only->content;
	if (count > 1) {
		char *buf = arena_alloc(x->a, total + 1);
		if (buf == NULL)
			return feed_nomem(x->e, x->name);
		size_t len = 0;
		for (const xmlNode *c = first; c; c = c->next) {
			if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) ||
			    c->content == NULL)
				continue;
			size_t l = strlen((const char *)c->content);
			memcpy(buf + len, c->content, l);
			len += l;
		}
		buf[len] = '\0';
		s = buf;
	}
	if (trim) {
		size_t l = strlen(s);
		size_t b = 0;
		while (b < l && isspace((unsigned char)s[b]))
			b++;
		while (l > b && isspace((unsigned char)s[l - 1]))
			l--;
		if (b > 0 || l < strlen(s)) {
			s = arena_strndup(x->a, s + b, l - b);
			if (s == NULL)
				return feed_nomem(x->e, x->name);
		}
	}
	*out = s;
	return 0;
}

int fx_attr(struct fx *x, const xmlNode *n, const char *attr, const char **out)
{
	*out = NULL;
	if (n == NULL)
		return 0;
	for (xmlAttr *a = n->properties; a; a = a->next) {
		if (a->ns == NULL && strcmp((const char *)a->name, attr) == 0) {
			if (fx_join(x, n, a->children, 0, out) != 0)
				return -1;
			if (*out == NULL)
				*out = "";
			return 0;
		}
	}
	return 0;
}

int fx_text(struct fx *x, const xmlNode *n, int trim, const char **out)
{
	*out = NULL;
	if (n == NULL)
		return 0;
	return fx_join(x, n, n->children, trim, out);
}
