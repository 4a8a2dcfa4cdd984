/*
 * mail_parse.c - an RFC 5322 message read through GMime 3 into struct
 * mail_msg: the sender, subject and thread headers, the text (converted to
 * UTF-8 NFC from its declared charset), the attachments decoded. Bounded
 * in size, parts, nesting and attachments; anything it cannot read
 * faithfully is refused with a reason, never guessed at.
 */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "mail.h"
#include "../../base/msg.h"
#include "../../base/utf8.h"
#include "../../base/banned.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
	g_mime_init();
}

const char *mail_refusal_code(int r)
{
	static const char *const codes[] = { "", "too_large", "too_many_parts", "bad_mime",
		"charset", "bad_header", "no_sender", "attachment_too_large",
		"too_many_attachments", "invalid_report" };
	return r >= 0 && r < (int)(sizeof(codes) / sizeof(codes[0])) ? codes[r] : "bad_mime";
}

void mail_msg_release(struct mail_msg *m)
{
	free(m->subject);
	free(m->body);
	for (int i = 0; i < m->nrefs; i++)
		free(m->refs[i]);
	for (size_t i = 0; i < m->natt; i++)
		free(m->att[i].data);
	free(m->att);
	memset(m, 0, sizeof(*m));
}

int mail_address_norm(const char *in, char *out, size_t n)
{
	if (in == NULL)
		return -1;
	while (*in == ' ' || *in == '\t')
		in++;
	size_t len = strlen(in);
	while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t'))
		len--;
	if (len == 0 || len > LIMIT_MAIL_ADDRESS || len + 1 > n || !utf8_valid(in, len))
		return -1;
	const char *at = memchr(in, '@', len);
	if (at == NULL || at == in || at == in + len - 1 || memchr(at + 1, '@', len - (size_t)(at - in) - 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];
		if (ch <= ' ' || ch == 0x7f || ch == '<' || ch == '>' || ch == ',' || ch == ';')
			return -1;
		out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	out[len] = '\0';
	return 0;
}

/* Bytes of text as UTF-8 NFC: from charset (NULL: must be UTF-8 already).
 * NULL when the charset is unknown or the bytes are not text in it. */
static char *to_utf8(const char *charset, const char *s, size_t n)
{
	char *conv = NULL;
	size_t cn = 0;
	if (s == NULL || n == 0) {   /* an empty part: GMime gives no buffer */
		s = "";
		n = 0;
	}
	if (charset && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
	    g_ascii_strcasecmp(charset, "utf8") != 0 &&
	    g_ascii_strcasecmp(charset, "us-ascii") != 0) {
		const char *name = g_mime_charset_iconv_name(charset);
		iconv_t cd = iconv_open("UTF-8", name ? name : charset);
		if (cd == (iconv_t)-1)
			return NULL;
		size_t cap = n * 4 + 16;
		conv = malloc(cap);
		if (conv == NULL) {
			iconv_close(cd);
			return NULL;
		}
		char *in = (char *)s, *out = conv;
		size_t inleft = n, outleft = cap - 1;
		size_t r = iconv(cd, &in, &inleft, &out, &outleft);
		if (r != (size_t)-1)
			r = iconv(cd, NULL, NULL, &out, &outleft);
		iconv_close(cd);
		if (r == (size_t)-1) {
			free(conv);
			return NULL;
		}
		cn = (size_t)(out - conv);
		conv[cn] = '\0';
		s = conv;
		n = cn;
	}
	/* no NUL inside text, and UTF-8 */
	if (memchr(s, '\0', n) || !utf8_valid(s, n)) {
		free(conv);
		return NULL;
	}
	char *nfc = g_utf8_normalize(s, (gssize)n, G_NORMALIZE_NFC);
	free(conv);
	if (nfc == NULL)
		return NULL;
	char *outs = strdup(nfc);
	g_free(nfc);
	return outs;
}

/* A header value GMime decoded, checked as text; "" for none. */
static char *header_text(const char *v, int *bad)
{
	if (v == NULL)
		return strdup("");
	size_t n = strlen(v);
	if (!utf8_valid(v, n)) {
		*bad = 1;
		return NULL;
	}
	char *nfc = g_utf8_normalize(v, (gssize)n, G_NORMALIZE_NFC);
	if (nfc == NULL) {
		*bad = 1;
		return NULL;
	}
	/* one line: control characters become spaces */
	for (char *p = nfc; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	char *out = strdup(nfc);
	g_free(nfc);
	return out;
}

static void copy_id(char *dst, size_t n, const char *id)
{
	dst[0] = '\0';
	if (id == NULL)
		return;
	size_t len = strlen(id);
	if (len >= n || !utf8_valid(id, len))
		return;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)id[i] <= ' ')
			return;
	memcpy(dst, id, len + 1);
}

