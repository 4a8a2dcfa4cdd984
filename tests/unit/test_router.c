/*
 * test_router.c - the route table and the matcher (api/routes.c,
 * http/router.c): every route in api_routes matches itself with its
 * parameters filled in, another method on a known path is told apart (405),
 * and paths that are not routes do not match, whatever they look like.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/arena.h"
#include "base/limits.h"
#include "http/http.h"

static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD",
				       "OPTIONS", NULL };

static int count_params(const char *pattern)
{
	int n = 0;
	for (const char *p = strstr(pattern, "{}"); p; p = strstr(p + 2, "{}"))
		n++;
	return n;
}

/* The pattern with its {} replaced by value0, value1, ... */
static void fill(const char *pattern, char *out, size_t n, const char *const *values)
{
	size_t len = 0;
	int k = 0;
	out[0] = '\0';
	for (const char *p = pattern; *p; p++) {
		if (p[0] == '{' && p[1] == '}') {
			len += (size_t)snprintf(out + len, n - len, "%s", values[k++]);
			p++;
		} else if (len + 1 < n) {
			out[len++] = *p;
			out[len] = '\0';
		}
	}
}

/* The test's own reading of a pattern: same number of '/'-separated
 * segments, literal segments equal, {} any non-empty segment. */
static int pattern_matches(const char *pat, const char *path)
{
	for (;;) {
		const char *pe = strchr(pat, '/'), *xe = strchr(path, '/');
		size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
		size_t xl = xe ? (size_t)(xe - path) : strlen(path);
		if (pl == 2 && strncmp(pat, "{}", 2) == 0) {
			if (xl == 0)
				return 0;
		} else if (pl != xl || strncmp(pat, path, pl) != 0) {
			return 0;
		}
		if (!pe || !xe)
			return !pe && !xe;
		pat = pe + 1;
		path = xe + 1;
	}
}

static void test_table_shape(void **state)
{
	(void)state;
	assert_true(api_routes_count >= 30);
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *r = &api_routes[i];
		assert_non_null(r->fn);
		assert_int_equal(strncmp(r->pattern, "/api/v1/", 8), 0);
		assert_true(count_params(r->pattern) <= REQ_MAX_PARAMS);
		assert_true(r->auth >= AUTH_NONE);
		assert_true(r->body >= BODY_NONE);
		if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "DELETE") == 0)
			assert_int_equal(r->body, BODY_NONE);
		/* One row per (method, pattern). */
		for (size_t j = i + 1; j < api_routes_count; j++)
			assert_false(strcmp(r->method, api_routes[j].method) == 0 &&
				     strcmp(r->pattern, api_routes[j].pattern) == 0);
	}
}

static void test_every_route_matches_itself(void **state)
{
	(void)state;
	static const char *const values[][REQ_MAX_PARAMS] = {
		{ "019ab3e1-2f3b-7c4d-8e5f-6a7b8c9d0e1f", "019ab3e1-2f3b-7c4d-8e5f-000000000002",
		  "c", "d" },
		{ "x", "y", "z", "w" },
		{ "%2F", "..", "ủ", "a.b" },
	};
	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		for (size_t i = 0; i < api_routes_count; i++) {
			const struct route *r = &api_routes[i];
			char path[512];
			const char *params[REQ_MAX_PARAMS] = { NULL };
			int nparams = -1, known = -1;
			fill(r->pattern, path, sizeof(path), values[v]);
			const struct route *m = router_match(r->method, path, params, &nparams,
							     &known);
			if (m != r)
				fail_msg("%s %s matched %s %s", r->method, path,
					 m ? m->method : "-", m ? m->pattern : "nothing");
			assert_int_equal(nparams, count_params(r->pattern));
			for (int k = 0; k < nparams; k++) {
				size_t len = strlen(values[v][k]);
				/* A parameter points into the path and runs to the next '/'. */
				assert_true(params[k] >= path && params[k] < path + strlen(path));
				assert_int_equal(strncmp(params[k], values[v][k], len), 0);
				assert_true(params[k][len] == '/' || params[k][len] == '\0');
			}
		}
	}
}

/* Each method on each route's path: the route with that method whose
 * pattern matches (by the test's own reading), or none and "path known"
 * (405) with the Allow list naming exactly the methods that do match. */
