/*
 * ioc_int.h - what the indicator importers and exporters (ioc*.c,
 * stix_pattern.c) share and nobody else uses: the run of one import (its
 * records, built whole before the first is handed over), errors that name
 * the file and the position, and small JSON and string helpers.
 */
#ifndef UNGCUU_IOC_INT_H
#define UNGCUU_IOC_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ioc.h"

/* Memory of one import: its records and their strings, proportional to
 * the file, which is already in memory; the cap only stops a runaway. */
#define IOC_SCRATCH_MAX ((size_t)1 << 30)

struct ioc_run {
	const char *name;             /* the file, for messages */
	struct err *e;
	struct arena *a;              /* strings and lists of every record */
	struct ioc_stats *st;         /* never NULL inside a run */
	struct ioc_stats own;         /* used when the caller gave none */
	struct ioc *recs;             /* malloc'd, grows */
	size_t nrecs, cap;
};

/* 0, or -1 with e filled (E_NOMEM). */
int ioc_run_init(struct ioc_run *r, const char *name, struct ioc_stats *st, struct err *e);
void ioc_run_release(struct ioc_run *r);
/* A new record: zero, confidence -1, to_ids 1. NULL with e filled. */
struct ioc *ioc_run_add(struct ioc_run *r);
/* Counts the records in the stats and hands them to sink (may be NULL: a
 * check only). The number handed over, or -1 when the sink failed. */
long ioc_run_deliver(struct ioc_run *r, ioc_sink sink, void *arg);

/* Fills e with "NAME: " and the formatted detail (the name shortened from
 * the left when long, the detail cut at a character boundary). -1. */
int ioc_fail(struct ioc_run *r, int code, int msg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int ioc_nomem(struct ioc_run *r);
/* The same without a run (stix_pattern.c, exporters). */
int ioc_failv(struct err *e, const char *name, int code, int msg, const char *fmt, va_list ap);
/* A jansson decoding error: line, column and byte. -1. */
int ioc_json_syntax(struct ioc_run *r, const json_error_t *je);
/* Decodes data as one JSON value (duplicate keys refused, a UTF-8 byte
 * order mark skipped). NULL with e filled. */
json_t *ioc_json_load(struct ioc_run *r, const char *data, size_t n);

/* Where in a JSON document a check is, for messages: "/objects/3
 * (indicator--...)". */
struct ioc_where {
	struct ioc_run *r;
	char at[112];
};
/* Fails with "NAME: AT: KEY: detail". */
int ioc_jfail(struct ioc_where *w, int code, int msg, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Getters: a missing key and null give NULL (0 for numbers, *out left);
 * a wrong type, an embedded NUL or a string over max bytes fail. */
int ioc_jstr(struct ioc_where *w, const json_t *o, const char *key, size_t max, const char **out);
int ioc_jarr(struct ioc_where *w, const json_t *o, const char *key, json_t **out);
int ioc_jobj(struct ioc_where *w, const json_t *o, const char *key, json_t **out);
/* An RFC 3339 time (or, with seconds_ok, a string or number of seconds
 * since the epoch, as MISP writes timestamps) in ms. */
int ioc_jtime(struct ioc_where *w, const json_t *o, const char *key, int seconds_ok,
	      int64_t *out);
/* A bool, or MISP's "1"/"0"/"true"/"false" strings. */
int ioc_jbool(struct ioc_where *w, const json_t *o, const char *key, int *out);
/* Checks a string element of an array. */
int ioc_jstr_at(struct ioc_where *w, const json_t *arr, size_t i, const char *key,
		size_t max, const char **out);

/* The records a STIX pattern is equivalent to, each base with its kind
 * and value (and file_name), or one IOC_PATTERN record holding the text;
 * a syntax error fails naming field ("pattern", "value") and the column. */
int ioc_pattern_records(struct ioc_where *w, const struct ioc *base, const char *field,
			const char *pattern);
/* A MISP attribute type and value -> records with base's fields
 * (ioc_misp.c); object_file_name names hashes (a file object). 0 done, 1
 * when the type is not one of indicators (nothing added), -1 failed. */
int ioc_misp_value(struct ioc_where *w, const struct ioc *base, const char *type,
		   const char *value, const char *object_file_name);

struct ioc_strv;
struct ioc_refv;
/* One tag, as every format reads it: "tlp:X" sets *tlp (the stricter of
 * the two), "misp-galaxy:TYPE=\"NAME\"" of a known galaxy adds a related
 * object, "ungcuu:confidence=\"N\"" sets *confidence; any other is a plain
 * tag, trimmed (blank ones dropped). -1 (e filled, naming key) on a bad
 * confidence or a limit. */
int ioc_tag(struct ioc_where *w, const char *key, const char *tag, int *tlp, int *confidence,
	    struct ioc_strv *plain, struct ioc_refv *rel);
/* Whether ioc_tag would turn the tag into a field: exporters leave such
 * plain tags out (the field is written instead), so what goes out comes
 * back unchanged. */
int ioc_tag_is_field(const char *tag);

/* Growable list of strings / refs in the run's arena. */
struct ioc_strv {
	const char **v;
	size_t n, cap;
};
int ioc_strv_add(struct ioc_run *r, struct ioc_strv *s, const char *str);
int ioc_strv_has(const struct ioc_strv *s, const char *str);
struct ioc_refv {
	struct ioc_ref *v;
	size_t n, cap;
};
int ioc_refv_add(struct ioc_run *r, struct ioc_refv *s, const char *type, const char *name);

/* The first n bytes of s are valid UTF-8 without NUL (and, unless
 * controls_ok, without control characters other than tab, CR and LF):
 * returns n, else the offset of the first bad byte. */
size_t ioc_utf8_check(const char *s, size_t n, int controls_ok);
/* Characters (not bytes) in s[0..n). */
size_t ioc_utf8_chars(const char *s, size_t n);
/* A UUIDv5 in ungcuu's namespace over name (n bytes). */
char *ioc_uuid5(const char *name, size_t n, char out[IOC_UUID_LEN]);
/* The more restrictive label. */
int tlp_stricter(int a, int b);
/* misp-galaxy type -> STIX type and back (NULL unknown). */
const char *ioc_galaxy_to_stix(const char *galaxy);
const char *ioc_stix_to_galaxy(const char *stix_type);

#endif
