/*
 * err.h - the error a function fills for its caller: a category (which the
 * API maps to an HTTP status), a message id from the catalogue (msg.h) with
 * one argument, and for bad input the offending fields as JSON pointers.
 */
#ifndef UNGCUU_ERR_H
#define UNGCUU_ERR_H

#include <stddef.h>

enum err_code {
	E_OK = 0,
	E_INVALID,      /* 422: a field is wrong */
	E_MALFORMED,    /* 400: not JSON, bad syntax, bad UTF-8 */
	E_NOTFOUND,     /* 404 */
	E_CONFLICT,     /* 409: not allowed in this state / already exists */
	E_FORBIDDEN,    /* 403 */
	E_UNAUTH,       /* 401 */
	E_PRECOND,      /* 412: stale If-Match */
	E_PRECOND_REQ,  /* 428: If-Match missing */
	E_TOOLARGE,     /* 413 */
	E_LOCKED,       /* 429: too many failed logins */
	E_NOMEM,        /* 500 */
	E_DB,           /* 500: storage failed */
	E_IO,           /* 500 / CLI: file, network */
	E_INTERNAL,     /* 500 */
	E_UNAVAILABLE,  /* 503: the database cannot be reached (a restart, a failover) */
};

#define ERR_MAX_FIELDS 8

struct err_field {
	char pointer[64];
	int msg;
	char arg[96];
};

struct err {
	int code;
	int msg;          /* message id, see msg.h */
	char arg[160];    /* the one %s argument of the message */
	int nfields;
	struct err_field fields[ERR_MAX_FIELDS];
	int retry_after;  /* seconds, for E_LOCKED */
};

/* Sets code and message; returns -1 so callers can `return err_set(...)`. */
int err_set(struct err *e, int code, int msg, const char *arg);
/* Adds a field error (keeps code E_INVALID unless already set); returns -1. */
int err_field(struct err *e, const char *pointer, int msg, const char *arg);
void err_clear(struct err *e);
/* Renders the message in a language (0 vi, 1 en) into out. */
const char *err_text(const struct err *e, int lang, char *out, size_t n);

#endif
