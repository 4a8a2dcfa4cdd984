/*
 * doc_docx.c - renders the document model to DOCX: the smallest package
 * Word and LibreOffice open ([Content_Types].xml, _rels/.rels,
 * word/document.xml, word/_rels/document.xml.rels, word/styles.xml,
 * docProps/core.xml), each part written with libxml2's xmlTextWriter and
 * the whole zipped by libzip into memory.
 *
 * The same layout as the PDF (doc_pdf.c), in Word's terms: A4, margins
 * 20/20/30/15 mm, Times New Roman 13 pt (the font Nghị định 30/2020 names;
 * a machine without it substitutes a metric twin), the header as a
 * two-column borderless table, tables with single borders whose header row
 * repeats on each page (w:tblHeader) and whose rows do not split
 * (w:cantSplit), a field's empty value as a dotted tab leader, "Nơi nhận"
 * beside the signature in another borderless table.
 *
 * Deterministic: every entry's time is the doc's created_ms, entries are
 * added in a fixed order, and nothing else varies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/xmlwriter.h>
#include <zip.h>

#include "../base/log.h"
#include "doc_int.h"

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
/* A4 and the margins in twentieths of a point. */
#define PAGE_W_TW 11906
#define PAGE_H_TW 16838
#define MARGIN_TOP 1134
#define MARGIN_BOTTOM 1134
#define MARGIN_LEFT 1701
#define MARGIN_RIGHT 850
#define TEXT_TW (PAGE_W_TW - MARGIN_LEFT - MARGIN_RIGHT)
#define BODY_HALF_PT 26 /* 13 pt */

typedef xmlTextWriterPtr W;

static void el(W w, const char *name)
{
	xmlTextWriterStartElement(w, BAD_CAST name);
}

static void end(W w)
{
	xmlTextWriterEndElement(w);
}

static void attr(W w, const char *name, const char *v)
{
	xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST v);
}

static void attri(W w, const char *name, long v)
{
	xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%ld", v);
}

/* <name w:val="v"/> */
static void val(W w, const char *name, const char *v)
{
	el(w, name);
	if (v)
		attr(w, "w:val", v);
	end(w);
}

/* Run properties for style bits and a size in half-points (0: default). */
static void rpr(W w, unsigned style, int half_pt)
{
	if (style == 0 && half_pt == 0)
		return;
	el(w, "w:rPr");
	if (style & DOC_BOLD)
		val(w, "w:b", NULL);
	if (style & DOC_ITALIC)
		val(w, "w:i", NULL);
	if (style & DOC_UNDERLINE)
		val(w, "w:u", "single");
	if (half_pt) {
		char s[16];
		snprintf(s, sizeof s, "%d", half_pt);
		val(w, "w:sz", s);
		val(w, "w:szCs", s);
	}
	end(w);
}

/* Text runs for s: '\n' becomes a line break; other control characters,
 * which XML 1.0 cannot carry, a space. */
