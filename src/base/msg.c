/* msg.c - the message catalogue (vi first, en second). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "msg.h"
#include "banned.h"

struct msg_text {
	const char *vi, *en;
};

#define MSG_ROW(name, vi, en) { vi, en },
static const struct msg_text catalogue[MSG__COUNT] = { MSG_TABLE(MSG_ROW) };
#undef MSG_ROW

const char *msg_get(int id, int lang)
{
	if (id < 0 || id >= MSG__COUNT)
		id = MSG_NONE;
	return lang == LANG_EN ? catalogue[id].en : catalogue[id].vi;
}

const char *msg_format(int id, int lang, const char *arg, char *out, size_t n)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(out, n, msg_get(id, lang), arg ? arg : "");
#pragma GCC diagnostic pop
	return out;
}

const char *msg_roles(const char *csv, int lang, char *out, size_t n)
{
	static const struct { const char *code; int msg; } names[] = {
		{ "reporter", MSG_ROLE_REPORTER }, { "focal", MSG_ROLE_FOCAL },
		{ "coordinator", MSG_ROLE_COORDINATOR }, { "responder", MSG_ROLE_RESPONDER },
		{ "leader", MSG_ROLE_LEADER }, { "admin", MSG_ROLE_ADMIN },
	};
	size_t len = 0;
	out[0] = '\0';
	for (const char *p = csv ? csv : ""; *p && len < n;) {
		const char *end = strchr(p, ',');
		size_t k = end ? (size_t)(end - p) : strlen(p);
		const char *name = NULL;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].code) == k && strncmp(names[i].code, p, k) == 0)
				name = msg_get(names[i].msg, lang);
		int w = snprintf(out + len, n - len, "%s%.*s", len ? msg_get(MSG_ROLES_OR, lang) : "",
				 (int)(name ? strlen(name) : k), name ? name : p);
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
		p += k + (end ? 1 : 0);
	}
	return out;
}

int msg_lang_from(const char *al)
{
	if (al == NULL)
		return LANG_VI;
	while (*al == ' ')
		al++;
	return strncasecmp(al, "en", 2) == 0 ? LANG_EN : LANG_VI;
}