static void test_other_methods(void **state)
{
	(void)state;
	static const char *const fills[][REQ_MAX_PARAMS] = {
		{ "a", "b", "c", "d" },
		{ "019ab3e1-2f3b-7c4d-8e5f-6a7b8c9d0e1f", "x", "y", "z" },
	};
	struct arena *a = arena_new(LIMIT_REQ_ARENA);
	for (size_t f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
		for (size_t i = 0; i < api_routes_count; i++) {
			char path[512], allow[128] = "";
			fill(api_routes[i].pattern, path, sizeof(path), fills[f]);
			for (size_t j = 0; j < api_routes_count; j++) {
				const char *m = api_routes[j].method;
				if (!pattern_matches(api_routes[j].pattern, path) || strstr(allow, m))
					continue;
				size_t len = strlen(allow);
				snprintf(allow + len, sizeof(allow) - len, "%s%s", len ? ", " : "", m);
			}
			assert_string_equal(router_allowed(path, a), allow);
			for (int m = 0; methods[m]; m++) {
				const struct route *want = NULL;
				for (size_t j = 0; j < api_routes_count && !want; j++)
					if (strcmp(api_routes[j].method, methods[m]) == 0 &&
					    pattern_matches(api_routes[j].pattern, path))
						want = &api_routes[j];
				const char *params[REQ_MAX_PARAMS];
				int n = 0, known = -1;
				const struct route *r = router_match(methods[m], path, params, &n,
								     &known);
				if (r != want)
					fail_msg("%s %s: matched %s, expected %s", methods[m], path,
						 r ? r->pattern : "nothing",
						 want ? want->pattern : "nothing");
				if (r == NULL)
					assert_int_equal(known, 1);
			}
			/* Methods are case-sensitive. */
			const char *params[REQ_MAX_PARAMS];
			int n = 0, known = -1;
			assert_null(router_match("get", path, params, &n, &known));
		}
	}
	/* Unknown paths have no Allow list. */
	assert_string_equal(router_allowed("/api/v1/nothing", a), "");
	arena_free(a);
}

static void test_unknown_paths(void **state)
{
	(void)state;
	static const char *const paths[] = {
		"", "/", "/api", "/api/", "/api/v1", "/api/v1/", "/api/v2/health",
		"/API/v1/health", "/api/v1/Health", "/api/v1/health/", "/api/v1/healthz",
		"/api/v1/health/x", "//api/v1/health", "/api//v1/health", "api/v1/health",
		"/api/v1/incidents/", "/api/v1/incidents//transitions",
		"/api/v1/incidents/x/", "/api/v1/incidents/x/y", "/api/v1/incidents/x/transition",
		"/api/v1/incidents/x/transitions/", "/api/v1/incidents/x/tasks/",
		"/api/v1/incidents/x/support-requests//transitions",
		"/api/v1/incidents/x/attachments/y/z", "/api/v1/users//disable",
		"/api/v1/users/disable", "/api/v1/contacts/", "/api/v1/contacts/a/b",
		"/api/v1/incident", "/api/v1/incidentsx", "/api/v1/../v1/health",
		"/api/v1/health?x=1", "/api/v1/health#f", "/index.html", "/api/v1/openapi",
		"/api/v1/health\n", " /api/v1/health",
		NULL,
	};
	for (int i = 0; paths[i]; i++) {
		for (int m = 0; methods[m]; m++) {
			const char *params[REQ_MAX_PARAMS];
			int n = 0, known = -1;
			const struct route *r = router_match(methods[m], paths[i], params, &n, &known);
			if (r != NULL || known != 0)
				fail_msg("%s \"%s\" matched %s (known %d)", methods[m], paths[i],
					 r ? r->pattern : "-", known);
		}
	}
}

/* A parameter is one non-empty segment: a value with a slash is two. */
static void test_params_are_segments(void **state)
{
	(void)state;
	const char *params[REQ_MAX_PARAMS];
	int n = 0, known = 0;
	const struct route *r = router_match("GET", "/api/v1/incidents/a%2Fb", params, &n, &known);
	assert_non_null(r);
	assert_string_equal(r->pattern, "/api/v1/incidents/{}");
	assert_int_equal(n, 1);
	assert_string_equal(params[0], "a%2Fb");
	r = router_match("POST", "/api/v1/incidents/i1/support-requests/s2/transitions", params,
			 &n, &known);
	assert_non_null(r);
	assert_int_equal(n, 2);
	assert_int_equal(strncmp(params[0], "i1/", 3), 0);
	assert_int_equal(strncmp(params[1], "s2/", 3), 0);
	/* A very long segment is still one parameter. */
	char path[9000];
	int len = snprintf(path, sizeof(path), "/api/v1/incidents/");
	memset(path + len, 'z', 8000);
	path[len + 8000] = '\0';
	r = router_match("GET", path, params, &n, &known);
	assert_non_null(r);
	assert_int_equal(strlen(params[0]), 8000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_every_route_matches_itself),
		cmocka_unit_test(test_other_methods),
		cmocka_unit_test(test_unknown_paths),
		cmocka_unit_test(test_params_are_segments),
	};
	return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
