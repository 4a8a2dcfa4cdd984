/*
 * doc.c - building the document model (doc.h). The renderers are
 * doc_pdf.c and doc_docx.c; they read the blocks through doc_int.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/timeutil.h"
#include "../base/utf8.h"
#include "doc_int.h"

/* A copy of s with invalid UTF-8 bytes replaced by '?', or NULL for NULL. */
static char *dup_text(struct doc *d, const char *s)
{
	if (s == NULL)
		return NULL;
	size_t n = strlen(s);
	char *c = malloc(n + 1);
	if (c == NULL) {
		d->failed = 1;
		return NULL;
	}
	size_t i = 0;
	while (i < n) {
		size_t k = utf8_seq((const unsigned char *)s + i, n - i);
		if (k == 0) {
			c[i] = '?';
			i++;
			continue;
		}
		memcpy(c + i, s + i, k);
		i += k;
	}
	c[n] = '\0';
	return c;
}

static struct doc_block *add(struct doc *d, enum doc_kind kind)
{
	if (d == NULL || d->failed)
		return NULL;
	if (kind != DK_ROW)
		d->table_cols = 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct doc_block *b = realloc(d->b, cap * sizeof *b);
		if (b == NULL) {
			d->failed = 1;
			return NULL;
		}
		d->b = b;
		d->cap = cap;
	}
	struct doc_block *b = &d->b[d->n++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	return b;
}

static void set_cells(struct doc *d, struct doc_block *b,
    const char *const *cells, int n)
{
	b->cells = calloc((size_t)(n ? n : 1), sizeof *b->cells);
	if (b->cells == NULL) {
		d->failed = 1;
		return;
	}
	b->ncells = n;
	for (int i = 0; i < n; i++)
		b->cells[i] = cells ? dup_text(d, cells[i]) : NULL;
}

struct doc *doc_new(const char *title, int64_t created_ms)
{
	struct doc *d = calloc(1, sizeof *d);
	if (d == NULL)
		return NULL;
	d->title = dup_text(d, title ? title : "");
	d->created_ms = created_ms;
	if (d->failed) {
		doc_free(d);
		return NULL;
	}
	return d;
}

void doc_free(struct doc *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct doc_block *b = &d->b[i];
		for (int k = 0; k < 4; k++)
			free(b->s[k]);
		for (int k = 0; k < b->ncells; k++)
			free(b->cells[k]);
		free(b->cells);
	}
	free(d->b);
	free(d->title);
	free(d);
}

void doc_vn_date(int64_t ms, char *out, size_t n)
{
	int64_t days = (ms + 7 * 3600 * 1000LL) / 86400000LL;
	if (ms + 7 * 3600 * 1000LL < 0 && (ms + 7 * 3600 * 1000LL) % 86400000LL)
		days--;
	int y;
	unsigned m, dd;
	time_civil_from_days(days, &y, &m, &dd);
	snprintf(out, n, "ngày %u tháng %u năm %d", dd, m, y);
}

void doc_format_int(int64_t v, char *out, size_t n)
{
	char raw[32];
	snprintf(raw, sizeof(raw), "%lld", (long long)v);
	const char *digits = raw[0] == '-' ? raw + 1 : raw;
	size_t len = strlen(digits), k = 0;
	if (n == 0)
		return;
	if (raw[0] == '-' && k + 1 < n)
		out[k++] = '-';
	for (size_t i = 0; i < len && k + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[k++] = '.';
		out[k++] = digits[i];
	}
	out[k] = '\0';
}

void doc_header(struct doc *d, const char *parent, const char *agency,
    const char *number, const char *place, int64_t date_ms)
{
	struct doc_block *b = add(d, DK_HEADER);
	if (b == NULL)
		return;
	b->s[0] = dup_text(d, parent);
	b->s[1] = dup_text(d, agency);
	b->s[2] = dup_text(d, number);
	b->s[3] = dup_text(d, place);
	b->ms = date_ms;
}

