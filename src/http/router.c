/* router.c - matches a method and path against the route table. */
#include <string.h>

#include "http.h"
#include "../base/banned.h"

/* Matches one pattern; {} takes one non-empty segment. */
static int match(const char *pat, const char *path, const char **params,
		 int *nparams)
{
	int n = 0;
	while (*pat && *path) {
		if (pat[0] == '{' && pat[1] == '}') {
			if (*path == '/' || n == REQ_MAX_PARAMS)
				return 0;
			params[n++] = path;
			while (*path && *path != '/')
				path++;
			pat += 2;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	if (*pat || *path)
		return 0;
	*nparams = n;
	return 1;
}

const struct route *router_match(const char *method, const char *path,
				 const char **params, int *nparams, int *path_known)
{
	*path_known = 0;
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *rt = &api_routes[i];
		if (!match(rt->pattern, path, params, nparams))
			continue;
		if (strcmp(rt->method, method) == 0)
			return rt;
		*path_known = 1;
	}
	return NULL;
}

const char *router_allowed(const char *path, struct arena *a)
{
	const char *params[REQ_MAX_PARAMS];
	char list[64] = "";
	size_t len = 0;
	int n;
	for (size_t i = 0; i < api_routes_count; i++) {
		const char *m = api_routes[i].method;
		if (!match(api_routes[i].pattern, path, params, &n) || strstr(list, m))
			continue;
		size_t add = strlen(m) + (len ? 2 : 0);
		if (len + add >= sizeof(list))
			break;
		if (len) {
			memcpy(list + len, ", ", 2);
			len += 2;
		}
		memcpy(list + len, m, strlen(m) + 1);
		len += strlen(m);
	}
	return arena_strdup(a, list);
}