/* HTML as text: tags dropped, block ends as new lines, a few entities. */
static char *html_text(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), *o = out;
	if (out == NULL)
		return NULL;
	int skip = 0;
	for (const char *p = s; *p;) {
		if (*p == '<') {
			const char *end = strchr(p, '>');
			if (end == NULL)
				break;
			if (g_ascii_strncasecmp(p, "<script", 7) == 0 || g_ascii_strncasecmp(p, "<style", 6) == 0)
				skip = 1;
			else if (g_ascii_strncasecmp(p, "</script", 8) == 0 || g_ascii_strncasecmp(p, "</style", 7) == 0)
				skip = 0;
			else if (g_ascii_strncasecmp(p, "<br", 3) == 0 || g_ascii_strncasecmp(p, "</p", 3) == 0 ||
				 g_ascii_strncasecmp(p, "</div", 5) == 0 || g_ascii_strncasecmp(p, "</tr", 4) == 0 ||
				 g_ascii_strncasecmp(p, "</li", 4) == 0)
				*o++ = '\n';
			p = end + 1;
			continue;
		}
		if (skip) {
			p++;
			continue;
		}
		static const struct { const char *ent; char ch; } ents[] = {
			{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
			{ "&nbsp;", ' ' }, { "&#39;", '\'' },
		};
		int done = 0;
		if (*p == '&')
			for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]) && !done; i++) {
				size_t l = strlen(ents[i].ent);
				if (strncmp(p, ents[i].ent, l) == 0) {
					*o++ = ents[i].ch;
					p += l;
					done = 1;
				}
			}
		if (!done)
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

struct walk {
	struct mail_msg *m;
	size_t max_attachment;
	int parts;
	int body_html;      /* m->body came from text/html (a text/plain replaces it) */
	int refusal;
	struct err *e;
};

static int refuse(struct walk *w, int r, int msg, const char *arg)
{
	if (w->refusal == MAIL_OK) {
		w->refusal = r;
		err_set(w->e, E_INVALID, msg, arg);
	}
	return -1;
}

/* The decoded bytes of a leaf part (transfer encoding undone). */
static GByteArray *part_bytes(GMimePart *part, GMimeStream **keep)
{
	GMimeDataWrapper *wrap = g_mime_part_get_content(part);
	GMimeStream *out = g_mime_stream_mem_new();
	if (wrap && g_mime_data_wrapper_write_to_stream(wrap, out) < 0) {
		g_object_unref(out);
		return NULL;
	}
	*keep = out;
	return g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
}

static int add_attachment(struct walk *w, const char *fname, const char *ctype,
			  const unsigned char *data, size_t n)
{
	struct mail_msg *m = w->m;
	char num[32];
	if (m->natt >= LIMIT_MAIL_ATTACHMENTS) {
		snprintf(num, sizeof(num), "%d", LIMIT_MAIL_ATTACHMENTS);
		return refuse(w, MAIL_R_ATTACHMENTS, MSG_MAIL_TOO_MANY_ATTACHMENTS, num);
	}
	struct mail_att *a = realloc(m->att, (m->natt + 1) * sizeof(*a));
	if (a == NULL)
		return refuse(w, MAIL_R_MIME, MSG_MAIL_BAD_MIME, "memory");
	m->att = a;
	a = &m->att[m->natt];
	memset(a, 0, sizeof(*a));
	/* the name: UTF-8, no path, no control characters, bounded */
	size_t k = 0;
	if (fname && utf8_valid(fname, strlen(fname))) {
		for (const char *p = fname; *p && k + 4 < sizeof(a->name);) {
			size_t sl = utf8_seq((const unsigned char *)p, strlen(p));
			if (sl == 0)
				break;
			if (sl == 1 && ((unsigned char)*p < ' ' || *p == '/' || *p == '\\' || *p == 0x7f))
				a->name[k++] = '_';
			else {
				memcpy(a->name + k, p, sl);
				k += sl;
			}
			p += sl;
		}
	}
	a->name[k] = '\0';
	if (k == 0 || strcmp(a->name, ".") == 0 || strcmp(a->name, "..") == 0)
		snprintf(a->name, sizeof(a->name), "tep-dinh-kem-%zu.bin", m->natt + 1);
	snprintf(a->content_type, sizeof(a->content_type), "%s",
		 ctype && strlen(ctype) < sizeof(a->content_type) ? ctype : "application/octet-stream");
	a->data = malloc(n ? n : 1);
	if (a->data == NULL)
		return refuse(w, MAIL_R_MIME, MSG_MAIL_BAD_MIME, "memory");
	if (n)
		memcpy(a->data, data, n);
	a->n = n;
	m->natt++;
	return 0;
}

