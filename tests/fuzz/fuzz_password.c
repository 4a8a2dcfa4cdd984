/*
 * fuzz_password.c - the password rules (domain/directory/password.c) on
 * arbitrary bytes: a username up to the first newline, the password after
 * it, as POST /users and /account/password hand them over. Asserts what an
 * accepted password must be: at least LIMIT_PASSWORD_MIN characters of valid
 * UTF-8, at most LIMIT_PASSWORD_MAX bytes, not containing the username; and
 * that a refusal names the field it was given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "domain/directory/password.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static long chars(const char *s)
{
	long k = 0;
	for (; *s; s++)
		k += ((unsigned char)*s & 0xC0) != 0x80;
	return k;
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t hn = strlen(hay), nn = strlen(needle);
	for (size_t i = 0; nn && i + nn <= hn; i++) {
		size_t j = 0;
		while (j < nn && (hay[i + j] | 0x20) == (needle[j] | 0x20) &&
		       ((needle[j] >= 'a' && needle[j] <= 'z') || (needle[j] >= 'A' && needle[j] <= 'Z') ||
			hay[i + j] == needle[j]))
			j++;
		if (j == nn)
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char *buf = malloc(n + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, d, n);
	buf[n] = '\0'; /* a NUL inside ends the text, as in a C string */
	char *nl = strchr(buf, '\n');
	const char *user = nl ? buf : "";
	const char *pw = nl ? nl + 1 : buf;
	if (nl)
		*nl = '\0';
	struct err e = { 0 };
	if (password_policy_check(user, pw, "/x", &e) == 0) {
		if (strlen(pw) > LIMIT_PASSWORD_MAX || chars(pw) < LIMIT_PASSWORD_MIN)
			abort();
		if (strlen(user) >= 3 && contains_ci(pw, user))
			abort();
	} else if (e.nfields != 1 || strcmp(e.fields[0].pointer, "/x") != 0) {
		abort();
	}
	free(buf);
	return 0;
}
