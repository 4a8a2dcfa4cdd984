/*
 * fuzz_http_headers.c - the request headers the server reads itself, each
 * on the same bytes (a header value: up to the first NUL):
 *   If-Match         req_if_match_value (http/req.c);
 *   Accept-Language  msg_lang_from (base/msg.c);
 *   X-Filename       api_decode_filename (api/incidents.c);
 *   Authorization    "Bearer TOKEN" as server.c splits it, and the token (or
 *   / the session    the whole value, as a cookie's) through auth_resolve
 *   cookie           on an in-memory database holding one API token.
 * Invariants: If-Match is -2 or a version that, written "N", reads back the
 * same, and only [W/]["]digits["] is a version; the language is English
 * exactly when the value starts with "en"; a file name decodes to UTF-8
 * without control characters, no longer than the value, and percent-
 * encoding it again decodes to the same name; no token but the one issued
 * resolves, and a refusal fills the error (E_UNAUTH).
 *   X-Agent-Time,    req_decimal_value (http/req.c): 1 to 18 digits and
 *   Content-Length   nothing else, reading back as written (libmicrohttpd
 *                    also refuses a malformed Content-Length before us).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "base/arena.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/msg.h"
#include "domain/directory/org.h"
#include "domain/directory/user.h"
#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static struct store *db;
static char token[TOKEN_LEN];

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "fuzz_http_headers setup: %s failed (code %d, %s)\n", what, e->code,
		e->arg);
	exit(1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	struct err e = { 0 };
	struct actor sys;
	struct rules rules;
	log_set_level(LOG_ERROR);
	if (crypto_init() != 0)
		die("crypto_init", &e);
	rules_default(&rules);
	actor_system(&sys);
	db = store_open(":memory:", &e);
	if (db == NULL || store_migrate(db, &e) < 0)
		die("database", &e);
	struct ctx c = { .db = db, .rules = &rules, .actor = &sys };
	static const struct org_new org = { "pq", "UBND huyện Phú Quý", "district", NULL, "", 0 };
	if (org_add(&c, &org, NULL, &e) != 0)
		die("org_add", &e);
	struct user_new u = { .username = "dieuphoi", .password = "mat-khau-fuzz-1",
			      .org_code = "pq", .roles = ROLE_COORDINATOR };
	if (user_add(&c, &u, NULL, &e) != 0 || token_create(&c, "dieuphoi", token, &e) != 0)
		die("user and token", &e);
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* X-Agent-Time and Content-Length: 1 to 18 digits and nothing else, read
 * back from their decimal form. */
static void decimal(const char *v)
{
	long long n = req_decimal_value(v);
	size_t len = strlen(v), digits = 0;
	while (is_digit(v[digits]))
		digits++;
	int well_formed = digits > 0 && digits <= 18 && digits == len;
	if ((n >= 0) != well_formed || (n < 0 && n != -2))
		abort();
	if (n >= 0) {
		char back[32];
		snprintf(back, sizeof(back), "%lld", n);
		if (req_decimal_value(back) != n || strtoll(v, NULL, 10) != n)
			abort();
	}
}

static void if_match(const char *v)
{
	long long n = req_if_match_value(v);
	const char *p = strncmp(v, "W/", 2) == 0 ? v + 2 : v;
	int quoted = *p == '"';
	p += quoted;
	size_t digits = 0;
	while (is_digit(p[digits]))
		digits++;
	int well_formed = digits > 0 && digits <= 18 &&
			  strcmp(p + digits, quoted ? "\"" : "") == 0;
	if (n == -2) {
		if (well_formed)
			abort();              /* a version refused */
		return;
	}
	if (n < 0 || !well_formed)
		abort();                      /* a sign, junk, or an absent header */
	char back[32];
	snprintf(back, sizeof(back), "\"%lld\"", n);
	if (req_if_match_value(back) != n)
		abort();
	if (req_if_match_value(NULL) != -1)
		abort();
}

static void language(const char *v)
{
	int lang = msg_lang_from(v);
	const char *p = v;
	while (*p == ' ')
		p++;
	if (lang != (strncasecmp(p, "en", 2) == 0 ? LANG_EN : LANG_VI))
		abort();
}

static void file_name(const char *v)
{
	struct arena *a = arena_new(1 << 20);
	if (a == NULL)
		return;
	char *name = api_decode_filename(a, v);
	if (name != NULL) {
		size_t l = strlen(name);
		json_t *t = json_stringn(name, l);
		if (l > strlen(v) || t == NULL)
			abort();
		json_decref(t);
		for (const char *p = name; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
		/* Encoded again (every byte), it decodes to the same name. */
		char *enc = arena_alloc(a, 3 * l + 1);
		if (enc != NULL) {
			for (size_t i = 0; i < l; i++)
				snprintf(enc + 3 * i, 4, "%%%02X", (unsigned char)name[i]);
			enc[3 * l] = '\0';
			char *again = api_decode_filename(a, enc);
			if (again == NULL || strcmp(again, name) != 0)
				abort();
		}
		if (strchr(v, '%') == NULL && strcmp(name, v) != 0)
			abort();              /* nothing to decode: unchanged */
	}
	arena_free(a);
}

static void resolve(const char *tok)
{
	struct actor who;
	struct err e = { 0 };
	int rc = auth_resolve(db, tok, &who, &e);
	if (strcmp(tok, token) == 0) {
		if (rc != 0 || strcmp(who.username, "dieuphoi") != 0)
			abort();
	} else if (rc == 0 || e.code != E_UNAUTH) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char *v = malloc(n + 1);
	if (v == NULL)
		return 0;
	memcpy(v, d, n);
	v[n] = '\0';
	if_match(v);
	decimal(v);
	language(v);
	file_name(v);
	/* Authorization as server.c reads it, and the value as a cookie's. */
	if (strncasecmp(v, "Bearer ", 7) == 0)
		resolve(v + 7);
	resolve(v);
	free(v);
	return 0;
}