static int walk_object(struct walk *w, GMimeObject *obj, int depth);

static int walk_leaf(struct walk *w, GMimePart *part)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *type = ct ? g_mime_content_type_get_media_type(ct) : "text";
	const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : "plain";
	const char *disp = g_mime_object_get_disposition(obj);
	const char *fname = g_mime_part_get_filename(part);
	int is_att = (disp && g_ascii_strcasecmp(disp, "attachment") == 0) || fname != NULL;
	int is_text = type && g_ascii_strcasecmp(type, "text") == 0;
	int is_plain = is_text && sub && g_ascii_strcasecmp(sub, "plain") == 0;
	int is_html = is_text && sub && g_ascii_strcasecmp(sub, "html") == 0;

	GMimeStream *keep = NULL;
	GByteArray *ba = part_bytes(part, &keep);
	if (ba == NULL)
		return refuse(w, MAIL_R_MIME, MSG_MAIL_BAD_MIME, "content");
	int rc = 0;
	if (!is_att && (is_plain || is_html) && (w->m->body == NULL || (w->body_html && is_plain))) {
		const char *cs = g_mime_object_get_content_type_parameter(obj, "charset");
		char *t = to_utf8(cs, (const char *)ba->data, ba->len);
		if (t == NULL) {
			char what[64];
			snprintf(what, sizeof(what), "%.60s", cs && utf8_valid(cs, strlen(cs)) ? cs : "?");
			rc = refuse(w, MAIL_R_CHARSET, MSG_MAIL_BAD_CHARSET, what);
		} else {
			if (is_html) {
				char *plain = html_text(t);
				free(t);
				t = plain;
			}
			free(w->m->body);
			w->m->body = t;
			w->body_html = is_html;
		}
	} else if (ba->len > w->max_attachment) {
		char what[300];
		snprintf(what, sizeof(what), "%.200s (%u > %zu)", fname && utf8_valid(fname, strlen(fname))
			 ? fname : "?", ba->len, w->max_attachment);
		rc = refuse(w, MAIL_R_ATTACHMENT, MSG_MAIL_ATTACHMENT_TOO_LARGE, what);
	} else {
		char *mt = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
		rc = add_attachment(w, fname, mt, ba->data, ba->len);
		g_free(mt);
	}
	g_object_unref(keep);
	return rc;
}

static int walk_object(struct walk *w, GMimeObject *obj, int depth)
{
	char num[32];
	if (++w->parts > LIMIT_MAIL_PARTS || depth > LIMIT_MAIL_DEPTH) {
		snprintf(num, sizeof(num), "%d", LIMIT_MAIL_PARTS);
		return refuse(w, MAIL_R_PARTS, MSG_MAIL_TOO_MANY_PARTS, num);
	}
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int count = g_mime_multipart_get_count(mp);
		if (count > LIMIT_MAIL_PARTS) {
			snprintf(num, sizeof(num), "%d", LIMIT_MAIL_PARTS);
			return refuse(w, MAIL_R_PARTS, MSG_MAIL_TOO_MANY_PARTS, num);
		}
		for (int i = 0; i < count; i++)
			if (walk_object(w, g_mime_multipart_get_part(mp, i), depth + 1) != 0)
				return -1;
		return 0;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		/* a forwarded message: kept whole as an attachment */
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		if (inner == NULL)
			return 0;
		GMimeStream *out = g_mime_stream_mem_new();
		g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, out);
		GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
		int rc;
		if (ba->len > w->max_attachment)
			rc = refuse(w, MAIL_R_ATTACHMENT, MSG_MAIL_ATTACHMENT_TOO_LARGE, "message/rfc822");
		else
			rc = add_attachment(w, "thu-chuyen-tiep.eml", "message/rfc822", ba->data, ba->len);
		g_object_unref(out);
		return rc;
	}
	if (GMIME_IS_PART(obj))
		return walk_leaf(w, GMIME_PART(obj));
	return 0;
}

/* Multiparts the raw text announces, before GMime builds a tree of them
 * (a message nested ten thousand deep must not reach the parser). */
static int multipart_count(const char *raw, size_t n)
{
	int count = 0;
	static const char pat[] = "multipart/";
	for (size_t i = 0; i + sizeof(pat) - 1 <= n; i++)
		if ((raw[i] | 0x20) == 'm' && g_ascii_strncasecmp(raw + i, pat, sizeof(pat) - 1) == 0) {
			if (++count > LIMIT_MAIL_DEPTH * 4)
				break;
			i += sizeof(pat) - 2;
		}
	return count;
}

