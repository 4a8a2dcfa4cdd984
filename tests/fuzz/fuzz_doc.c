/*
 * fuzz_doc.c - the document model and its renderers (src/doc/) on
 * arbitrary text: every field of a record a person typed ends up in a
 * document. The input is split on 0x1e into pieces; the first byte of each
 * piece picks a call (header, title, heading, text, field, check, table,
 * row, column alignments, recipients, signature, page break) and the rest
 * is its text (cells split on 0x1f). Both renderers must succeed on
 * whatever the model accepted, give the same bytes twice, and the DOCX must
 * be a zip whose XML parts libxml2 reads back without an error (no control
 * character, no broken UTF-8 or escaping).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <zip.h>

#include "base/buf.h"
#include "doc/doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
const char *__lsan_default_suppressions(void);

/* fontconfig keeps what it loads (a font first needed for some character)
 * behind tagged pointers LeakSanitizer cannot follow: between two inputs
 * that looks like a leak. At exit it is all freed (doc_pdf.c's atexit), and
 * the unit tests run with leak detection and no suppression. */
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

#define MAX_PIECES 64

static void check_docx(const struct buf *b)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(b->p, b->len, 0, &ze);
	if (src == NULL)
		abort();
	zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (za == NULL)
		abort(); /* not a zip */
	zip_int64_t entries = zip_get_num_entries(za, 0);
	if (entries < 6)
		abort();
	for (zip_int64_t i = 0; i < entries; i++) {
		zip_stat_t st;
		if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) != 0)
			abort();
		char *x = malloc(st.size + 1);
		zip_file_t *f = zip_fopen_index(za, (zip_uint64_t)i, 0);
		if (x == NULL || f == NULL || zip_fread(f, x, st.size) != (zip_int64_t)st.size)
			abort();
		zip_fclose(f);
		xmlDocPtr doc = xmlReadMemory(x, (int)st.size, st.name, NULL,
		    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		if (doc == NULL)
			abort(); /* a part that is not well-formed XML */
		xmlFreeDoc(doc);
		free(x);
	}
	zip_close(za);
	zip_error_fini(&ze);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if (n > 64 * 1024)
		return 0;
	char *s = malloc(n + 1);
	if (s == NULL)
		return 0;
	memcpy(s, d, n);
	s[n] = '\0'; /* text stops at a NUL, as a C string does */
	char *pieces[MAX_PIECES];
	int np = 0;
	for (char *p = s; np < MAX_PIECES;) {
		pieces[np++] = p;
		char *e = strchr(p, 0x1e);
		if (e == NULL)
			break;
		*e = '\0';
		p = e + 1;
	}
	struct doc *doc = doc_new(pieces[0], 1796601600000LL);
	if (doc == NULL) {
		free(s);
		return 0;
	}
	int ncols = 0;
	for (int i = 1; i < np; i++) {
		unsigned char op = (unsigned char)pieces[i][0];
		char *t = pieces[i][0] ? pieces[i] + 1 : pieces[i];
		const char *cells[12] = { 0 };
		int nc = 0;
		for (char *c = t; nc < 12;) {
			cells[nc++] = c;
			char *e = strchr(c, 0x1f);
			if (e == NULL)
				break;
			*e = '\0';
			c = e + 1;
		}
		switch (op % 14) {
		case 0: doc_header(doc, cells[0], cells[1], cells[2], cells[3], (int64_t)op * 86400000LL); break;
		case 1: doc_form_code(doc, t); break;
		case 2: doc_title(doc, cells[0], cells[1]); break;
		case 3: doc_heading(doc, op & 1 ? 1 : 2, t); break;
		case 4: doc_text(doc, t, (enum doc_align)(op % 4), op % 8); break;
		case 5: doc_field(doc, cells[0], cells[1]); break;
		case 6: doc_check(doc, op & 1, t); break;
		case 7: {
			double w[12];
			for (int k = 0; k < 12; k++)
				w[k] = (double)((op + k) % 5);
			ncols = nc;
			doc_table(doc, nc, op & 1 ? cells : NULL, op & 2 ? w : NULL);
			break;
		}
		case 8:
			if (ncols > 0 && nc >= ncols)
				doc_row(doc, cells, op & 1 ? DOC_BOLD : 0);
			break;
		case 9: {
			enum doc_align a[12];
			for (int k = 0; k < 12; k++)
				a[k] = (enum doc_align)((op + k) % 4);
			if (ncols > 0)
				doc_table_align(doc, a);
			break;
		}
		case 10: doc_recipients(doc, cells, nc); break;
		case 11: doc_signature(doc, cells[0], cells[1], cells[2]); break;
		case 12: doc_page_break(doc); break;
		default: doc_text(doc, t, DOC_JUSTIFY, 0); break;
		}
		if (op % 14 != 8 && op % 14 != 9 && op % 14 != 7)
			ncols = 0;
	}
	struct buf a, b;
	buf_init(&a, 64u << 20);
	buf_init(&b, 64u << 20);
	int ra = doc_pdf(doc, &a), rb = doc_pdf(doc, &b);
	if (ra != rb || (ra == 0 && (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)))
		abort(); /* not deterministic */
	buf_release(&a);
	buf_release(&b);
	ra = doc_docx(doc, &a);
	rb = doc_docx(doc, &b);
	if (ra != rb || (ra == 0 && (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)))
		abort();
	if (ra == 0)
		check_docx(&a);
	buf_release(&a);
	buf_release(&b);
	doc_free(doc);
	free(s);
	return 0;
}