static void runs(W w, const char *s, unsigned style, int half_pt)
{
	if (s == NULL)
		s = "";
	size_t n = strlen(s);
	char *t = malloc(n + 1);
	if (t == NULL)
		return;
	int first = 1;
	const char *p = s;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t k = nl ? (size_t)(nl - p) : strlen(p);
		for (size_t i = 0; i < k; i++) {
			unsigned char c = (unsigned char)p[i];
			t[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
		}
		t[k] = '\0';
		el(w, "w:r");
		rpr(w, style, half_pt);
		if (!first)
			el(w, "w:br"), end(w);
		el(w, "w:t");
		attr(w, "xml:space", "preserve");
		xmlTextWriterWriteString(w, BAD_CAST t);
		end(w);
		end(w);
		first = 0;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	free(t);
}

static const char *jc(enum doc_align a)
{
	return a == DOC_CENTER ? "center" : a == DOC_RIGHT ? "right" :
	       a == DOC_JUSTIFY ? "both" : "left";
}

/* <w:pPr> with alignment, spacing after (twips) and first-line indent. */
static void ppr(W w, enum doc_align a, int before, int after, int indent)
{
	el(w, "w:pPr");
	el(w, "w:spacing");
	attri(w, "w:before", before);
	attri(w, "w:after", after);
	end(w);
	if (indent) {
		el(w, "w:ind");
		attri(w, "w:firstLine", indent);
		end(w);
	}
	val(w, "w:jc", jc(a));
	end(w);
}

static void para(W w, const char *s, enum doc_align a, unsigned style,
    int half_pt, int before, int after)
{
	/* Justified text: one paragraph per line, as the PDF does (a line
	 * break inside a justified paragraph stretches the line before it). */
	const char *nl = a == DOC_JUSTIFY && s ? strchr(s, '\n') : NULL;
	if (nl) {
		char *first = strndup(s, (size_t)(nl - s));
		if (first == NULL)
			return;
		para(w, first, a, style, half_pt, before, 0);
		free(first);
		para(w, nl + 1, a, style, half_pt, 0, after);
		return;
	}
	el(w, "w:p");
	ppr(w, a, before, after, a == DOC_JUSTIFY ? 567 : 0);
	runs(w, s, style, half_pt);
	end(w);
}

static void upper_para(W w, const char *s, unsigned style, int half_pt)
{
	/* g_utf8_strup would pull glib into this file only for this: the
	 * caps are asked of Word instead (w:caps), which keeps the text as
	 * the caller gave it for editing. */
	el(w, "w:p");
	ppr(w, DOC_CENTER, 0, 0, 0);
	el(w, "w:r");
	el(w, "w:rPr");
	if (style & DOC_BOLD)
		val(w, "w:b", NULL);
	val(w, "w:caps", NULL);
	char sz[16];
	snprintf(sz, sizeof sz, "%d", half_pt);
	val(w, "w:sz", sz);
	val(w, "w:szCs", sz);
	end(w);
	el(w, "w:t");
	attr(w, "xml:space", "preserve");
	xmlTextWriterWriteString(w, BAD_CAST (s ? s : ""));
	end(w);
	end(w);
	end(w);
}

/* Table start: widths in twips, borders or none. */
static void tbl_start(W w, int ncols, const int *tw, int borders)
{
	el(w, "w:tbl");
	el(w, "w:tblPr");
	el(w, "w:tblW");
	attri(w, "w:w", TEXT_TW);
	attr(w, "w:type", "dxa");
	end(w);
	el(w, "w:tblLayout");
	attr(w, "w:type", "fixed");
	end(w);
	el(w, "w:tblBorders");
	static const char *const sides[] = { "w:top", "w:left", "w:bottom",
		"w:right", "w:insideH", "w:insideV" };
	for (size_t i = 0; i < sizeof sides / sizeof *sides; i++) {
		el(w, sides[i]);
		attr(w, "w:val", borders ? "single" : "nil");
		if (borders) {
			attr(w, "w:sz", "4");
			attr(w, "w:space", "0");
			attr(w, "w:color", "000000");
		}
		end(w);
	}
	end(w);
	el(w, "w:tblCellMar");
	el(w, "w:left");
	attri(w, "w:w", borders ? 70 : 0);
	attr(w, "w:type", "dxa");
	end(w);
	el(w, "w:right");
	attri(w, "w:w", borders ? 70 : 0);
	attr(w, "w:type", "dxa");
	end(w);
	end(w);
	end(w); /* tblPr */
	el(w, "w:tblGrid");
	for (int i = 0; i < ncols; i++) {
		el(w, "w:gridCol");
		attri(w, "w:w", tw[i]);
		end(w);
	}
	end(w);
}

static void tc_start(W w, int tw)
{
	el(w, "w:tc");
	el(w, "w:tcPr");
	el(w, "w:tcW");
	attri(w, "w:w", tw);
	attr(w, "w:type", "dxa");
	end(w);
	end(w);
}

static void widths_tw(const struct doc_block *t, int *tw)
{
	int used = 0;
	for (int i = 0; i < t->ncols; i++) {
		tw[i] = (int)(t->widths[i] * TEXT_TW);
		used += tw[i];
	}
	tw[t->ncols - 1] += TEXT_TW - used;
}

static int table_half_pt(int ncols)
{
	return ncols <= 4 ? 24 : ncols <= 7 ? 22 : 20;
}

static void row(W w, const struct doc_block *t, char *const *cells, int n,
    unsigned style, int header)
{
	int tw[DOC_MAX_COLS];
	widths_tw(t, tw);
	el(w, "w:tr");
	el(w, "w:trPr");
	val(w, "w:cantSplit", NULL);
	if (header)
		val(w, "w:tblHeader", NULL);
	end(w);
	for (int i = 0; i < t->ncols; i++) {
		tc_start(w, tw[i]);
		el(w, "w:p");
		ppr(w, header ? DOC_CENTER : DOC_LEFT, 0, 0, 0);
		runs(w, i < n ? cells[i] : NULL, style, table_half_pt(t->ncols));
		end(w);
		end(w);
	}
	end(w);
}

static void header(W w, const struct doc_block *b)
{
	int tw[2] = { TEXT_TW * 2 / 5, TEXT_TW - TEXT_TW * 2 / 5 };
	tbl_start(w, 2, tw, 0);
	el(w, "w:tr");
	tc_start(w, tw[0]);
	if (b->s[0] && b->s[0][0])
		upper_para(w, b->s[0], 0, 24);
	if (b->s[1] && b->s[1][0]) {
		upper_para(w, b->s[1], DOC_BOLD, 24);
		para(w, "―――――", DOC_CENTER, 0, 16, 0, 0);
	}
	if (b->s[2] && b->s[2][0])
		para(w, b->s[2], DOC_CENTER, 0, BODY_HALF_PT, 60, 0);
	if (!(b->s[0] && b->s[0][0]) && !(b->s[1] && b->s[1][0]) &&
	    !(b->s[2] && b->s[2][0]))
		para(w, "", DOC_CENTER, 0, 0, 0, 0); /* a cell needs a paragraph */
	end(w);
	tc_start(w, tw[1]);
	para(w, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", DOC_CENTER, DOC_BOLD, 24, 0, 0);
	para(w, "Độc lập - Tự do - Hạnh phúc", DOC_CENTER, DOC_BOLD | DOC_UNDERLINE,
	    BODY_HALF_PT, 0, 0);
	if (b->s[3] && b->s[3][0]) {
		char date[64], line[1024];
		doc_vn_date(b->ms, date, sizeof date);
		snprintf(line, sizeof line, "%s, %s", b->s[3], date);
		para(w, line, DOC_CENTER, DOC_ITALIC, BODY_HALF_PT, 120, 0);
	}
	end(w);
	end(w); /* tr */
	end(w); /* tbl */
	para(w, "", DOC_LEFT, 0, 0, 0, 120);
}

static void field(W w, const struct doc_block *b)
{
	el(w, "w:p");
	el(w, "w:pPr");
	el(w, "w:tabs");
	el(w, "w:tab");
	attr(w, "w:val", "right");
	attr(w, "w:leader", "dot");
	attri(w, "w:pos", TEXT_TW);
	end(w);
	end(w);
	el(w, "w:spacing");
	attri(w, "w:after", 80);
	end(w);
	end(w);
	size_t n = strlen(b->s[0]);
	char *label = malloc(n + 3);
	if (label) {
		memcpy(label, b->s[0], n);
		memcpy(label + n, ": ", 3);
		runs(w, label, DOC_BOLD, 0);
		free(label);
	}
	if (b->s[1] && b->s[1][0]) {
		runs(w, b->s[1], 0, 0);
	} else {
		el(w, "w:r");
		el(w, "w:tab");
		end(w);
		end(w);
	}
	end(w);
}

static void closing(W w, const struct doc_block *rec, const struct doc_block *sig)
{
	int tw[2] = { TEXT_TW / 2, TEXT_TW - TEXT_TW / 2 };
	para(w, "", DOC_LEFT, 0, 0, 0, 0);
	tbl_start(w, 2, tw, 0);
	el(w, "w:tr");
	el(w, "w:trPr");
	val(w, "w:cantSplit", NULL);
	end(w);
	tc_start(w, tw[0]);
	if (rec) {
		para(w, "Nơi nhận:", DOC_LEFT, DOC_BOLD | DOC_ITALIC, 24, 0, 0);
		for (int i = 0; i < rec->ncells; i++) {
			char line[1100];
			snprintf(line, sizeof line, "- %s;", rec->cells[i] ? rec->cells[i] : "");
			para(w, line, DOC_LEFT, 0, 22, 0, 0);
		}
	} else {
		para(w, "", DOC_LEFT, 0, 0, 0, 0);
	}
	end(w);
	tc_start(w, tw[1]);
	if (sig) {
		upper_para(w, sig->s[0], DOC_BOLD, BODY_HALF_PT);
		if (sig->s[1] && sig->s[1][0])
			para(w, sig->s[1], DOC_CENTER, DOC_ITALIC, BODY_HALF_PT, 0, 0);
		para(w, "", DOC_CENTER, 0, 0, 0, 0);
		para(w, "", DOC_CENTER, 0, 0, 0, 0);
		para(w, "", DOC_CENTER, 0, 0, 0, 0);
		para(w, sig->s[2] ? sig->s[2] : "", DOC_CENTER, DOC_BOLD, BODY_HALF_PT, 0, 0);
	} else {
		para(w, "", DOC_LEFT, 0, 0, 0, 0);
	}
	end(w);
	end(w);
	end(w);
}

static void body(W w, const struct doc *d)
{
	const struct doc_block *table = NULL;
	for (size_t i = 0; i < d->n; i++) {
		const struct doc_block *b = &d->b[i];
		if (table && b->kind != DK_ROW) {
			end(w); /* w:tbl */
			table = NULL;
			para(w, "", DOC_LEFT, 0, 0, 0, 0);
		}
		switch (b->kind) {
		case DK_HEADER:
			header(w, b);
			break;
		case DK_FORM_CODE:
			para(w, b->s[0], DOC_RIGHT, DOC_BOLD, 0, 0, 40);
			break;
		case DK_TITLE:
			para(w, b->s[0], DOC_CENTER, DOC_BOLD, 28, 120, 0);
			if (b->s[1] && b->s[1][0])
				para(w, b->s[1], DOC_CENTER, DOC_ITALIC, 0, 0, 0);
			para(w, "", DOC_LEFT, 0, 0, 0, 0);
			break;
		case DK_HEADING:
			el(w, "w:p");
			el(w, "w:pPr");
			val(w, "w:keepNext", NULL);
			el(w, "w:spacing");
			attri(w, "w:before", 80);
			attri(w, "w:after", 80);
			end(w);
			end(w);
			runs(w, b->s[0], b->level == 1 ? DOC_BOLD : DOC_BOLD | DOC_ITALIC, 0);
			end(w);
			break;
		case DK_TEXT:
			para(w, b->s[0], b->align, b->style, 0, 0, 80);
			break;
		case DK_FIELD:
			field(w, b);
			break;
		case DK_CHECK: {
			size_t n = strlen(b->s[0]);
			char *s = malloc(n + 5);
			if (s) {
				memcpy(s, b->level ? "☒ " : "☐ ", 4);
				memcpy(s + 4, b->s[0], n + 1);
				para(w, s, DOC_LEFT, 0, 0, 0, 40);
				free(s);
			}
			break;
		}
		case DK_TABLE: {
			int tw[DOC_MAX_COLS];
			widths_tw(b, tw);
			tbl_start(w, b->ncols, tw, 1);
			table = b;
			if (b->ncells > 0)
				row(w, b, b->cells, b->ncells, DOC_BOLD, 1);
			break;
		}
		case DK_ROW:
			if (table)
				row(w, table, b->cells, b->ncells, b->style, 0);
			break;
		case DK_RECIPIENTS:
			if (i + 1 < d->n && d->b[i + 1].kind == DK_SIGNATURE) {
				closing(w, b, &d->b[i + 1]);
				i++;
			} else {
				closing(w, b, NULL);
			}
			break;
		case DK_SIGNATURE:
			closing(w, NULL, b);
			break;
		case DK_PAGE_BREAK:
			el(w, "w:p");
			el(w, "w:r");
			el(w, "w:br");
			attr(w, "w:type", "page");
			end(w);
			end(w);
			end(w);
			break;
		}
	}
	if (table) {
		end(w);
		para(w, "", DOC_LEFT, 0, 0, 0, 0);
	}
}

static void part_document(W w, const struct doc *d)
{
	el(w, "w:document");
	attr(w, "xmlns:w", W_NS);
	attr(w, "xmlns:r",
	    "http://schemas.openxmlformats.org/officeDocument/2006/relationships");
	el(w, "w:body");
	body(w, d);
	el(w, "w:sectPr");
	el(w, "w:pgSz");
	attri(w, "w:w", PAGE_W_TW);
	attri(w, "w:h", PAGE_H_TW);
	end(w);
	el(w, "w:pgMar");
	attri(w, "w:top", MARGIN_TOP);
	attri(w, "w:right", MARGIN_RIGHT);
	attri(w, "w:bottom", MARGIN_BOTTOM);
	attri(w, "w:left", MARGIN_LEFT);
	attri(w, "w:header", 567);
	attri(w, "w:footer", 567);
	attri(w, "w:gutter", 0);
	end(w);
	end(w);
	end(w);
	end(w);
}

static void part_styles(W w, const struct doc *d)
{
	(void)d;
	el(w, "w:styles");
	attr(w, "xmlns:w", W_NS);
	el(w, "w:docDefaults");
	el(w, "w:rPrDefault");
	el(w, "w:rPr");
	el(w, "w:rFonts");
	attr(w, "w:ascii", "Times New Roman");
	attr(w, "w:hAnsi", "Times New Roman");
	attr(w, "w:cs", "Times New Roman");
	attr(w, "w:eastAsia", "Times New Roman");
	end(w);
	val(w, "w:sz", "26");
	val(w, "w:szCs", "26");
	el(w, "w:lang");
	attr(w, "w:val", "vi-VN");
	end(w);
	end(w);
	end(w);
	el(w, "w:pPrDefault");
	el(w, "w:pPr");
	el(w, "w:spacing");
	attr(w, "w:after", "0");
	attr(w, "w:line", "276");
	attr(w, "w:lineRule", "auto");
	end(w);
	end(w);
	end(w);
	end(w); /* docDefaults */
	el(w, "w:style");
	attr(w, "w:type", "paragraph");
	attr(w, "w:default", "1");
	attr(w, "w:styleId", "Normal");
	val(w, "w:name", "Normal");
	val(w, "w:qFormat", NULL);
	end(w);
	end(w);
}

static void part_content_types(W w, const struct doc *d)
{
	(void)d;
	el(w, "Types");
	attr(w, "xmlns", "http://schemas.openxmlformats.org/package/2006/content-types");
	el(w, "Default");
	attr(w, "Extension", "rels");
	attr(w, "ContentType", "application/vnd.openxmlformats-package.relationships+xml");
	end(w);
	el(w, "Default");
	attr(w, "Extension", "xml");
	attr(w, "ContentType", "application/xml");
	end(w);
	static const char *const ov[][2] = {
		{ "/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml" },
		{ "/word/styles.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml" },
		{ "/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml" },
	};
	for (size_t i = 0; i < sizeof ov / sizeof *ov; i++) {
		el(w, "Override");
		attr(w, "PartName", ov[i][0]);
		attr(w, "ContentType", ov[i][1]);
		end(w);
	}
	end(w);
}

static void rel(W w, const char *id, const char *type, const char *target)
{
	el(w, "Relationship");
	attr(w, "Id", id);
	attr(w, "Type", type);
	attr(w, "Target", target);
	end(w);
}

#define RELS_NS "http://schemas.openxmlformats.org/package/2006/relationships"

static void part_rels(W w, const struct doc *d)
{
	(void)d;
	el(w, "Relationships");
	attr(w, "xmlns", RELS_NS);
	rel(w, "rId1", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
	    "word/document.xml");
	rel(w, "rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
	    "docProps/core.xml");
	end(w);
}

static void part_doc_rels(W w, const struct doc *d)
{
	(void)d;
	el(w, "Relationships");
	attr(w, "xmlns", RELS_NS);
	rel(w, "rId1", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles",
	    "styles.xml");
	end(w);
}

static void part_core(W w, const struct doc *d)
{
	el(w, "cp:coreProperties");
	attr(w, "xmlns:cp", "http://schemas.openxmlformats.org/package/2006/metadata/core-properties");
	attr(w, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
	attr(w, "xmlns:dcterms", "http://purl.org/dc/terms/");
	attr(w, "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
	el(w, "dc:title");
	xmlTextWriterWriteString(w, BAD_CAST d->title);
	end(w);
	el(w, "dc:creator");
	xmlTextWriterWriteString(w, BAD_CAST "ungcuu");
	end(w);
	time_t t = (time_t)(d->created_ms / 1000);
	struct tm tm;
	char date[32] = "1980-01-01T00:00:00Z";
	if (gmtime_r(&t, &tm) != NULL)
		strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	static const char *const dates[] = { "dcterms:created", "dcterms:modified" };
	for (int i = 0; i < 2; i++) {
		el(w, dates[i]);
		attr(w, "xsi:type", "dcterms:W3CDTF");
		xmlTextWriterWriteString(w, BAD_CAST date);
		end(w);
	}
	end(w);
}

/* One XML part into a new buffer (to free with xmlBufferFree), or NULL. */
static xmlBufferPtr part(void (*fn)(W, const struct doc *), const struct doc *d)
{
	xmlBufferPtr xb = xmlBufferCreate();
	if (xb == NULL)
		return NULL;
	W w = xmlNewTextWriterMemory(xb, 0);
	if (w == NULL) {
		xmlBufferFree(xb);
		return NULL;
	}
	int rc = xmlTextWriterStartDocument(w, NULL, "UTF-8", "yes");
	if (rc >= 0) {
		fn(w, d);
		rc = xmlTextWriterEndDocument(w);
	}
	xmlFreeTextWriter(w); /* flushes into xb */
	if (rc < 0) {
		xmlBufferFree(xb);
		return NULL;
	}
	return xb;
}

int doc_docx(const struct doc *d, struct buf *out)
{
	if (d == NULL || d->failed) {
		log_error("doc: refusing to render a document that failed to build");
		return -1;
	}
	static const struct {
		const char *name;
		void (*fn)(W, const struct doc *);
	} parts[] = {
		{ "[Content_Types].xml", part_content_types },
		{ "_rels/.rels", part_rels },
		{ "word/document.xml", part_document },
		{ "word/_rels/document.xml.rels", part_doc_rels },
		{ "word/styles.xml", part_styles },
		{ "docProps/core.xml", part_core },
	};
	enum { NPARTS = sizeof parts / sizeof *parts };
	xmlBufferPtr xb[NPARTS] = { 0 };
	int rc = -1;
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = NULL;
	zip_t *za = NULL;

	for (size_t i = 0; i < NPARTS; i++) {
		xb[i] = part(parts[i].fn, d);
		if (xb[i] == NULL) {
			log_error("doc: DOCX: cannot write %s", parts[i].name);
			goto done;
		}
	}
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	if (src == NULL)
		goto zip_fail;
	za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	if (za == NULL)
		goto zip_fail;
	zip_source_keep(src); /* za owns one reference; read back after zip_close */
	/* Entry times: the document's creation time, in Vietnam time (DOS
	 * times have no zone). */
	time_t t = (time_t)((d->created_ms + 7 * 3600 * 1000LL) / 1000);
	struct tm tm;
	zip_uint16_t dtime = 0, ddate = (1 << 5) | 1; /* 1980-01-01 */
	if (gmtime_r(&t, &tm) != NULL && tm.tm_year >= 80 && tm.tm_year < 80 + 127) {
		dtime = (zip_uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
		ddate = (zip_uint16_t)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
	}
	for (size_t i = 0; i < NPARTS; i++) {
		zip_source_t *ps = zip_source_buffer(za, xmlBufferContent(xb[i]),
		    (zip_uint64_t)xmlBufferLength(xb[i]), 0);
		if (ps == NULL)
			goto zip_fail_za;
		zip_int64_t idx = zip_file_add(za, parts[i].name, ps, ZIP_FL_ENC_UTF_8);
		if (idx < 0) {
			zip_source_free(ps);
			goto zip_fail_za;
		}
		if (zip_file_set_dostime(za, (zip_uint64_t)idx, dtime, ddate, 0) < 0)
			goto zip_fail_za;
	}
	if (zip_close(za) < 0)
		goto zip_fail_za;
	za = NULL;

	zip_stat_t st;
	if (zip_source_stat(src, &st) < 0 || zip_source_open(src) < 0)
		goto zip_fail_src;
	char chunk[16384];
	zip_int64_t k;
	rc = 0;
	while ((k = zip_source_read(src, chunk, sizeof chunk)) > 0) {
		if (buf_add(out, chunk, (size_t)k) != 0) {
			log_error("doc: DOCX larger than the output allows");
			rc = -1;
			break;
		}
	}
	if (k < 0) {
		rc = -1;
		log_error("doc: DOCX: reading the archive back failed");
	}
	zip_source_close(src);
	goto done;

zip_fail_za:
	log_error("doc: DOCX: libzip: %s", zip_strerror(za));
	zip_discard(za);
	za = NULL;
	goto done;
zip_fail_src:
	log_error("doc: DOCX: libzip: %s", zip_error_strerror(zip_source_error(src)));
	goto done;
zip_fail:
	log_error("doc: DOCX: libzip: %s", zip_error_strerror(&ze));
done:
	if (src)
		zip_source_free(src);
	zip_error_fini(&ze);
	for (size_t i = 0; i < NPARTS; i++)
		if (xb[i])
			xmlBufferFree(xb[i]);
	if (rc != 0)
		buf_release(out);
	return rc;
}
