/*
 * doc.h - official documents: one small model of an administrative document
 * (Nghị định 30/2020 layout: agency and national motto header, place and
 * date line, title, numbered sections, tables, signature block), rendered
 * either to PDF (cairo + pango, A4, Noto fonts embedded) or to DOCX
 * (WordprocessingML written with libxml2, zipped with libzip) so that an
 * official can still edit it in Word or LibreOffice.
 *
 * The caller builds a doc with the doc_* calls below, in reading order, then
 * renders it. Text is UTF-8 (checked: invalid text is replaced, never
 * written as is); every call copies what it is given. The model knows
 * nothing of incidents or plans: domain code fills it (src/domain/plan/,
 * src/domain/incident/ build their forms through here).
 *
 * Rendering is deterministic for a given doc and creation time, so two
 * renders of an unchanged record are byte-identical.
 */
#ifndef UNGCUU_DOC_H
#define UNGCUU_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"

struct doc;

enum doc_align { DOC_LEFT, DOC_CENTER, DOC_RIGHT, DOC_JUSTIFY };

/* Style bits for doc_text. */
#define DOC_BOLD      1u
#define DOC_ITALIC    2u
#define DOC_UNDERLINE 4u

/* title is the document's metadata title (PDF Title, docProps/core.xml);
 * created_ms its creation time (UTC milliseconds), written into both
 * formats' metadata. Returns NULL when out of memory. */
struct doc *doc_new(const char *title, int64_t created_ms);
void doc_free(struct doc *d);

/* The header of every administrative document: on the left the issuing
 * body (parent in capitals on the first line, may be NULL; the agency in
 * bold capitals on the second) and its document number ("Số: 12/BC-UBND",
 * may be NULL); on the right "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and
 * "Độc lập - Tự do - Hạnh phúc" underlined. Then, right-aligned in italics,
 * "place, ngày D tháng M năm YYYY" for date_ms in Vietnam time (UTC+7);
 * place may be NULL to leave the line out. */
void doc_header(struct doc *d, const char *parent, const char *agency,
    const char *number, const char *place, int64_t date_ms);

/* A form's code above the title, right-aligned in bold ("Mẫu 04"). */
void doc_form_code(struct doc *d, const char *code);

/* The document's title, centred, bold, larger; subtitle (may be NULL)
 * centred below it in italics ("Kính gửi: ..." lines go through doc_text). */
void doc_title(struct doc *d, const char *title, const char *subtitle);

/* A numbered heading: level 1 ("1. ...", bold), level 2 ("1.1. ...",
 * bold italic). The number is the caller's text, part of title. */
void doc_heading(struct doc *d, int level, const char *title);

/* A paragraph. Lines in text are separated by '\n' (kept as line breaks in
 * the same paragraph). style: DOC_* bits. */
void doc_text(struct doc *d, const char *text, enum doc_align align,
    unsigned style);

/* "label: value" on one line, label in bold; an empty or NULL value is
 * written as a dotted line to fill in by hand. */
void doc_field(struct doc *d, const char *label, const char *value);

/* A check box line: "☒ label" or "☐ label". */
void doc_check(struct doc *d, int checked, const char *label);

/* Starts a table of ncols columns (1..12) whose header row is header[0..
 * ncols-1] (bold, repeated at the top of each page in PDF; NULL for no
 * header). widths are relative column widths (any positive numbers) or
 * NULL for equal columns. Rows follow with doc_row until the next call that
 * is not doc_row. */
void doc_table(struct doc *d, int ncols, const char *const *header,
    const double *widths);
/* One row: cells[0..ncols-1], NULL is empty. style DOC_BOLD makes a total
 * row. */
void doc_row(struct doc *d, const char *const *cells, unsigned style);
/* The alignment of each column of the open table's rows (align[0..ncols-1];
 * DOC_LEFT for all until called): numbers read best DOC_RIGHT or
 * DOC_CENTER. Header cells stay centred. Outside a table it is refused as
 * doc_row is. */
void doc_table_align(struct doc *d, const enum doc_align *align);

/* The signature block, right half of the page: the role in bold capitals
 * ("NGƯỜI BÁO CÁO", "CHỦ TỊCH"), a note in italics ("(Ký, ghi rõ họ tên)",
 * may be NULL), space to sign, then the name in bold. A second block on the
 * left (for "Nơi nhận:" lists) is doc_recipients. */
void doc_signature(struct doc *d, const char *role, const char *note,
    const char *name);

/* "Nơi nhận:" (recipients) in small type on the left, beside the signature
 * that follows it: lines are "- name;" each. n may be 0. */
void doc_recipients(struct doc *d, const char *const *names, int n);

void doc_page_break(struct doc *d);

/* Renders the document. Return 0, or -1 with nothing useful in out (out of
 * memory, out over its buffer's maximum, or the renderer failed: the reason
 * is logged). out must be initialised by the caller (buf_init). */
int doc_pdf(const struct doc *d, struct buf *out);
int doc_docx(const struct doc *d, struct buf *out);

/* An integer written the Vietnamese way, thousands grouped by dots:
 * 15000000 -> "15.000.000", -1500 -> "-1.500". out holds at least 32. */
void doc_format_int(int64_t v, char *out, size_t n);

/* Media types and file extensions, for the API and the CLI. */
#define DOC_PDF_TYPE  "application/pdf"
#define DOC_DOCX_TYPE \
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#endif
