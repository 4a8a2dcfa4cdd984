/*
 * test_req.c - the request readers of http/req.c that decide before any
 * handler runs: req_text_ok (what every header and query value must be) and
 * req_media_type / req_media_type_is (Content-Type as a media type, the one
 * check of every body), and the table of roles checked before the body
 * (api_route_roles) against the route table.
 */
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "http/http.h"

static int text(const char *s)
{
	return req_text_ok(s, strlen(s));
}

static void test_text(void **state)
{
	(void)state;
	assert_true(text(""));
	assert_true(text("Nhật ký sự cố.txt"));
	assert_true(text("tab\there"));
	assert_true(text("\xF0\x9F\x98\x80")); /* U+1F600, 4 bytes */
	assert_true(text("\xF4\x8F\xBF\xBF")); /* U+10FFFF, the last */
	assert_false(text("a\nb"));
	assert_false(text("a\rb"));
	assert_false(text("\x7F"));
	assert_false(text("\x80"));            /* a lone continuation byte */
	assert_false(text("\xC3\x28"));        /* a broken sequence */
	assert_false(text("\xC3"));            /* cut short at the end */
	assert_false(text("\xC0\xAF"));        /* overlong '/' */
	assert_false(text("\xE0\x80\xAF"));    /* overlong, 3 bytes */
	assert_false(text("\xED\xA0\x80"));    /* a surrogate half */
	assert_false(text("\xF4\x90\x80\x80")); /* above U+10FFFF */
	assert_false(text("\xFF"));
	/* A NUL inside the given length is refused: it would cut a name short. */
	assert_false(req_text_ok("a\0b", 3));
	assert_true(req_text_ok("a\0b", 1));
}

static void expect_type(const char *ct, const char *want, int utf8_want)
{
	char out[64];
	int utf8 = -1;
	assert_int_equal(req_media_type(ct, out, sizeof(out), &utf8), 0);
	assert_string_equal(out, want);
	assert_int_equal(utf8, utf8_want);
}

static void test_media_type(void **state)
{
	(void)state;
	expect_type("application/json", "application/json", 1);
	expect_type("APPLICATION/JSON", "application/json", 1);
	expect_type("  Application/Json ; charset=UTF-8 ", "application/json", 1);
	expect_type("application/json;charset=\"utf-8\"", "application/json", 1);
	expect_type("application/json; charset=utf-8;", "application/json", 1);
	expect_type("text/csv; header=present; charset=us-ascii", "text/csv", 1);
	expect_type("application/stix+json;version=2.1", "application/stix+json", 1);
	expect_type("text/plain; charset=windows-1258", "text/plain", 0);
	expect_type("text/plain; name=\"a \\\"b\\\" c\"", "text/plain", 1);
	const char *bad[] = { "", "application", "application/", "/json", "application/json/x",
			      "application /json", "application/ json", "application/json x",
			      "application/json; charset", "application/json; =utf-8",
			      "application/json; charset=\"utf-8", "application/json, text/plain",
			      "appli(cation/json", "application/json;;", NULL };
	char out[64];
	for (int i = 0; bad[i]; i++) {
		if (req_media_type(bad[i], out, sizeof(out), NULL) == 0)
			fail_msg("accepted \"%s\" as %s", bad[i], out);
	}
	assert_int_equal(req_media_type(NULL, out, sizeof(out), NULL), -1);
	/* Too long for out: refused, never cut short. */
	assert_int_equal(req_media_type("application/json", out, 10, NULL), -1);
}

static void test_media_type_is(void **state)
{
	(void)state;
	assert_true(req_media_type_is("APPLICATION/JSON", "application/json"));
	assert_true(req_media_type_is("application/json; charset=utf-8", "application/json"));
	assert_false(req_media_type_is("application/jsonx", "application/json"));
	assert_false(req_media_type_is("application/json-patch+json", "application/json"));
	assert_false(req_media_type_is("application/problem+json", "application/json"));
	assert_false(req_media_type_is("application/json; charset=latin1", "application/json"));
	assert_false(req_media_type_is("application/jso", "application/json"));
	assert_false(req_media_type_is("text/html", "application/json"));
	assert_true(req_media_type_is("text/html; charset=utf-8", "text/html"));
}

/* Each handler of the pre-body role table is a route that takes a body. */
static void test_route_roles(void **state)
{
	(void)state;
	assert_true(api_route_roles_count > 0);
	for (size_t i = 0; i < api_route_roles_count; i++) {
		int found = 0;
		for (size_t k = 0; k < api_routes_count; k++) {
			if (api_routes[k].fn != api_route_roles[i].fn)
				continue;
			found = 1;
			assert_int_not_equal(api_routes[k].body, BODY_NONE);
			assert_int_equal(api_routes[k].auth, AUTH_USER);
		}
		if (!found)
			fail_msg("api_route_roles[%zu] names no route", i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_media_type),
		cmocka_unit_test(test_media_type_is),
		cmocka_unit_test(test_route_roles),
	};
	return cmocka_run_group_tests_name("req", tests, NULL, NULL);
}