int mail_parse(const void *raw, size_t n, size_t max_attachment, struct mail_msg *m,
	       struct err *e)
{
	char num[32];
	memset(m, 0, sizeof(*m));
	struct walk w = { .m = m, .max_attachment = max_attachment, .e = e };
	if (n > LIMIT_MAIL_RAW) {
		snprintf(num, sizeof(num), "%d", LIMIT_MAIL_RAW);
		refuse(&w, MAIL_R_TOO_LARGE, MSG_MAIL_TOO_LARGE, num);
		return w.refusal;
	}
	if (multipart_count(raw, n) > LIMIT_MAIL_DEPTH * 4) {
		snprintf(num, sizeof(num), "%d", LIMIT_MAIL_DEPTH * 4);
		refuse(&w, MAIL_R_PARTS, MSG_MAIL_TOO_MANY_PARTS, num);
		return w.refusal;
	}
	pthread_once(&gmime_once, gmime_start);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, n);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_object_unref(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	if (msg == NULL) {
		refuse(&w, MAIL_R_MIME, MSG_MAIL_BAD_MIME, "RFC 5322");
		return w.refusal;
	}

	/* raw header bytes: 8-bit text must be UTF-8 (RFC 6532), not guessed */
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int nh = hl ? g_mime_header_list_get_count(hl) : 0;
	for (int i = 0; i < nh; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *rv = h ? g_mime_header_get_raw_value(h) : NULL;
		if (rv && !utf8_valid(rv, strlen(rv))) {
			const char *hn = g_mime_header_get_name(h);
			char what[80];
			snprintf(what, sizeof(what), "%.60s", hn && utf8_valid(hn, strlen(hn)) ? hn : "?");
			refuse(&w, MAIL_R_HEADER, MSG_MAIL_BAD_HEADER, what);
			goto fail;
		}
	}
	int bad = 0;
	InternetAddressList *from = g_mime_message_get_from(msg);
	if (from && internet_address_list_length(from) > 0) {
		InternetAddress *ia = internet_address_list_get_address(from, 0);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
			if (mail_address_norm(addr, m->from, sizeof(m->from)) != 0)
				m->from[0] = '\0';
			const char *name = internet_address_get_name(ia);
			if (name && utf8_valid(name, strlen(name)))
				snprintf(m->from_name, sizeof(m->from_name), "%.200s", name);
		}
	}
	m->subject = header_text(g_mime_message_get_subject(msg), &bad);
	if (bad) {
		refuse(&w, MAIL_R_HEADER, MSG_MAIL_BAD_HEADER, "Subject");
		goto fail;
	}
	if (strlen(m->subject) > 2000)
		m->subject[2000] = '\0', bad = !utf8_valid(m->subject, 2000);
	if (bad) {
		/* cut inside a character: back to its start */
		size_t k = 2000;
		while (k > 0 && ((unsigned char)m->subject[k] & 0xC0) == 0x80)
			k--;
		m->subject[k] = '\0';
	}
	copy_id(m->message_id, sizeof(m->message_id), g_mime_message_get_message_id(msg));
	const char *irt = g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To");
	if (irt) {
		char *id = g_mime_utils_decode_message_id(irt);
		copy_id(m->in_reply_to, sizeof(m->in_reply_to), id);
		g_free(id);
	}
	const char *refs = g_mime_object_get_header(GMIME_OBJECT(msg), "References");
	if (refs) {
		GMimeReferences *r = g_mime_references_parse(NULL, refs);
		int cnt = r ? g_mime_references_length(r) : 0;
		for (int i = cnt > MAIL_MAX_REFS ? cnt - MAIL_MAX_REFS : 0; i < cnt; i++) {
			char id[LIMIT_MAIL_MESSAGE_ID + 1];
			copy_id(id, sizeof(id), g_mime_references_get_message_id(r, i));
			if (id[0] && (m->refs[m->nrefs] = strdup(id)) != NULL)
				m->nrefs++;
		}
		if (r)
			g_mime_references_free(r);
	}
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	if (top && walk_object(&w, top, 0) != 0)
		goto fail;
	if (m->from[0] == '\0') {
		refuse(&w, MAIL_R_NO_SENDER, MSG_MAIL_NO_SENDER, NULL);
		goto fail;
	}
	if (m->body == NULL && (m->body = strdup("")) == NULL) {
		refuse(&w, MAIL_R_MIME, MSG_MAIL_BAD_MIME, "memory");
		goto fail;
	}
	g_object_unref(msg);
	return MAIL_OK;
fail:
	g_object_unref(msg);
	{
		/* keep the sender and subject for the quarantine record */
		char sender[sizeof(m->from)];
		memcpy(sender, m->from, sizeof(sender));
		char *subject = m->subject;
		m->subject = NULL;
		mail_msg_release(m);
		memcpy(m->from, sender, sizeof(sender));
		m->subject = subject;
	}
	return w.refusal;
}
