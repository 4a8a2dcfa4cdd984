/* jsonv.c - strict JSON parsing and table-driven validation. */
#include <stdio.h>
#include <string.h>

#include "jsonv.h"
#include "limits.h"
#include "msg.h"
#include "timeutil.h"
#include "uuid.h"
#include "banned.h"

/* jansson has no run-time depth limit, so count brackets outside strings
 * first; the scan is linear and stops at the first excess. */
static int depth_ok(const char *p, size_t n)
{
	int depth = 0, in_str = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > LIMIT_JSON_DEPTH)
				return 0;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 1;
}

json_t *jv_parse(const char *p, size_t n, struct err *e)
{
	json_error_t je;
	if (p == NULL || n == 0) {
		err_set(e, E_MALFORMED, MSG_MALFORMED_JSON, "empty body");
		return NULL;
	}
	if (!depth_ok(p, n)) {
		err_set(e, E_MALFORMED, MSG_JSON_TOO_DEEP, NULL);
		return NULL;
	}
	json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL) {
		char where[220];
		snprintf(where, sizeof(where), "%s (byte %d)", je.text, je.position);
		err_set(e, E_MALFORMED, MSG_MALFORMED_JSON, where);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		err_set(e, E_MALFORMED, MSG_JSON_NOT_OBJECT, NULL);
		return NULL;
	}
	return j;
}

