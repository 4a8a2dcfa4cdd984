/* client.h - the command line's HTTP client for the API (libcurl). */
#ifndef UNGCUU_CLIENT_H
#define UNGCUU_CLIENT_H

#include <stddef.h>

#include <jansson.h>

struct client {
	const char *url, *token;
};

/* Sends body (bytes, with ctype) plus extra "Name: value" headers (NULL-
 * terminated, may be NULL); *out gets the parsed JSON answer or NULL.
 * Returns the HTTP status, or -1 after printing a connection error. */
int client_send(const struct client *cl, const char *method, const char *path,
		const char *ctype, const void *body, size_t n, const char *const *headers,
		json_t **out);
/* A JSON call; if_match >= 0 sends If-Match. */
int client_call(const struct client *cl, const char *method, const char *path,
		json_t *body, long long if_match, json_t **out);
/* Prints a problem+json answer as one line (and frees it); returns 1. */
int client_problem(int status, json_t *p);

#endif
