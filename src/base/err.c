/* err.c - filling and rendering struct err. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "msg.h"
#include "banned.h"

static void copy(char *dst, size_t n, const char *src)
{
	size_t l = src ? strlen(src) : 0;
	if (l >= n)
		l = n - 1;
	if (l)
		memcpy(dst, src, l);
	dst[l] = '\0';
}

int err_set(struct err *e, int code, int msg, const char *arg)
{
	if (e == NULL)
		return -1;
	e->code = code;
	e->msg = msg;
	copy(e->arg, sizeof(e->arg), arg);
	return -1;
}

int err_field(struct err *e, const char *pointer, int msg, const char *arg)
{
	if (e == NULL)
		return -1;
	if (e->code == E_OK) {
		e->code = E_INVALID;
		e->msg = MSG_INVALID_INPUT;
		e->arg[0] = '\0';
	}
	if (e->nfields < ERR_MAX_FIELDS) {
		struct err_field *f = &e->fields[e->nfields++];
		copy(f->pointer, sizeof(f->pointer), pointer);
		f->msg = msg;
		copy(f->arg, sizeof(f->arg), arg);
	}
	return -1;
}

void err_clear(struct err *e)
{
	memset(e, 0, sizeof(*e));
}

const char *err_text(const struct err *e, int lang, char *out, size_t n)
{
	/* A refusal names roles as a person reads them, not their codes. */
	if (e->msg == MSG_FORBIDDEN_ROLE) {
		char names[320];
		return msg_format(e->msg, lang, msg_roles(e->arg, lang, names, sizeof(names)), out, n);
	}
	return msg_format(e->msg, lang, e->arg, out, n);
}
