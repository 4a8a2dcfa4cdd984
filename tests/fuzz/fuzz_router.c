/*
 * fuzz_router.c - router_match on an arbitrary method and path, as the
 * server calls it for every request (http/server.c): the input is
 * "METHOD PATH" (split at the first space; no space: all of it is the path
 * with method GET). A match must hand back parameters that lie inside the
 * path, at most REQ_MAX_PARAMS of them, each one non-empty segment; they
 * are then copied into the request arena the way the server does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/limits.h"
#include "base/uuid.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct arena *a = arena_new(LIMIT_REQ_ARENA);
	if (a == NULL)
		return 0;
	const char *sp = memchr(d, ' ', n);
	const char *method = "GET", *path;
	if (sp) {
		method = arena_strndup(a, (const char *)d, (size_t)(sp - (const char *)d));
		path = arena_strndup(a, sp + 1, n - (size_t)(sp - (const char *)d) - 1);
	} else {
		path = arena_strndup(a, (const char *)d, n);
	}
	if (method == NULL || path == NULL) {
		arena_free(a);
		return 0;
	}
	const char *params[REQ_MAX_PARAMS];
	int nparams = -1, known = -1;
	const struct route *r = router_match(method, path, params, &nparams, &known);
	if (known != 0 && known != 1)
		abort();
	if (r != NULL) {
		size_t plen = strlen(path);
		if (strcmp(r->method, method) != 0 || nparams < 0 || nparams > REQ_MAX_PARAMS)
			abort();
		for (int i = 0; i < nparams; i++) {
			if (params[i] < path || params[i] >= path + plen || *params[i] == '/')
				abort();
			const char *end = strchr(params[i], '/');
			size_t len = end ? (size_t)(end - params[i]) : strlen(params[i]);
			char *copy = arena_strndup(a, params[i], len);
			if (copy && len == 0)
				abort();
			/* What the handlers do first with an id. */
			if (copy)
				(void)uuid_valid(copy);
		}
	}
	arena_free(a);
	return 0;
}
