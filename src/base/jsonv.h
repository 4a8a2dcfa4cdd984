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

/* For the readers of foreign files (feeds, indicator exchange): the member
 * key of o, NULL when o is no object or the key is missing or null; what a
 * value or a JSON type is, for a message ("an object", "an array",
 * "a string", "a number", "a boolean", "null"; NULL reads "null"); and the
 * member when it is of type t (JSON_INTEGER stands for any number,
 * JSON_TRUE for either boolean): 0 with *out (NULL when missing), -1 with
 * *out NULL when it is something else. */
json_t *jv_member(const json_t *o, const char *key);
const char *jv_kind(const json_t *v);
const char *jv_type_kind(json_type t);
int jv_member_of(const json_t *o, const char *key, json_type t, json_t **out);

/* Getters that treat a missing key and JSON null alike. */
const char *jv_str(const json_t *o, const char *key);
int jv_bool(const json_t *o, const char *key, int dflt);
long long jv_int(const json_t *o, const char *key, long long dflt);

#endif
