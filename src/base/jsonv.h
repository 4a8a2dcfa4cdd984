/*
 * jsonv.h - strict JSON input: parsing with limits (depth, duplicates, UTF-8,
 * NUL) and validation of an object against a field table (kcgi's keys[]).
 * Every problem becomes a field error with a JSON pointer; nothing is changed
 * by a caller before validation passes.
 */
#ifndef UNGCUU_JSONV_H
#define UNGCUU_JSONV_H

#include <stddef.h>
#include <jansson.h>

#include "err.h"

enum jv_type {
	JV_STRING,      /* max = bytes */
	JV_INT,         /* min..max */
	JV_BOOL,
	JV_TIME,        /* RFC 3339 string */
	JV_ENUM,        /* one of enums[] */
	JV_OBJECT,      /* validated against sub[] */
	JV_STRINGS,     /* array of strings; max = items, each <= LIMIT_SHORT_TEXT */
	JV_ENUMS,       /* array of enums[] */
	JV_UUID,
};

struct jv_field {
	const char *name;
	int type;
	int required;
	long long min, max;
	const char *const *enums;      /* NULL-terminated */
	const struct jv_field *sub;    /* for JV_OBJECT; ends with name NULL */
};

/* Parses a JSON object body. NULL and e filled (E_MALFORMED) on failure. */
json_t *jv_parse(const char *p, size_t n, struct err *e);
/* Validates obj against spec (name==NULL ends it). prefix is the pointer of
 * obj itself ("" at the top). Returns 0 or -1 with field errors in e. */
int jv_validate(json_t *obj, const struct jv_field *spec, const char *prefix,
		struct err *e);
/* Index of s in a NULL-terminated list, or -1. */
int jv_enum_index(const char *const *list, const char *s);

/* Getters that treat a missing key and JSON null alike. */
const char *jv_str(const json_t *o, const char *key);
int jv_bool(const json_t *o, const char *key, int dflt);
long long jv_int(const json_t *o, const char *key, long long dflt);

#endif
