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

int msg_lang_from(const char *al)
{
	if (al == NULL)
		return LANG_VI;
	while (*al == ' ')
		al++;
	return strncasecmp(al, "en", 2) == 0 ? LANG_EN : LANG_VI;
}
