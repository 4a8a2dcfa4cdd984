/*
 * doc_pdf.c - renders the document model to PDF with cairo + pango.
 *
 * Layout (Nghị định 30/2020, Phụ lục I): A4 portrait, margins top 20 mm,
 * bottom 20 mm, left 30 mm, right 15 mm; "Noto Serif" 13 pt body (it has
 * every Vietnamese precomposed letter; cairo embeds the subset of glyphs
 * used), page numbers centred in the top margin from the second page on.
 * The header is two columns: the issuing body on the left (a short rule
 * under the agency's name), the national title and motto on the right (the
 * motto underlined by a rule as long as it), the place and date line under
 * them. Tables have a border on every cell; a row that does not fit goes to
 * the next page, where the header row is drawn again. "Nơi nhận" and the
 * signature that follows it sit side by side and are never split.
 *
 * The renderer walks the blocks once, with a cursor y on the current page.
 * Everything is drawn in points with an identity matrix. Fonts: one pango
 * font map for the process (a pango font map is not thread-safe, and one per
 * server thread would each load fontconfig's cache), so renders take turns
 * under a mutex; at exit the map and fontconfig's caches are freed, which
 * keeps LeakSanitizer quiet about them. Determinism: the
 * PDF's creation date is the doc's created_ms (cairo would otherwise write
 * the wall clock); nothing else in cairo's output depends on time.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "../base/log.h"
#include "doc_int.h"

#define MM(x) ((x) * 72.0 / 25.4)
#define PAGE_W 595.276
#define PAGE_H 841.890
#define M_TOP MM(20)
#define M_BOTTOM MM(20)
#define M_LEFT MM(30)
#define M_RIGHT MM(15)
#define TEXT_W (PAGE_W - M_LEFT - M_RIGHT)
#define Y_END (PAGE_H - M_BOTTOM)

#define FONT "Noto Serif"
#define BODY_PT 13.0
#define PARA_AFTER 4.0
#define CELL_PAD 3.0

struct pdf {
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoContext *ctx;
	PangoLayout *lay;       /* reused for every piece of text */
	double y;               /* cursor on the current page */
	int page;               /* 1-based */
	const struct doc_block *table;  /* the table the rows belong to */
};

static cairo_status_t write_out(void *closure, const unsigned char *data,
    unsigned int len)
{
	struct buf *out = closure;
	return buf_add(out, data, len) == 0 ? CAIRO_STATUS_SUCCESS
					    : CAIRO_STATUS_WRITE_ERROR;
}

