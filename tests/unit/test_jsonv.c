/*
 * test_jsonv.c - strict JSON input (base/jsonv.c): what jv_parse refuses
 * (empty, not an object, bad syntax, duplicates, bad UTF-8, NUL, depth past
 * LIMIT_JSON_DEPTH) and table validation: required, unknown, types, every
 * limit at max and max + 1, nested objects and arrays with their JSON
 * pointers, the ERR_MAX_FIELDS cap, and the getters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/jsonv.h"
#include "base/limits.h"
#include "base/msg.h"

static const char *const colours[] = { "red", "green", "blue", NULL };

static const struct jv_field inner[] = {
	{ "level", JV_INT, 0, 1, 5, NULL, NULL },
	{ "name", JV_STRING, 1, 0, 10, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field spec[] = {
	{ "title", JV_STRING, 1, 0, 0, NULL, NULL },          /* max 0: LIMIT_SHORT_TEXT */
	{ "body", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "n", JV_INT, 0, -5, 5, NULL, NULL },
	{ "flag", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ "when", JV_TIME, 0, 0, 0, NULL, NULL },
	{ "colour", JV_ENUM, 0, 0, 0, colours, NULL },
	{ "sub", JV_OBJECT, 0, 0, 0, NULL, inner },
	{ "tags", JV_STRINGS, 0, 0, 0, NULL, NULL },          /* max 0: LIMIT_ARRAY_ITEMS */
	{ "few", JV_STRINGS, 0, 0, 3, NULL, NULL },
	{ "colours", JV_ENUMS, 0, 0, 2, colours, NULL },
	{ "ref", JV_UUID, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* ---- parsing ---- */

static json_t *parse(const char *s, struct err *e)
{
	err_clear(e);
	return jv_parse(s, s ? strlen(s) : 0, e);
}

static void refused(const char *s, int msg)
{
	struct err e;
	json_t *j = parse(s, &e);
	if (j != NULL) {
		json_decref(j);
		fail_msg("accepted: %s", s);
	}
	assert_int_equal(e.code, E_MALFORMED);
	if (msg >= 0)
		assert_int_equal(e.msg, msg);
}

static void accepted(const char *s)
{
	struct err e;
	json_t *j = parse(s, &e);
	if (j == NULL)
		fail_msg("refused (%s): %s", e.arg, s);
	assert_true(json_is_object(j));
	json_decref(j);
}

static void test_parse_basic(void **state)
{
	(void)state;
	struct err e;
	accepted("{}");
	accepted(" { \"a\" : 1 } \n");
	accepted("{\"title\":\"Trang web bị tấn công\",\"n\":-3,\"x\":[1,{\"y\":null}]}");
	refused(NULL, MSG_MALFORMED_JSON);
	refused("", MSG_MALFORMED_JSON);
	refused("[]", MSG_JSON_NOT_OBJECT);
	/* jansson itself refuses a bare scalar at the top. */
	refused("\"x\"", -1);
	refused("42", -1);
	refused("null", -1);
	refused("{", MSG_MALFORMED_JSON);
	refused("{\"a\":}", MSG_MALFORMED_JSON);
	refused("{'a':1}", MSG_MALFORMED_JSON);
	refused("{\"a\":1,}", MSG_MALFORMED_JSON);
	refused("{} {}", MSG_MALFORMED_JSON);
	refused("{}x", MSG_MALFORMED_JSON);
	refused("{\"a\":NaN}", MSG_MALFORMED_JSON);
	refused("{\"a\":1e999}", MSG_MALFORMED_JSON);
	refused("{\"a\":123456789012345678901234567890}", MSG_MALFORMED_JSON);
	/* Duplicate keys are refused, not silently resolved. */
	refused("{\"a\":1,\"a\":2}", MSG_MALFORMED_JSON);
	refused("{\"s\":{\"b\":1,\"b\":1}}", MSG_MALFORMED_JSON);
	/* UTF-8: invalid bytes, overlong forms, lone surrogates; and NUL. */
	refused("{\"a\":\"\xff\"}", MSG_MALFORMED_JSON);
	refused("{\"a\":\"\xc0\x80\"}", MSG_MALFORMED_JSON);
	refused("{\"a\":\"\xe1\xbb\"}", MSG_MALFORMED_JSON);
	refused("{\"a\":\"\\ud800\"}", MSG_MALFORMED_JSON);
	refused("{\"a\":\"x\\u0000y\"}", MSG_MALFORMED_JSON);
	refused("{\"\xff\":1}", MSG_MALFORMED_JSON);
	accepted("{\"a\":\"\\u1ee7 \xe1\xbb\xa7 \\ud83d\\ude00\"}");
	/* Only n bytes are read: what follows does not count. */
	json_t *j = jv_parse("{}garbage", 2, &e);
	assert_non_null(j);
	json_decref(j);
	err_clear(&e);
	assert_null(jv_parse("{\"a\":1}", 5, &e));
	assert_int_equal(e.code, E_MALFORMED);
	/* A NUL inside the body is not the end of it. */
	err_clear(&e);
	assert_null(jv_parse("{}\0{}", 5, &e));
	assert_int_equal(e.code, E_MALFORMED);
	/* The message says where. */
	parse("{\"a\":tru}", &e);
	assert_non_null(strstr(e.arg, "byte"));
}

/* {"a":{"a":...}} d deep, or [[...]] inside one object. */
static char *nested(int depth, int arrays)
{
	size_t n = (size_t)depth * 8 + 16;
	char *s = calloc(1, n);
	assert_non_null(s);
	size_t len = 0;
	for (int i = 0; i < depth; i++) {
		if (arrays && i > 0)
			s[len++] = '[';
		else
			len += (size_t)snprintf(s + len, n - len, "{\"a\":");
	}
	s[len++] = '1';
	for (int i = depth - 1; i >= 0; i--)
		s[len++] = arrays && i > 0 ? ']' : '}';
	s[len] = '\0';
	return s;
}

static void test_depth_limit(void **state)
{
	(void)state;
	for (int arrays = 0; arrays <= 1; arrays++) {
		char *ok = nested(LIMIT_JSON_DEPTH, arrays);
		char *deep = nested(LIMIT_JSON_DEPTH + 1, arrays);
		char *very = nested(100000, arrays);
		accepted(ok);
		refused(deep, MSG_JSON_TOO_DEEP);
		refused(very, MSG_JSON_TOO_DEEP);
		free(ok);
		free(deep);
		free(very);
	}
	/* Brackets inside strings, escaped quotes included, are text. */
	char s[400];
	snprintf(s, sizeof(s), "{\"a\":\"%s\",\"b\":\"\\\"[[[[[[[[[[[[[[[[[[[[[[\"}",
		 "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{");
	accepted(s);
	accepted("{\"a\\\\\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}");
	/* Sixteen deep with siblings is fine; depth is not a count of brackets. */
	char *wide = calloc(1, 20000);
	size_t len = 0;
	len += (size_t)snprintf(wide + len, 20000 - len, "{\"x\":[");
	for (int i = 0; i < 500; i++)
		len += (size_t)snprintf(wide + len, 20000 - len, "%s[[{}]]", i ? "," : "");
	snprintf(wide + len, 20000 - len, "]}");
	accepted(wide);
	free(wide);
}

/* ---- validation ---- */

/* Validates text against spec; returns the error (code E_OK when valid). */
static struct err check(const char *text)
{
	struct err e = { 0 };
	json_t *j = parse(text, &e);
	if (j == NULL)
		fail_msg("test body does not parse: %s", text);
	int rc = jv_validate(j, spec, "", &e);
	json_decref(j);
	assert_int_equal(rc == 0, e.code == E_OK);
	return e;
}

static void valid(const char *text)
{
	struct err e = check(text);
	if (e.code != E_OK)
		fail_msg("refused at %s (msg %d): %s", e.nfields ? e.fields[0].pointer : "-",
			 e.nfields ? e.fields[0].msg : e.msg, text);
}

/* Refused with a field error at pointer carrying msg (-1: any). */
static void invalid(const char *text, const char *pointer, int msg)
{
	struct err e = check(text);
	if (e.code == E_OK)
		fail_msg("accepted: %s", text);
	assert_int_equal(e.code, E_INVALID);
	for (int i = 0; i < e.nfields; i++)
		if (strcmp(e.fields[i].pointer, pointer) == 0 &&
		    (msg < 0 || e.fields[i].msg == msg))
			return;
	fail_msg("no error %d at %s (first %s %d): %s", msg, pointer,
		 e.nfields ? e.fields[0].pointer : "-", e.nfields ? e.fields[0].msg : -1, text);
}

static void test_required_unknown_types(void **state)
{
	(void)state;
	valid("{\"title\":\"x\"}");
	invalid("{}", "/title", MSG_REQUIRED);
	invalid("{\"title\":null}", "/title", MSG_REQUIRED);
	invalid("{\"title\":\"\"}", "/title", MSG_EMPTY);
	invalid("{\"title\":\"x\",\"extra\":1}", "/extra", MSG_UNKNOWN_FIELD);
	invalid("{\"title\":\"x\",\"Title\":\"y\"}", "/Title", MSG_UNKNOWN_FIELD);
	/* Optional fields may be null or absent. */
	valid("{\"title\":\"x\",\"n\":null,\"flag\":null,\"sub\":null,\"tags\":null}");
	/* Wrong types, each named. */
	invalid("{\"title\":1}", "/title", MSG_WRONG_TYPE);
	invalid("{\"title\":[\"x\"]}", "/title", MSG_WRONG_TYPE);
	invalid("{\"title\":\"x\",\"n\":\"1\"}", "/n", MSG_WRONG_TYPE);
	invalid("{\"title\":\"x\",\"n\":1.0}", "/n", MSG_WRONG_TYPE);
	invalid("{\"title\":\"x\",\"n\":true}", "/n", MSG_WRONG_TYPE);
	invalid("{\"title\":\"x\",\"flag\":1}", "/flag", MSG_WRONG_TYPE);
	invalid("{\"title\":\"x\",\"flag\":\"true\"}", "/flag", MSG_WRONG_TYPE);
	invalid("{\"title\":\"x\",\"when\":1767225600}", "/when", MSG_WRONG_TYPE);
	invalid("{\"title\":\"x\",\"colour\":1}", "/colour", MSG_WRONG_TYPE);
	invalid("{\"title\":\"x\",\"sub\":[]}", "/sub", MSG_WRONG_TYPE);
	invalid("{\"title\":\"x\",\"tags\":\"a\"}", "/tags", MSG_WRONG_TYPE);
	invalid("{\"title\":\"x\",\"tags\":{}}", "/tags", MSG_WRONG_TYPE);
	invalid("{\"title\":\"x\",\"ref\":5}", "/ref", MSG_WRONG_TYPE);
	/* Every problem is reported, not just the first. */
	struct err e = check("{\"n\":\"x\",\"flag\":0,\"extra\":1}");
	assert_int_equal(e.nfields, 4);
}

static char *text_of(size_t n, const char *unit)
{
	size_t u = strlen(unit);
	char *s = malloc(n * u + 1);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[n * u] = '\0';
	return s;
}

static void string_limit(const char *field, size_t max, int required)
{
	char *ok = text_of(max, "a"), *big = text_of(max + 1, "a");
	size_t n = 2 * max + 200;
	char *body = malloc(n);
	assert_non_null(body);
	const char *title = required ? "" : "\"title\":\"t\",";
	snprintf(body, n, "{%s\"%s\":\"%s\"}", title, field, ok);
	valid(body);
	snprintf(body, n, "{%s\"%s\":\"%s\"}", title, field, big);
	char ptr[64];
	snprintf(ptr, sizeof(ptr), "/%s", field);
	invalid(body, ptr, MSG_TOO_LONG);
	free(ok);
	free(big);
	free(body);
}

static void test_string_limits(void **state)
{
	(void)state;
	string_limit("title", LIMIT_SHORT_TEXT, 1);
	string_limit("body", LIMIT_LONG_TEXT, 0);
	/* Counted in bytes: 150 two-byte letters fit, 151 do not. */
	char *ok = text_of(LIMIT_SHORT_TEXT / 2, "ủ"), *big = text_of(LIMIT_SHORT_TEXT / 2 + 1, "á");
	char body[1200];
	snprintf(body, sizeof(body), "{\"title\":\"%s\"}", ok);
	invalid(body, "/title", MSG_TOO_LONG); /* "ủ" is 3 bytes: 450 > 300 */
	free(ok);
	ok = text_of(LIMIT_SHORT_TEXT / 2, "á");
	snprintf(body, sizeof(body), "{\"title\":\"%s\"}", ok);
	valid(body);
	snprintf(body, sizeof(body), "{\"title\":\"%s\"}", big);
	invalid(body, "/title", MSG_TOO_LONG);
	free(ok);
	free(big);
	/* The limit message names the limit. */
	big = text_of(11, "n");
	snprintf(body, sizeof(body), "{\"title\":\"t\",\"sub\":{\"name\":\"%s\"}}", big);
	struct err e = check(body);
	assert_string_equal(e.fields[0].pointer, "/sub/name");
	assert_string_equal(e.fields[0].arg, "10");
	free(big);
}

static void test_int_enum_time_uuid(void **state)
{
	(void)state;
	valid("{\"title\":\"x\",\"n\":-5}");
	valid("{\"title\":\"x\",\"n\":5}");
	valid("{\"title\":\"x\",\"n\":0}");
	invalid("{\"title\":\"x\",\"n\":-6}", "/n", MSG_BAD_VALUE);
	invalid("{\"title\":\"x\",\"n\":6}", "/n", MSG_BAD_VALUE);
	invalid("{\"title\":\"x\",\"n\":9223372036854775807}", "/n", MSG_BAD_VALUE);
	invalid("{\"title\":\"x\",\"n\":-9223372036854775808}", "/n", MSG_BAD_VALUE);
	valid("{\"title\":\"x\",\"colour\":\"green\"}");
	invalid("{\"title\":\"x\",\"colour\":\"Green\"}", "/colour", MSG_BAD_VALUE);
	invalid("{\"title\":\"x\",\"colour\":\"\"}", "/colour", MSG_BAD_VALUE);
	struct err e = check("{\"title\":\"x\",\"colour\":\"pink\"}");
	assert_string_equal(e.fields[0].arg, "red, green, blue");
	valid("{\"title\":\"x\",\"when\":\"2026-11-24T10:15:00+07:00\"}");
	valid("{\"title\":\"x\",\"when\":\"2026-11-24T03:15:00.123Z\"}");
	invalid("{\"title\":\"x\",\"when\":\"2026-11-24\"}", "/when", MSG_BAD_TIME);
	invalid("{\"title\":\"x\",\"when\":\"24/11/2026 10:15\"}", "/when", MSG_BAD_TIME);
	invalid("{\"title\":\"x\",\"when\":\"2026-02-30T00:00:00Z\"}", "/when", MSG_BAD_TIME);
	valid("{\"title\":\"x\",\"ref\":\"019a1b2c-3d4e-7f00-8a9b-0c1d2e3f4a5b\"}");
	invalid("{\"title\":\"x\",\"ref\":\"019A1B2C-3D4E-7F00-8A9B-0C1D2E3F4A5B\"}", "/ref",
		MSG_BAD_VALUE);
	invalid("{\"title\":\"x\",\"ref\":\"019a1b2c3d4e7f008a9b0c1d2e3f4a5b\"}", "/ref",
		MSG_BAD_VALUE);
	invalid("{\"title\":\"x\",\"ref\":\"../../etc/passwd\"}", "/ref", MSG_BAD_VALUE);
	valid("{\"title\":\"x\",\"flag\":false}");
}

static void test_nested_and_arrays(void **state)
{
	(void)state;
	valid("{\"title\":\"x\",\"sub\":{\"name\":\"n\",\"level\":3}}");
	invalid("{\"title\":\"x\",\"sub\":{}}", "/sub/name", MSG_REQUIRED);
	invalid("{\"title\":\"x\",\"sub\":{\"name\":\"n\",\"level\":0}}", "/sub/level",
		MSG_BAD_VALUE);
	invalid("{\"title\":\"x\",\"sub\":{\"name\":\"n\",\"x\":0}}", "/sub/x",
		MSG_UNKNOWN_FIELD);
	valid("{\"title\":\"x\",\"tags\":[]}");
	valid("{\"title\":\"x\",\"few\":[\"a\",\"b\",\"c\"]}");
	invalid("{\"title\":\"x\",\"few\":[\"a\",\"b\",\"c\",\"d\"]}", "/few", MSG_TOO_MANY);
	invalid("{\"title\":\"x\",\"tags\":[\"a\",1]}", "/tags/1", MSG_WRONG_TYPE);
	invalid("{\"title\":\"x\",\"tags\":[\"a\",\"\"]}", "/tags/1", MSG_EMPTY);
	invalid("{\"title\":\"x\",\"tags\":[\"a\",null]}", "/tags/1", MSG_WRONG_TYPE);
	valid("{\"title\":\"x\",\"colours\":[\"red\",\"blue\"]}");
	invalid("{\"title\":\"x\",\"colours\":[\"red\",\"pink\"]}", "/colours/1", MSG_BAD_VALUE);
	invalid("{\"title\":\"x\",\"colours\":[\"red\",\"blue\",\"green\"]}", "/colours",
		MSG_TOO_MANY);

	/* LIMIT_ARRAY_ITEMS items of at most LIMIT_SHORT_TEXT bytes each. */
	size_t n = (LIMIT_ARRAY_ITEMS + 1) * (LIMIT_SHORT_TEXT + 4) + 100;
	char *body = malloc(n), *item = text_of(LIMIT_SHORT_TEXT, "i");
	size_t len = (size_t)snprintf(body, n, "{\"title\":\"x\",\"tags\":[");
	for (int i = 0; i < LIMIT_ARRAY_ITEMS; i++)
		len += (size_t)snprintf(body + len, n - len, "%s\"%s\"", i ? "," : "", item);
	snprintf(body + len, n - len, "]}");
	valid(body);
	snprintf(body + len, n - len, ",\"%s\"]}", item);
	invalid(body, "/tags", MSG_TOO_MANY);
	free(item);
	item = text_of(LIMIT_SHORT_TEXT + 1, "i");
	snprintf(body, n, "{\"title\":\"x\",\"tags\":[\"a\",\"b\",\"%s\"]}", item);
	invalid(body, "/tags/2", MSG_TOO_LONG);
	free(item);
	free(body);
}

/* At most ERR_MAX_FIELDS errors are kept; the rest are counted out. */
static void test_max_fields(void **state)
{
	(void)state;
	char body[512];
	size_t len = (size_t)snprintf(body, sizeof(body), "{");
	for (int i = 0; i < ERR_MAX_FIELDS + 3; i++)
		len += (size_t)snprintf(body + len, sizeof(body) - len, "%s\"u%d\":1",
					i ? "," : "", i);
	snprintf(body + len, sizeof(body) - len, "}");
	struct err e = check(body);
	assert_int_equal(e.code, E_INVALID);
	assert_int_equal(e.nfields, ERR_MAX_FIELDS);
	/* Exactly ERR_MAX_FIELDS - 1 unknown plus the missing title: all kept. */
	len = (size_t)snprintf(body, sizeof(body), "{");
	for (int i = 0; i < ERR_MAX_FIELDS - 1; i++)
		len += (size_t)snprintf(body + len, sizeof(body) - len, "%s\"u%d\":1",
					i ? "," : "", i);
	snprintf(body + len, sizeof(body) - len, "}");
	e = check(body);
	assert_int_equal(e.nfields, ERR_MAX_FIELDS);
	assert_string_equal(e.fields[ERR_MAX_FIELDS - 1].pointer, "/title");
}

/* Long keys are cut in the pointer, never overflow it. */
static void test_long_keys(void **state)
{
	(void)state;
	char *key = text_of(500, "k"), body[700];
	snprintf(body, sizeof(body), "{\"title\":\"x\",\"%s\":1}", key);
	struct err e = check(body);
	assert_int_equal(e.code, E_INVALID);
	assert_true(strlen(e.fields[0].pointer) < sizeof(e.fields[0].pointer));
	assert_int_equal(strncmp(e.fields[0].pointer, "/kkkk", 5), 0);
	free(key);
}

/* RFC 6901: in a JSON pointer "~" is written "~0" and "/" is "~1", so the
 * pointer names the member that is wrong and not another path. */
static void test_pointer_escaping(void **state)
{
	(void)state;
	invalid("{\"title\":\"x\",\"a/b\":1}", "/a~1b", MSG_UNKNOWN_FIELD);
	invalid("{\"title\":\"x\",\"m~n\":1}", "/m~0n", MSG_UNKNOWN_FIELD);
}

static void test_getters(void **state)
{
	(void)state;
	struct err e;
	json_t *j = parse("{\"s\":\"v\",\"n\":7,\"b\":true,\"z\":null,\"f\":false,\"r\":1.5}", &e);
	assert_non_null(j);
	assert_string_equal(jv_str(j, "s"), "v");
	assert_null(jv_str(j, "n"));
	assert_null(jv_str(j, "z"));
	assert_null(jv_str(j, "missing"));
	assert_null(jv_str(NULL, "s"));
	assert_int_equal(jv_int(j, "n", -1), 7);
	assert_int_equal(jv_int(j, "s", -1), -1);
	assert_int_equal(jv_int(j, "r", -1), -1);
	assert_int_equal(jv_int(j, "z", 9), 9);
	assert_int_equal(jv_bool(j, "b", 0), 1);
	assert_int_equal(jv_bool(j, "f", 1), 0);
	assert_int_equal(jv_bool(j, "z", -1), -1);
	assert_int_equal(jv_bool(j, "n", -1), -1);

	/* typed members, for the readers of foreign files */
	json_t *v = (json_t *)1;
	assert_int_equal(jv_member_of(j, "s", JSON_STRING, &v), 0);
	assert_string_equal(json_string_value(v), "v");
	assert_int_equal(jv_member_of(j, "z", JSON_STRING, &v), 0);   /* null: missing */
	assert_null(v);
	assert_int_equal(jv_member_of(j, "nope", JSON_OBJECT, &v), 0);
	assert_null(v);
	assert_int_equal(jv_member_of(j, "n", JSON_REAL, &v), 0);     /* any number */
	assert_int_equal(json_integer_value(v), 7);
	assert_int_equal(jv_member_of(j, "r", JSON_INTEGER, &v), 0);
	assert_int_equal(jv_member_of(j, "f", JSON_TRUE, &v), 0);     /* either boolean */
	assert_true(json_is_false(v));
	assert_int_equal(jv_member_of(j, "s", JSON_ARRAY, &v), -1);
	assert_null(v);
	assert_int_equal(jv_member_of(NULL, "s", JSON_STRING, &v), 0);
	assert_string_equal(jv_kind(jv_member(j, "s")), "a string");
	assert_string_equal(jv_kind(jv_member(j, "r")), "a number");
	assert_string_equal(jv_kind(jv_member(j, "b")), "a boolean");
	assert_string_equal(jv_kind(jv_member(j, "z")), "null");
	assert_string_equal(jv_kind(j), "an object");
	assert_string_equal(jv_type_kind(JSON_ARRAY), "an array");
	json_decref(j);
	assert_int_equal(jv_enum_index(colours, "red"), 0);
	assert_int_equal(jv_enum_index(colours, "blue"), 2);
	assert_int_equal(jv_enum_index(colours, "pink"), -1);
	assert_int_equal(jv_enum_index(colours, NULL), -1);
	assert_int_equal(jv_enum_index(NULL, "red"), -1);
}

/* err_set / err_field / err_text as the API uses them. */
static void test_err(void **state)
{
	(void)state;
	struct err e = { 0 };
	char out[256];
	assert_int_equal(err_field(&e, "/a", MSG_REQUIRED, NULL), -1);
	assert_int_equal(e.code, E_INVALID);
	assert_int_equal(e.msg, MSG_INVALID_INPUT);
	assert_string_equal(err_text(&e, LANG_EN, out, sizeof(out)), "Invalid input");
	assert_string_equal(err_text(&e, LANG_VI, out, sizeof(out)), "Dữ liệu không hợp lệ");
	err_clear(&e);
	err_set(&e, E_MALFORMED, MSG_MALFORMED_JSON, "x");
	err_field(&e, "/b", MSG_REQUIRED, NULL);
	assert_int_equal(e.code, E_MALFORMED); /* a field keeps the code already set */
	char longarg[400];
	memset(longarg, 'a', sizeof(longarg) - 1);
	longarg[sizeof(longarg) - 1] = '\0';
	err_set(&e, E_DB, MSG_DB, longarg);
	assert_int_equal(strlen(e.arg), sizeof(e.arg) - 1);
	assert_int_equal(err_set(NULL, E_DB, MSG_DB, NULL), -1);
	assert_int_equal(err_field(NULL, "/x", MSG_DB, NULL), -1);
	/* Every message exists in both languages. */
	for (int id = 0; id < MSG__COUNT; id++) {
		assert_non_null(msg_get(id, LANG_VI));
		assert_non_null(msg_get(id, LANG_EN));
	}
	assert_string_equal(msg_get(-1, LANG_EN), "%s");
	assert_string_equal(msg_get(MSG__COUNT, LANG_EN), "%s");
	assert_int_equal(msg_lang_from("en-US,en;q=0.9"), LANG_EN);
	assert_int_equal(msg_lang_from(" EN"), LANG_EN);
	assert_int_equal(msg_lang_from("vi-VN,vi;q=0.9,en;q=0.8"), LANG_VI);
	assert_int_equal(msg_lang_from(NULL), LANG_VI);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_basic),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_required_unknown_types),
		cmocka_unit_test(test_string_limits),
		cmocka_unit_test(test_int_enum_time_uuid),
		cmocka_unit_test(test_nested_and_arrays),
		cmocka_unit_test(test_max_fields),
		cmocka_unit_test(test_long_keys),
		cmocka_unit_test(test_pointer_escaping),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_err),
	};
	return cmocka_run_group_tests_name("jsonv", tests, NULL, NULL);
}
