/* password.c - the rules a new password must pass (see password.h). */
#include <stdio.h>
#include <string.h>

#include "password.h"
#include "../../base/limits.h"
#include "../../base/utf8.h"
#include "../../base/msg.h"
#include "../../base/banned.h"

/* The list, embedded at build time from common_passwords.txt. */
extern const char common_passwords_txt[];

/* Whether the NUL-terminated word w is a line of the built-in list. */
static int listed(const char *w)
{
	size_t wl = strlen(w);
	const char *p = common_passwords_txt;
	if (wl == 0)
		return 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len == wl && *p != '#' && memcmp(p, w, wl) == 0)
			return 1;
		p += len + (nl != NULL);
	}
	return 0;
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Digits and symbols written for letters (p@ssw0rd, h0ang). */
static int unleet(int c)
{
	static const char from[] = "0134578@$!|+";
	static const char to[] = "oieastbasilt";
	const char *f = strchr(from, c);
	return c && f ? to[f - from] : c;
}

/* Whether w (lower case) is a stretch of a row of keys or of the alphabet,
 * forwards or backwards (qwerty, asdfgh, abcdef, 987654). */
static int walk(const char *w)
{
	static const char *const rows[] = {
		"qwertyuiopasdfghjklzxcvbnm", "abcdefghijklmnopqrstuvwxyz",
		"01234567890123456789", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
		"qazwsxedcrfvtgbyhnujmikolp",
	};
	size_t n = strlen(w);
	if (n < 3)
		return 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char rev[64];
		size_t rl = strlen(rows[i]);
		for (size_t j = 0; j < rl; j++)
			rev[j] = rows[i][rl - 1 - j];
		rev[rl] = '\0';
		if (strstr(rows[i], w) || strstr(rev, w))
			return 1;
	}
	return 0;
}

/* Whether s (n bytes, lower case) is two or more words of letters, each
 * on the list, with anything between them: admin@ungcuu, Nguyen.Minh.Anh. */
static int all_words_listed(const char *s, size_t n)
{
	char w[LIMIT_PASSWORD_MAX + 1];
	int words = 0;
	size_t i = 0;
	while (i < n) {
		size_t k = 0;
		while (i < n && !is_alpha(s[i]))
			i++;
		while (i < n && is_alpha(s[i]))
			w[k++] = s[i++];
		w[k] = '\0';
		if (k == 0)
			break;
		if (!listed(w))
			return 0;
		words++;
	}
	return words >= 2;
}

/* Whether pw (at most LIMIT_PASSWORD_MAX bytes) is a common password, one
 * dressed up, a keyboard walk or a run of a few characters. */
static int guessable(const char *pw)
{
	char low[LIMIT_PASSWORD_MAX + 1], core[LIMIT_PASSWORD_MAX + 1];
	size_t n = strlen(pw), i, a, b;
	unsigned char seen[256] = { 0 };
	int distinct = 0;

	for (i = 0; i < n; i++) {
		low[i] = (char)lower((unsigned char)pw[i]);
		if (!seen[(unsigned char)pw[i]]++)
			distinct++;
	}
	low[n] = '\0';
	/* aaaaaaaaaaaa, 121212121212, abcabcabcabc */
	if (distinct < 5 || listed(low) || walk(low))
		return 1;
	/* The word inside: digits and symbols around it dropped, leet read
	 * as letters. Matkhau@2024, P@ssw0rd!, 2024anhyeuem, Qwerty123456. */
	for (a = 0; a < n && !is_alpha(low[a]); a++)
		;
	for (b = n; b > a && !is_alpha(low[b - 1]); b--)
		;
	if (a == b) /* no letter at all: only a walk of digits is refused */
		return 0;
	for (i = a; i < b; i++)
		core[i - a] = (char)unleet(low[i]);
	core[b - a] = '\0';
	return listed(core) || walk(core) || all_words_listed(low + a, b - a);
}

/* Whether pw contains username, ignoring case (ASCII: usernames are). */
static int has_username(const char *pw, const char *username)
{
	size_t un = username ? strlen(username) : 0, pn = strlen(pw);
	if (un < 3 || un > pn)
		return 0;
	for (size_t i = 0; i + un <= pn; i++) {
		size_t j = 0;
		while (j < un && lower((unsigned char)pw[i + j]) == lower((unsigned char)username[j]))
			j++;
		if (j == un)
			return 1;
	}
	return 0;
}

int password_policy_check(const char *username, const char *pw, const char *field,
			  struct err *e)
{
	char num[16];
	long chars;
	if (pw == NULL)
		return err_field(e, field, MSG_REQUIRED, NULL);
	if (strlen(pw) > LIMIT_PASSWORD_MAX) {
		snprintf(num, sizeof(num), "%d", LIMIT_PASSWORD_MAX);
		return err_field(e, field, MSG_TOO_LONG, num);
	}
	chars = utf8_chars(pw, strlen(pw));
	if (chars < 0)
		return err_field(e, field, MSG_BAD_VALUE, "UTF-8");
	if (chars < LIMIT_PASSWORD_MIN) {
		snprintf(num, sizeof(num), "%d", LIMIT_PASSWORD_MIN);
		return err_field(e, field, MSG_PASSWORD_SHORT, num);
	}
	if (has_username(pw, username))
		return err_field(e, field, MSG_PASSWORD_HAS_USERNAME, NULL);
	if (guessable(pw))
		return err_field(e, field, MSG_PASSWORD_COMMON, NULL);
	return 0;
}