/* Sets up p->lay for text at width w (points), size pt, style bits, align. */
static void setup(struct pdf *p, const char *text, double w, double pt,
    unsigned style, enum doc_align align)
{
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, FONT);
	pango_font_description_set_absolute_size(fd, pt * PANGO_SCALE);
	pango_font_description_set_weight(fd, (style & DOC_BOLD) ?
	    PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_font_description_set_style(fd, (style & DOC_ITALIC) ?
	    PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
	pango_layout_set_font_description(p->lay, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(p->lay, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(p->lay, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_indent(p->lay, 0);
	pango_layout_set_justify(p->lay, align == DOC_JUSTIFY);
	pango_layout_set_alignment(p->lay, align == DOC_CENTER ? PANGO_ALIGN_CENTER :
	    align == DOC_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
	PangoAttrList *al = pango_attr_list_new();
	if (style & DOC_UNDERLINE)
		pango_attr_list_insert(al, pango_attr_underline_new(PANGO_UNDERLINE_SINGLE));
	pango_layout_set_attributes(p->lay, al);
	pango_attr_list_unref(al);
	pango_layout_set_text(p->lay, text ? text : "", -1);
}

static double lay_height(struct pdf *p)
{
	int w, h;
	pango_layout_get_size(p->lay, &w, &h);
	return (double)h / PANGO_SCALE;
}

static double lay_width(struct pdf *p)
{
	PangoRectangle ink, log;
	pango_layout_get_extents(p->lay, &ink, &log);
	return (double)log.width / PANGO_SCALE;
}

static void draw_at(struct pdf *p, double x, double y)
{
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, p->lay);
}

static void hline(struct pdf *p, double x0, double x1, double y, double w)
{
	cairo_set_line_width(p->cr, w);
	cairo_move_to(p->cr, x0, y);
	cairo_line_to(p->cr, x1, y);
	cairo_stroke(p->cr);
}

static void new_page(struct pdf *p)
{
	cairo_show_page(p->cr);
	p->page++;
	p->y = M_TOP;
	char num[16];
	snprintf(num, sizeof num, "%d", p->page);
	setup(p, num, TEXT_W, BODY_PT, 0, DOC_CENTER);
	draw_at(p, M_LEFT, MM(8));
}

/* Makes room for h points, on a new page if the current one has not. */
static void need(struct pdf *p, double h)
{
	if (p->y + h > Y_END && p->y > M_TOP + 0.5)
		new_page(p);
}

/* Draws p->lay at x from the cursor, line by line, going to a new page
 * between two lines when the next does not fit. */
static void flow(struct pdf *p, double x)
{
	PangoLayoutIter *it = pango_layout_get_iter(p->lay);
	double top = p->y; /* page y of the layout's origin */
	do {
		int y0, y1;
		pango_layout_iter_get_line_yrange(it, &y0, &y1);
		double ly0 = (double)y0 / PANGO_SCALE, ly1 = (double)y1 / PANGO_SCALE;
		if (top + ly1 > Y_END && top + ly0 > M_TOP + 0.5) {
			new_page(p);
			top = M_TOP - ly0;
		}
		PangoRectangle lr;
		pango_layout_iter_get_line_extents(it, NULL, &lr);
		double base = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
		cairo_move_to(p->cr, x + (double)lr.x / PANGO_SCALE, top + base);
		pango_cairo_show_layout_line(p->cr, pango_layout_iter_get_line_readonly(it));
		p->y = top + ly1;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

/* Upper-cased copy (Vietnamese letters included), to free with g_free. */
static char *upper(const char *s)
{
	return g_utf8_strup(s ? s : "", -1);
}

static void do_header(struct pdf *p, const struct doc_block *b)
{
	const double lw = TEXT_W * 0.40, rw = TEXT_W - lw;
	const double lx = M_LEFT, rx = M_LEFT + lw;
	double ly = p->y, ry = p->y;
	if (b->s[0] && b->s[0][0]) {
		char *u = upper(b->s[0]);
		setup(p, u, lw, 12, 0, DOC_CENTER);
		g_free(u);
		draw_at(p, lx, ly);
		ly += lay_height(p);
	}
	if (b->s[1] && b->s[1][0]) {
		char *u = upper(b->s[1]);
		setup(p, u, lw, 12, DOC_BOLD, DOC_CENTER);
		g_free(u);
		draw_at(p, lx, ly);
		ly += lay_height(p);
		double tw = lay_width(p) / 3;
		if (tw < 30)
			tw = 30;
		hline(p, lx + lw / 2 - tw / 2, lx + lw / 2 + tw / 2, ly + 1, 0.6);
		ly += 6;
	}
	if (b->s[2] && b->s[2][0]) {
		setup(p, b->s[2], lw, BODY_PT, 0, DOC_CENTER);
		draw_at(p, lx, ly + 2);
		ly += lay_height(p) + 2;
	}
	setup(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", rw, 12, DOC_BOLD, DOC_CENTER);
	draw_at(p, rx, ry);
	ry += lay_height(p);
	setup(p, "Độc lập - Tự do - Hạnh phúc", rw, BODY_PT, DOC_BOLD, DOC_CENTER);
	draw_at(p, rx, ry);
	ry += lay_height(p);
	double tw = lay_width(p);
	hline(p, rx + rw / 2 - tw / 2, rx + rw / 2 + tw / 2, ry + 1, 0.6);
	ry += 6;
	if (b->s[3] && b->s[3][0]) {
		char date[64], line[1024];
		doc_vn_date(b->ms, date, sizeof date);
		snprintf(line, sizeof line, "%s, %s", b->s[3], date);
		setup(p, line, rw, BODY_PT, DOC_ITALIC, DOC_CENTER);
		draw_at(p, rx, ry + 2);
		ry += lay_height(p) + 2;
	}
	p->y = (ly > ry ? ly : ry) + 12;
}

static void do_text(struct pdf *p, const char *s, double pt, unsigned style,
    enum doc_align align, double before, double after)
{
	setup(p, s, TEXT_W, pt, style, align);
	if (align == DOC_JUSTIFY)
		pango_layout_set_indent(p->lay, (int)(MM(10) * PANGO_SCALE));
	p->y += before;
	if (p->y > Y_END - 1)
		new_page(p);
	flow(p, M_LEFT);
	p->y += after;
}

static void do_heading(struct pdf *p, const struct doc_block *b)
{
	setup(p, b->s[0], TEXT_W, BODY_PT,
	    b->level == 1 ? DOC_BOLD : DOC_BOLD | DOC_ITALIC, DOC_LEFT);
	/* keep a heading with about two lines of what follows */
	need(p, 4 + lay_height(p) + 2 * BODY_PT * 1.4);
	p->y += 4;
	flow(p, M_LEFT);
	p->y += PARA_AFTER;
}

static void do_field(struct pdf *p, const struct doc_block *b)
{
	const char *v = b->s[1];
	GString *g = g_string_new(b->s[0]);
	g_string_append(g, ": ");
	size_t label_len = g->len;
	if (v && v[0]) {
		g_string_append(g, v);
	} else {
		/* dots to the end of the line, to fill in by hand */
		setup(p, g->str, TEXT_W, BODY_PT, DOC_BOLD, DOC_LEFT);
		double used = lay_width(p);
		setup(p, "..........", TEXT_W, BODY_PT, 0, DOC_LEFT);
		double dot = lay_width(p) / 10;
		int n = dot > 0 ? (int)((TEXT_W - used) / dot) - 1 : 0;
		if (n < 3)
			n = 3;
		for (int i = 0; i < n && i < 400; i++)
			g_string_append_c(g, '.');
	}
	setup(p, g->str, TEXT_W, BODY_PT, 0, DOC_LEFT);
	PangoAttrList *al = pango_attr_list_new();
	PangoAttribute *a = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
	a->start_index = 0;
	a->end_index = (guint)label_len;
	pango_attr_list_insert(al, a);
	pango_layout_set_attributes(p->lay, al);
	pango_attr_list_unref(al);
	if (p->y > Y_END - 1)
		new_page(p);
	flow(p, M_LEFT);
	p->y += PARA_AFTER;
	g_string_free(g, TRUE);
}

static double table_pt(int ncols)
{
	return ncols <= 4 ? 12.0 : ncols <= 7 ? 11.0 : 10.0;
}

/* Height of a row of cells (NULL cells empty) in table t. */
static double row_height(struct pdf *p, const struct doc_block *t,
    char *const *cells, int n, unsigned style)
{
	double h = 0, pt = table_pt(t->ncols);
	for (int i = 0; i < t->ncols; i++) {
		const char *s = i < n && cells[i] ? cells[i] : "";
		setup(p, s, t->widths[i] * TEXT_W - 2 * CELL_PAD, pt, style, DOC_LEFT);
		double ch = lay_height(p);
		if (ch > h)
			h = ch;
	}
	return h + 2 * CELL_PAD;
}

static void draw_row(struct pdf *p, const struct doc_block *t,
    char *const *cells, int n, unsigned style, enum doc_align align)
{
	double h = row_height(p, t, cells, n, style), pt = table_pt(t->ncols);
	double x = M_LEFT;
	cairo_set_line_width(p->cr, 0.6);
	for (int i = 0; i < t->ncols; i++) {
		double w = t->widths[i] * TEXT_W;
		const char *s = i < n && cells[i] ? cells[i] : "";
		setup(p, s, w - 2 * CELL_PAD, pt, style, align);
		draw_at(p, x + CELL_PAD, p->y + CELL_PAD);
		cairo_rectangle(p->cr, x, p->y, w, h);
		cairo_stroke(p->cr);
		x += w;
	}
	p->y += h;
}

static int has_header(const struct doc_block *t)
{
	return t->ncells > 0;
}

static void do_table(struct pdf *p, const struct doc_block *t)
{
	p->table = t;
	double hh = has_header(t) ?
	    row_height(p, t, t->cells, t->ncells, DOC_BOLD) : 0;
	p->y += 2;
	need(p, hh + 2 * table_pt(t->ncols) * 1.5);
	if (has_header(t))
		draw_row(p, t, t->cells, t->ncells, DOC_BOLD, DOC_CENTER);
}

static void do_row(struct pdf *p, const struct doc_block *b)
{
	const struct doc_block *t = p->table;
	if (t == NULL)
		return; /* the model refuses rows outside tables */
	double h = row_height(p, t, b->cells, b->ncells, b->style);
	if (p->y + h > Y_END && p->y > M_TOP + 0.5) {
		new_page(p);
		if (has_header(t))
			draw_row(p, t, t->cells, t->ncells, DOC_BOLD, DOC_CENTER);
	}
	draw_row(p, t, b->cells, b->ncells, b->style, DOC_LEFT);
}

/* Height of a signature block of width w, drawing it at (x, y) if draw. */
static double signature(struct pdf *p, const struct doc_block *b, double x,
    double y, double w, int draw)
{
	double y0 = y;
	char *u = upper(b->s[0]);
	setup(p, u, w, BODY_PT, DOC_BOLD, DOC_CENTER);
	g_free(u);
	if (draw)
		draw_at(p, x, y);
	y += lay_height(p);
	if (b->s[1] && b->s[1][0]) {
		setup(p, b->s[1], w, BODY_PT, DOC_ITALIC, DOC_CENTER);
		if (draw)
			draw_at(p, x, y);
		y += lay_height(p);
	}
	y += 64; /* room to sign (and stamp) */
	setup(p, b->s[2] ? b->s[2] : "", w, BODY_PT, DOC_BOLD, DOC_CENTER);
	if (draw)
		draw_at(p, x, y);
	y += lay_height(p);
	return y - y0;
}

static double recipients(struct pdf *p, const struct doc_block *b, double x,
    double y, double w, int draw)
{
	double y0 = y;
	setup(p, "Nơi nhận:", w, 12, DOC_BOLD | DOC_ITALIC, DOC_LEFT);
	if (draw)
		draw_at(p, x, y);
	y += lay_height(p);
	for (int i = 0; i < b->ncells; i++) {
		char line[1100];
		snprintf(line, sizeof line, "- %s;", b->cells[i] ? b->cells[i] : "");
		setup(p, line, w, 11, 0, DOC_LEFT);
		if (draw)
			draw_at(p, x, y);
		y += lay_height(p);
	}
	return y - y0;
}

/* "Nơi nhận" (rec, may be NULL) beside a signature (sig, may be NULL). */
static void do_closing(struct pdf *p, const struct doc_block *rec,
    const struct doc_block *sig)
{
	const double half = TEXT_W / 2;
	double h = 0, hr = 0, hs = 0;
	p->y += 10;
	if (rec)
		hr = recipients(p, rec, M_LEFT, p->y, half - 10, 0);
	if (sig)
		hs = signature(p, sig, M_LEFT + half, p->y, half, 0);
	h = hr > hs ? hr : hs;
	need(p, h);
	if (rec)
		recipients(p, rec, M_LEFT, p->y, half - 10, 1);
	if (sig)
		signature(p, sig, M_LEFT + half, p->y, half, 1);
	p->y += h + PARA_AFTER;
}

static void do_check(struct pdf *p, const struct doc_block *b)
{
	GString *g = g_string_new(b->level ? "☒ " : "☐ ");
	g_string_append(g, b->s[0]);
	do_text(p, g->str, BODY_PT, 0, DOC_LEFT, 0, 2);
	g_string_free(g, TRUE);
}

static void render(struct pdf *p, const struct doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct doc_block *b = &d->b[i];
		if (b->kind != DK_ROW)
			p->table = NULL;
		switch (b->kind) {
		case DK_HEADER:
			do_header(p, b);
			break;
		case DK_FORM_CODE:
			do_text(p, b->s[0], BODY_PT, DOC_BOLD, DOC_RIGHT, 0, 2);
			break;
		case DK_TITLE:
			do_text(p, b->s[0], 14, DOC_BOLD, DOC_CENTER, 6, 0);
			if (b->s[1] && b->s[1][0])
				do_text(p, b->s[1], BODY_PT, DOC_ITALIC, DOC_CENTER, 0, 0);
			p->y += 10;
			break;
		case DK_HEADING:
			do_heading(p, b);
			break;
		case DK_TEXT:
			do_text(p, b->s[0], BODY_PT, b->style, b->align, 0, PARA_AFTER);
			break;
		case DK_FIELD:
			do_field(p, b);
			break;
		case DK_CHECK:
			do_check(p, b);
			break;
		case DK_TABLE:
			do_table(p, b);
			break;
		case DK_ROW:
			do_row(p, b);
			if (i + 1 == d->n || d->b[i + 1].kind != DK_ROW)
				p->y += 6;
			break;
		case DK_RECIPIENTS:
			if (i + 1 < d->n && d->b[i + 1].kind == DK_SIGNATURE) {
				do_closing(p, b, &d->b[i + 1]);
				i++;
			} else {
				do_closing(p, b, NULL);
			}
			break;
		case DK_SIGNATURE:
			do_closing(p, NULL, b);
			break;
		case DK_PAGE_BREAK:
			if (p->y > M_TOP + 0.5)
				new_page(p);
			break;
		}
	}
}

static pthread_mutex_t font_lock = PTHREAD_MUTEX_INITIALIZER;
static PangoFontMap *font_map; /* under font_lock */

static void font_map_free(void)
{
	pthread_mutex_lock(&font_lock);
	if (font_map) {
		g_object_unref(font_map);
		font_map = NULL;
		cairo_debug_reset_static_data();
		FcFini();
	}
	pthread_mutex_unlock(&font_lock);
}

static int render_locked(const struct doc *d, struct buf *out);

int doc_pdf(const struct doc *d, struct buf *out)
{
	if (d == NULL || d->failed) {
		log_error("doc: refusing to render a document that failed to build");
		return -1;
	}
	pthread_mutex_lock(&font_lock);
	if (font_map == NULL) {
		font_map = pango_cairo_font_map_new();
		if (font_map == NULL) {
			pthread_mutex_unlock(&font_lock);
			log_error("doc: no font map");
			return -1;
		}
		atexit(font_map_free);
	}
	int rc = render_locked(d, out);
	pthread_mutex_unlock(&font_lock);
	return rc;
}

static int render_locked(const struct doc *d, struct buf *out)
{
	struct pdf p = { .page = 1, .y = M_TOP };
	p.surface = cairo_pdf_surface_create_for_stream(write_out, out, PAGE_W, PAGE_H);
	if (cairo_surface_status(p.surface) != CAIRO_STATUS_SUCCESS) {
		log_error("doc: cairo: %s", cairo_status_to_string(cairo_surface_status(p.surface)));
		cairo_surface_destroy(p.surface);
		return -1;
	}
	/* Metadata: the title, and the record's time as the creation date. */
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_TITLE, d->title);
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATOR, "ungcuu");
	time_t t = (time_t)(d->created_ms / 1000);
	struct tm tm;
	char date[32];
	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
	p.cr = cairo_create(p.surface);
	cairo_set_source_rgb(p.cr, 0, 0, 0);
	p.ctx = pango_font_map_create_context(font_map);
	pango_cairo_update_context(p.cr, p.ctx);
	/* Glyph positions independent of the screen: no hinting, no rounding. */
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(p.ctx, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_round_glyph_positions(p.ctx, FALSE);
	p.lay = pango_layout_new(p.ctx);

	render(&p, d);

	g_object_unref(p.lay);
	g_object_unref(p.ctx);
	cairo_show_page(p.cr);
	cairo_destroy(p.cr);
	cairo_surface_finish(p.surface);
	cairo_status_t st = cairo_surface_status(p.surface);
	cairo_surface_destroy(p.surface);
	if (st != CAIRO_STATUS_SUCCESS) {
		log_error("doc: PDF rendering failed: %s", cairo_status_to_string(st));
		buf_release(out);
		return -1;
	}
	return 0;
}
