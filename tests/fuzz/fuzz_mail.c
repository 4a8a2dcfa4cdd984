/*
 * fuzz_mail.c - the email intake's readers (domain/duty/mail_parse.c,
 * mau03.c) on bytes from a mailbox: mail_parse on the whole input (with a
 * small attachment bound so that both sides of it are reached), and
 * mau03_read on the body it found or, when it refused, on the input as
 * text. Invariants: a refusal is one of the known reasons with a message;
 * an accepted message has a sender address, UTF-8 subject and body,
 * attachments within their bound with safe names; the heading reader
 * returns an object whose every string is UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "domain/duty/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void check_utf8(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;
	if (json_is_string(j) && !utf8_valid(json_string_value(j), json_string_length(j)))
		abort();
	if (json_is_object(j))
		json_object_foreach(j, k, v)
			check_utf8(v);
	if (json_is_array(j))
		json_array_foreach(j, i, v)
			check_utf8(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct mail_msg m;
	struct err e = { 0 };
	int r = mail_parse(d, n, 4096, &m, &e);
	json_t *f;
	if (r != MAIL_OK) {
		if (r < 0 || e.code == E_OK || strcmp(mail_refusal_code(r), "") == 0)
			abort();
		char *text = malloc(n + 1);
		memcpy(text, d, n);
		text[n] = '\0';
		f = utf8_valid(text, strlen(text)) ? mau03_read(text) : json_object();
		free(text);
	} else {
		if (m.from[0] == '\0' || strchr(m.from, '@') == NULL || m.body == NULL ||
		    !utf8_valid(m.body, strlen(m.body)) || !utf8_valid(m.subject, strlen(m.subject)))
			abort();
		for (size_t i = 0; i < m.natt; i++)
			if (m.att[i].n > 4096 || m.att[i].name[0] == '\0' ||
			    strchr(m.att[i].name, '/') || strchr(m.att[i].name, '\\'))
				abort();
		f = mau03_read(m.body);
	}
	if (!json_is_object(f))
		abort();
	check_utf8(f);
	json_decref(f);
	mail_msg_release(&m);
	return 0;
}