int jv_enum_index(const char *const *list, const char *s)
{
	if (list == NULL || s == NULL)
		return -1;
	for (int i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return -1;
}

static const struct jv_field *find(const struct jv_field *spec, const char *k)
{
	for (; spec->name; spec++)
		if (strcmp(spec->name, k) == 0)
			return spec;
	return NULL;
}

static const char *type_name(int t)
{
	switch (t) {
	case JV_INT: return "integer";
	case JV_BOOL: return "boolean";
	case JV_OBJECT: return "object";
	case JV_STRINGS: case JV_ENUMS: return "array";
	default: return "string";
	}
}

static int check_string(const json_t *v, const struct jv_field *f,
			const char *ptr, struct err *e)
{
	char num[32];
	size_t len = json_string_length(v);
	long long max = f->max ? f->max : LIMIT_SHORT_TEXT;
	if (memchr(json_string_value(v), '\0', len))
		return err_field(e, ptr, MSG_NUL_CHAR, NULL);
	if ((long long)len > max) {
		snprintf(num, sizeof(num), "%lld", max);
		return err_field(e, ptr, MSG_TOO_LONG, num);
	}
	if (f->required && len == 0)
		return err_field(e, ptr, MSG_EMPTY, NULL);
	return 0;
}

static int check_value(json_t *v, const struct jv_field *f, const char *ptr,
		       struct err *e)
{
	char num[32];
	switch (f->type) {
	case JV_STRING:
		if (!json_is_string(v))
			break;
		return check_string(v, f, ptr, e);
	case JV_UUID:
		if (!json_is_string(v))
			break;
		if (!uuid_valid(json_string_value(v)))
			return err_field(e, ptr, MSG_BAD_VALUE, "uuid");
		return 0;
	case JV_TIME: {
		int64_t ms;
		if (!json_is_string(v))
			break;
		if (time_parse(json_string_value(v), &ms) != 0)
			return err_field(e, ptr, MSG_BAD_TIME, NULL);
		return 0;
	}
	case JV_INT:
		if (!json_is_integer(v))
			break;
		if (json_integer_value(v) < f->min || json_integer_value(v) > f->max) {
			snprintf(num, sizeof(num), "%lld..%lld", f->min, f->max);
			return err_field(e, ptr, MSG_BAD_VALUE, num);
		}
		return 0;
	case JV_BOOL:
		if (!json_is_boolean(v))
			break;
		return 0;
	case JV_ENUM:
		if (!json_is_string(v))
			break;
		if (jv_enum_index(f->enums, json_string_value(v)) < 0) {
			char list[96] = "";
			for (int i = 0; f->enums[i] && strlen(list) < 80; i++) {
				if (i)
					memcpy(list + strlen(list), ", ", 3);
				size_t l = strlen(list), add = strlen(f->enums[i]);
				if (l + add < sizeof(list) - 4)
					memcpy(list + l, f->enums[i], add + 1);
			}
			return err_field(e, ptr, MSG_BAD_VALUE, list);
		}
		return 0;
	case JV_OBJECT:
		if (!json_is_object(v))
			break;
		return jv_validate(v, f->sub, ptr, e);
	case JV_STRINGS:
	case JV_ENUMS: {
		if (!json_is_array(v))
			break;
		long long max = f->max ? f->max : LIMIT_ARRAY_ITEMS;
		if ((long long)json_array_size(v) > max) {
			snprintf(num, sizeof(num), "%lld", max);
			return err_field(e, ptr, MSG_TOO_MANY, num);
		}
		size_t i;
		json_t *item;
		int rc = 0;
		json_array_foreach(v, i, item) {
			char p2[64];
			snprintf(p2, sizeof(p2), "%s/%zu", ptr, i);
			struct jv_field one = *f;
			one.type = f->type == JV_ENUMS ? JV_ENUM : JV_STRING;
			one.max = LIMIT_SHORT_TEXT;
			one.required = 1;
			if (check_value(item, &one, p2, e) != 0)
				rc = -1;
		}
		return rc;
	}
	}
	return err_field(e, ptr, MSG_WRONG_TYPE, type_name(f->type));
}

/* prefix + "/" + key with '~' and '/' escaped (RFC 6901). */
static void pointer(char *out, size_t n, const char *prefix, const char *key)
{
	size_t len = (size_t)snprintf(out, n, "%s/", prefix);
	for (; *key && len + 3 < n; key++) {
		if (*key == '~' || *key == '/') {
			out[len++] = '~';
			out[len++] = *key == '~' ? '0' : '1';
		} else {
			out[len++] = *key;
		}
	}
	out[len < n ? len : n - 1] = '\0';
}

int jv_validate(json_t *obj, const struct jv_field *spec, const char *prefix,
		struct err *e)
{
	int rc = 0;
	const char *k;
	json_t *v;
	char ptr[64];

	json_object_foreach(obj, k, v) {
		pointer(ptr, sizeof(ptr), prefix, k);
		const struct jv_field *f = find(spec, k);
		if (f == NULL) {
			rc = err_field(e, ptr, MSG_UNKNOWN_FIELD, NULL);
			continue;
		}
		if (json_is_null(v)) {
			if (f->required)
				rc = err_field(e, ptr, MSG_REQUIRED, NULL);
			continue;
		}
		if (check_value(v, f, ptr, e) != 0)
			rc = -1;
	}
	for (const struct jv_field *f = spec; f->name; f++) {
		if (f->required && json_object_get(obj, f->name) == NULL) {
			snprintf(ptr, sizeof(ptr), "%s/%s", prefix, f->name);
			rc = err_field(e, ptr, MSG_REQUIRED, NULL);
		}
	}
	return rc;
}

json_t *jv_member(const json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	return json_is_null(v) ? NULL : v;
}

const char *jv_type_kind(json_type t)
{
	switch (t) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

const char *jv_kind(const json_t *v)
{
	return jv_type_kind(v ? json_typeof(v) : JSON_NULL);
}

int jv_member_of(const json_t *o, const char *key, json_type t, json_t **out)
{
	json_t *v = jv_member(o, key);
	*out = NULL;
	if (v == NULL)
		return 0;
	int ok = t == JSON_INTEGER || t == JSON_REAL ? json_is_number(v) :
		 t == JSON_TRUE || t == JSON_FALSE ? json_is_boolean(v) : json_typeof(v) == t;
	if (!ok)
		return -1;
	*out = v;
	return 0;
}

const char *jv_str(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int jv_bool(const json_t *o, const char *key, int dflt)
{
	json_t *v = json_object_get(o, key);
	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

long long jv_int(const json_t *o, const char *key, long long dflt)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}
