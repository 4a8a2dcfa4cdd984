/*
 * page.h - keyset paging for the lists that are not the incident queue
 * (systems, hosts, findings, warnings, hunts): a sort from the list's
 * whitelist, its order, a bounded limit, and an opaque cursor that names the
 * position after the last row of the previous page (the sort's name, that
 * row's sort key and its id), so a page is a range of the sort's order: no
 * row repeated or skipped when rows before it are added or removed.
 *
 * A list's SELECT ends with its sort key as one more column; page_sql adds
 * the cursor's condition and the ORDER BY ... LIMIT after the caller's WHERE,
 * with the cursor's two values as text placeholders $n and $n+1 (bound from
 * page_bind_key and page_bind_id; an integer key is cast in SQL).
 */
#ifndef UNGCUU_PAGE_H
#define UNGCUU_PAGE_H

#include "domain.h"
#include "../base/buf.h"

struct page_key {
	const char *name;   /* ?sort= */
	const char *expr;   /* SQL over the list's aliases; never NULL (COALESCE) */
	char type;          /* 'i' integer, 't' text */
	int desc;           /* the default order */
};

/* What a list request asks of its page: ?sort, ?order, ?cursor, ?limit. */
struct page_ask {
	const char *sort, *order, *cursor;
	int limit;
};

struct page {
	const struct page_key *key;
	int desc, limit;
	int after;                          /* a cursor was given */
	char after_key[LIMIT_PAGE_KEY + 1]; /* its sort key as text */
	char after_id[UUID_LEN];
};

/* Resolves sort (NULL: the first key), order ("asc"|"desc"|NULL), cursor
 * and limit (0: LIMIT_PAGE_DEFAULT; the caller bounds it) against keys,
 * a NULL-terminated whitelist. A 422 names /sort, /order or /cursor. */
int page_begin(const struct page_key *keys, const char *sort, const char *order,
	       const char *cursor, int limit, struct page *p, struct err *e);
/* ", <key>": the last column of the caller's SELECT. */
void page_column(const struct page *p, struct buf *sql);
/* After the caller's WHERE: the cursor's range (placeholders $n, $n+1) and
 * ORDER BY key, idcol LIMIT limit + 1. */
void page_sql(const struct page *p, const char *idcol, int n, struct buf *sql);
const char *page_bind_key(const struct page *p);
const char *page_bind_id(const struct page *p);
/* {"items": [...], "next_cursor": "..." | null} from the rows of st (at
 * most limit + 1): key_col is the sort key's column, id_col the id's. */
json_t *page_items(const struct page *p, struct stmt *st, int key_col, int id_col,
		   json_t *(*row)(struct stmt *), struct err *e);

#endif
