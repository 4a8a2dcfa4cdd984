/*
 * doc_int.h - the document model shared by doc.c (building) and the two
 * renderers (doc_pdf.c, doc_docx.c). Not for callers outside src/doc/.
 */
#ifndef UNGCUU_DOC_INT_H
#define UNGCUU_DOC_INT_H

#include "doc.h"

enum doc_kind {
	DK_HEADER,      /* s[0] parent, s[1] agency, s[2] number, s[3] place; ms date */
	DK_FORM_CODE,   /* s[0] */
	DK_TITLE,       /* s[0] title, s[1] subtitle */
	DK_HEADING,     /* s[0]; level */
	DK_TEXT,        /* s[0]; align, style */
	DK_FIELD,       /* s[0] label, s[1] value */
	DK_CHECK,       /* s[0] label; level = checked */
	DK_TABLE,       /* ncols; cells = header (ncols, may be all NULL); widths */
	DK_ROW,         /* ncols (of its table); cells; style */
	DK_SIGNATURE,   /* s[0] role, s[1] note, s[2] name */
	DK_RECIPIENTS,  /* ncells names in cells */
	DK_PAGE_BREAK,
};

#define DOC_MAX_COLS 12

struct doc_block {
	enum doc_kind kind;
	char *s[4];
	int level;
	enum doc_align align;
	unsigned style;
	int64_t ms;
	int ncols;          /* tables and rows */
	int ncells;         /* entries in cells */
	char **cells;
	double widths[DOC_MAX_COLS]; /* tables: fractions summing to 1 */
	enum doc_align aligns[DOC_MAX_COLS]; /* tables: of the rows' cells */
};

struct doc {
	char *title;
	int64_t created_ms;
	struct doc_block *b;
	size_t n, cap;
	int failed;         /* an allocation failed: rendering refuses */
	int table_cols;     /* columns of the open table, 0 when none */
};

/* "ngày 7 tháng 12 năm 2026" for ms in Vietnam time, into out. */
void doc_vn_date(int64_t ms, char *out, size_t n);

#endif