void doc_form_code(struct doc *d, const char *code)
{
	struct doc_block *b = add(d, DK_FORM_CODE);
	if (b)
		b->s[0] = dup_text(d, code);
}

void doc_title(struct doc *d, const char *title, const char *subtitle)
{
	struct doc_block *b = add(d, DK_TITLE);
	if (b == NULL)
		return;
	b->s[0] = dup_text(d, title);
	b->s[1] = dup_text(d, subtitle);
}

void doc_heading(struct doc *d, int level, const char *title)
{
	struct doc_block *b = add(d, DK_HEADING);
	if (b == NULL)
		return;
	b->s[0] = dup_text(d, title);
	b->level = level < 1 ? 1 : level > 2 ? 2 : level;
}

void doc_text(struct doc *d, const char *text, enum doc_align align,
    unsigned style)
{
	struct doc_block *b = add(d, DK_TEXT);
	if (b == NULL)
		return;
	b->s[0] = dup_text(d, text ? text : "");
	b->align = align;
	b->style = style;
}

void doc_field(struct doc *d, const char *label, const char *value)
{
	struct doc_block *b = add(d, DK_FIELD);
	if (b == NULL)
		return;
	b->s[0] = dup_text(d, label ? label : "");
	b->s[1] = dup_text(d, value);
}

void doc_check(struct doc *d, int checked, const char *label)
{
	struct doc_block *b = add(d, DK_CHECK);
	if (b == NULL)
		return;
	b->s[0] = dup_text(d, label ? label : "");
	b->level = checked != 0;
}

void doc_table(struct doc *d, int ncols, const char *const *header,
    const double *widths)
{
	if (ncols < 1 || ncols > DOC_MAX_COLS) {
		if (d)
			d->failed = 1;
		return;
	}
	struct doc_block *b = add(d, DK_TABLE);
	if (b == NULL)
		return;
	b->ncols = ncols;
	set_cells(d, b, header, header ? ncols : 0);
	double sum = 0;
	for (int i = 0; i < ncols; i++)
		sum += widths && widths[i] > 0 ? widths[i] : 1.0;
	for (int i = 0; i < ncols; i++)
		b->widths[i] = (widths && widths[i] > 0 ? widths[i] : 1.0) / sum;
	d->table_cols = ncols;
}

void doc_row(struct doc *d, const char *const *cells, unsigned style)
{
	if (d == NULL || d->failed)
		return;
	int ncols = d->table_cols;
	if (ncols == 0) {
		d->failed = 1; /* a row outside a table is the caller's bug */
		return;
	}
	struct doc_block *b = add(d, DK_ROW);
	if (b == NULL)
		return;
	b->ncols = ncols;
	b->style = style;
	set_cells(d, b, cells, ncols);
}

void doc_table_align(struct doc *d, const enum doc_align *align)
{
	if (d == NULL || d->failed)
		return;
	if (d->table_cols == 0 || align == NULL) {
		d->failed = 1; /* no open table: the caller's bug */
		return;
	}
	for (size_t i = d->n; i > 0; i--) {
		struct doc_block *t = &d->b[i - 1];
		if (t->kind != DK_TABLE)
			continue;
		for (int k = 0; k < t->ncols; k++)
			t->aligns[k] = align[k] >= DOC_LEFT && align[k] <= DOC_JUSTIFY ?
			    align[k] : DOC_LEFT;
		return;
	}
}

void doc_signature(struct doc *d, const char *role, const char *note,
    const char *name)
{
	struct doc_block *b = add(d, DK_SIGNATURE);
	if (b == NULL)
		return;
	b->s[0] = dup_text(d, role);
	b->s[1] = dup_text(d, note);
	b->s[2] = dup_text(d, name);
}

void doc_recipients(struct doc *d, const char *const *names, int n)
{
	struct doc_block *b = add(d, DK_RECIPIENTS);
	if (b)
		set_cells(d, b, names, n < 0 ? 0 : n);
}

void doc_page_break(struct doc *d)
{
	add(d, DK_PAGE_BREAK);
}
