/* page.c - keyset paging for the lists (see page.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "../base/msg.h"
#include "../base/utf8.h"
#include "../base/banned.h"

/* The cursor: "<sort>.<key>.<id>", the key in decimal for an integer sort
 * and as its text for a text one, a backslash written \\ and a control
 * character \xNN: short enough for a query parameter (2,048 bytes) with an
 * organisation's path and a name, and readable by the strict query reader,
 * which refuses control characters. */
#define CURSOR_MAX (64 + LIMIT_PAGE_KEY + UUID_LEN + 2)

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int bad_cursor(struct err *e)
{
	return err_field(e, "/cursor", MSG_BAD_VALUE, "cursor");
}

static int parse_cursor(const char *cursor, struct page *p, struct err *e)
{
	size_t n = strlen(cursor), ln = strlen(p->key->name);
	if (n > CURSOR_MAX || n < ln + 2 + UUID_LEN - 1 || strncmp(cursor, p->key->name, ln) != 0 ||
	    cursor[ln] != '.')
		return bad_cursor(e);   /* also a cursor of another sort */
	const char *k = cursor + ln + 1, *dot = strrchr(cursor, '.');
	if (dot < k || !uuid_valid(dot + 1))
		return bad_cursor(e);
	size_t kl = (size_t)(dot - k);
	snprintf(p->after_id, sizeof(p->after_id), "%s", dot + 1);
	if (p->key->type == 'i') {
		size_t i = k[0] == '-';
		if (kl == i || kl > 19)
			return bad_cursor(e);
		for (; i < kl; i++)
			if (k[i] < '0' || k[i] > '9')
				return bad_cursor(e);
		memcpy(p->after_key, k, kl);
		p->after_key[kl] = '\0';
	} else {
		size_t o = 0;
		for (size_t i = 0; i < kl; i++) {
			unsigned char ch = (unsigned char)k[i];
			if (ch == '\\' && i + 1 < kl && k[i + 1] == '\\') {
				i++;
			} else if (ch == '\\' && i + 3 < kl && k[i + 1] == 'x' &&
				   hexval(k[i + 2]) >= 0 && hexval(k[i + 3]) >= 0) {
				ch = (unsigned char)(hexval(k[i + 2]) << 4 | hexval(k[i + 3]));
				if (ch == 0 || (ch >= 0x20 && ch != 0x7f))
					return bad_cursor(e);   /* only what the writer escapes */
				i += 3;
			} else if (ch == '\\' || ch < 0x20 || ch == 0x7f) {
				return bad_cursor(e);
			}
			if (o == LIMIT_PAGE_KEY)
				return bad_cursor(e);
			p->after_key[o++] = (char)ch;
		}
		p->after_key[o] = '\0';
		if (!utf8_valid(p->after_key, o))
			return bad_cursor(e);
	}
	p->after = 1;
	return 0;
}

int page_begin(const struct page_key *keys, const char *sort, const char *order,
	       const char *cursor, int limit, struct page *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	p->key = keys;
	if (sort) {
		for (p->key = keys; p->key->name && strcmp(p->key->name, sort) != 0; p->key++)
			;
		if (p->key->name == NULL)
			return err_field(e, "/sort", MSG_BAD_VALUE, sort);
	}
	p->desc = p->key->desc;
	if (order && strcmp(order, "asc") == 0)
		p->desc = 0;
	else if (order && strcmp(order, "desc") == 0)
		p->desc = 1;
	else if (order)
		return err_field(e, "/order", MSG_BAD_VALUE, "asc, desc");
	p->limit = limit > 0 ? limit : LIMIT_PAGE_DEFAULT;
	return cursor ? parse_cursor(cursor, p, e) : 0;
}

void page_column(const struct page *p, struct buf *sql)
{
	buf_adds(sql, ", ");
	buf_adds(sql, p->key->expr);
	buf_adds(sql, " ");
}

void page_sql(const struct page *p, const char *idcol, int n, struct buf *sql)
{
	const char *dir = p->desc ? "DESC" : "ASC";
	if (p->after) {
		buf_adds(sql, " AND (");
		buf_adds(sql, p->key->expr);
		if (p->key->type == 'i')
			buf_printf(sql, ", %s) %s (CAST($%d AS BIGINT), $%d)", idcol,
				   p->desc ? "<" : ">", n, n + 1);
		else
			buf_printf(sql, ", %s) %s ($%d, $%d)", idcol, p->desc ? "<" : ">", n, n + 1);
	}
	buf_adds(sql, " ORDER BY ");
	buf_adds(sql, p->key->expr);
	buf_printf(sql, " %s, %s %s LIMIT %d", dir, idcol, dir, p->limit + 1);
}

const char *page_bind_key(const struct page *p)
{
	return p->after ? p->after_key : NULL;
}

const char *page_bind_id(const struct page *p)
{
	return p->after ? p->after_id : NULL;
}

/* The cursor after the current row of st. */
static json_t *cursor_of(const struct page *p, struct stmt *st, int key_col, int id_col)
{
	struct buf b;
	buf_init(&b, CURSOR_MAX + 1);
	buf_printf(&b, "%s.", p->key->name);
	if (p->key->type == 'i') {
		buf_printf(&b, "%lld", (long long)stmt_int(st, key_col));
	} else {
		static const char hex[] = "0123456789abcdef";
		const unsigned char *k = (const unsigned char *)stmt_text(st, key_col);
		for (; k && *k; k++) {
			if (*k == '\\') {
				buf_add(&b, "\\\\", 2);
			} else if (*k < 0x20 || *k == 0x7f) {
				char four[4] = { '\\', 'x', hex[*k >> 4], hex[*k & 15] };
				buf_add(&b, four, 4);
			} else {
				buf_add(&b, (const char *)k, 1);
			}
		}
	}
	buf_printf(&b, ".%s", stmt_text(st, id_col));
	json_t *j = b.p ? json_string(b.p) : NULL;
	buf_release(&b);
	return j;
}

json_t *page_items(const struct page *p, struct stmt *st, int key_col, int id_col,
		   json_t *(*row)(struct stmt *), struct err *e)
{
	json_t *items = json_array(), *last = NULL;
	int rc, n = 0, more = 0;
	while ((rc = stmt_step(st, e)) == 1) {
		if (n == p->limit) {
			more = 1;   /* the row after the page: there is a next one */
			break;
		}
		json_t *r = row(st);
		if (r == NULL) {
			rc = err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
			break;
		}
		json_array_append_new(items, r);
		if (++n == p->limit && (last = cursor_of(p, st, key_col, id_col)) == NULL) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		json_decref(last);
		return NULL;
	}
	if (!more) {
		json_decref(last);
		last = NULL;
	}
	return json_pack("{s:o, s:o}", "items", items, "next_cursor", last ? last : json_null());
}
