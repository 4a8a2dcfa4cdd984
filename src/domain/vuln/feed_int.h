/*
 * feed_int.h - what the feed and scan parsers (feed_*.c, scan_*.c, cpe.c)
 * share and nobody else uses: errors that name the file and the position,
 * bounded JSON getters that keep the JSON pointer of what they read, the
 * hardened XML reader, feed times, and the CVSS v3 base score.
 */
#ifndef UNGCUU_FEED_INT_H
#define UNGCUU_FEED_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libxml/tree.h>

#include "feed.h"

struct arena;

/* Scratch memory of one record (its arrays, converted CPEs): proportional
 * to the record, which is already in memory as a JSON or XML tree; the cap
 * only stops a runaway. */
#define FEED_SCRATCH_MAX ((size_t)1 << 30)

/* Fills e: code, msg (MSG_FEED_*), and "NAME: " + the formatted detail (the
 * name shortened from the left when long, so the position always fits).
 * Returns -1. */
int feed_fail(struct err *e, int code, int msg, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* E_NOMEM for the file. Returns -1. */
int feed_nomem(struct err *e, const char *name);

/* Feed times: RFC 3339 (any zone), NVD's zone-less "2021-10-05T09:15:07.593"
 * (UTC), or a date "2021-11-17" (midnight UTC). 0 ok, -1 bad. */
int feed_time(const char *s, int64_t *ms);
/* The CVSS v3.0/v3.1 base score of a vector ("CVSS:3.1/AV:N/..."), -1 when
 * it is not one (a base metric missing, repeated or unknown). */
double cvss3_base(const char *vector);
/* "LOW", "moderate", "Medium", "HIGH", "critical" -> "low" ... "critical"
 * (static strings); NULL for anything else. */
const char *feed_severity_word(const char *s);
/* The CVSS v3 band of a score: NULL below 0.1. */
const char *feed_severity_of(double cvss);

/* ---- JSON ---- */

#define FJ_PATH_MAX 12

/* Where a parser is in the document, for messages. */
struct fj {
	const char *name;             /* the file */
	struct err *e;
	struct arena *a;              /* scratch of the record */
	char where[40];               /* "line 3" for JSON lines, else "" */
	const char *rec;              /* id of the record, once known */
	int depth;
	struct { const char *key; size_t idx; } path[FJ_PATH_MAX];
};

void fj_push_key(struct fj *j, const char *key);
void fj_push_idx(struct fj *j, size_t idx);
void fj_pop(struct fj *j);
/* Fails with "NAME: WHERE, REC /path[/key]: detail". Returns -1. */
int fj_fail(struct fj *j, int code, int msg, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* A jansson decoding error, at byte offset base of data (whose line and
 * column it adds). Returns -1. */
int fj_syntax(const char *name, const char *data, size_t base, const json_error_t *je,
	      struct err *e);

/* Getters: a missing key and JSON null give NULL (or leave *out); a wrong
 * type, a string over FEED_MAX_STRING or an array over FEED_MAX_ITEMS fail
 * (-1, e filled). */
int fj_str(struct fj *j, const json_t *o, const char *key, const char **out);
int fj_obj(struct fj *j, const json_t *o, const char *key, json_t **out);
int fj_arr(struct fj *j, const json_t *o, const char *key, json_t **out);
int fj_num(struct fj *j, const json_t *o, const char *key, double *out);
int fj_bool(struct fj *j, const json_t *o, const char *key, int *out);
int fj_time(struct fj *j, const json_t *o, const char *key, int64_t *out);
/* Checks that array element i is a bounded string; *out gets it. */
int fj_str_at(struct fj *j, const json_t *arr, size_t i, const char **out);
/* count * size bytes of scratch, or -1 (E_TOOLARGE / E_NOMEM). count 0
 * gives a valid pointer. */
void *fj_alloc(struct fj *j, size_t count, size_t size);

/* ---- XML ---- */

/* Parses data without network, DTD loading or entity substitution; refuses
 * DTD entity declarations and nesting deeper than SCAN_MAX_XML_DEPTH.
 * NULL with e filled ("NAME: line L, column C: ...") on failure. */
xmlDocPtr fx_read(const char *name, const char *data, size_t n, struct err *e);

struct fx {
	const char *name;             /* the file */
	struct err *e;
	struct arena *a;              /* scratch of the host */
};

/* Fails with "NAME: line L, <element>: detail". Returns -1. */
int fx_fail(struct fx *x, const xmlNode *at, int code, int msg, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The first element child named name, or NULL. */
xmlNode *fx_child(const xmlNode *n, const char *name);
/* The next element sibling named name after n, or NULL. */
xmlNode *fx_next(const xmlNode *n, const char *name);
int fx_is(const xmlNode *n, const char *name);
/* An attribute's value / an element's own text (text and CDATA children,
 * entity references left out), NULL when absent; trimmed of surrounding
 * white space with trim. Over FEED_MAX_STRING fails. */
int fx_attr(struct fx *x, const xmlNode *n, const char *attr, const char **out);
int fx_text(struct fx *x, const xmlNode *n, int trim, const char **out);

/* ---- CPE (cpe.c) ---- */

/* Attribute i (0 part, 1 vendor, 2 product, 3 version ... 10 other) of a
 * CPE 2.3 formatted string, unquoted, into out. 0, or -1 when fs is not a
 * CPE 2.3 formatted string or out is too small. */
int cpe23_attr(const char *fs, int i, char *out, size_t n);

#endif
