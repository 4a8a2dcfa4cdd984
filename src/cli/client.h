/* client.h - the command line's HTTP client for the API (libcurl). */
#ifndef UNGCUU_CLIENT_H
#define UNGCUU_CLIENT_H

#include <stddef.h>

#include <jansson.h>

struct client {
	const char *url, *token;
};

struct cli_args;
struct cli_opt;

/* The server and token of a command with --url and --token: the options,
 * else UNGCUU_URL and UNGCUU_TOKEN, else http://127.0.0.1:8080 and none. */
struct client client_from_args(const struct cli_args *a, const struct cli_opt *opts);
/* 1 when cl has a token; else says which option is missing and gives 0. */
int client_has_token(const struct client *cl);

/* Sends body (bytes, with ctype) plus extra "Name: value" headers (NULL-
 * terminated, may be NULL); *out gets the parsed JSON answer or NULL.
 * Returns the HTTP status, or -1 after printing a connection error. */
int client_send(const struct client *cl, const char *method, const char *path,
		const char *ctype, const void *body, size_t n, const char *const *headers,
		json_t **out);
/* A JSON call; if_match >= 0 sends If-Match. */
int client_call(const struct client *cl, const char *method, const char *path,
		json_t *body, long long if_match, json_t **out);
/* GET of a paged list (path with its query, if any): follows next_cursor
 * with the largest page (limit=500) and answers {"items": [every item]};
 * stops at 1,000 pages. Returns the HTTP status like client_call (on an
 * error *out is that answer). */
int client_get_all(const struct client *cl, const char *path, json_t **out);
/* Prints a problem+json answer as one line (and frees it); returns 1. */
int client_problem(int status, json_t *p);

#endif
