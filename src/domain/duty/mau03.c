/*
 * mau03.c - the Mẫu 03 heading reader: a report typed into an email under
 * the form's headings (regulation.md §6, as the print view of
 * incident_forms.c writes them) read back into the fields of POST
 * /incidents. A line is folded (lower case, no diacritics, đ -> d), cut
 * into segments at tabs and runs of 3+ spaces (the printed form puts two
 * labels on a line), and each segment is a section heading ("3. Thông tin
 * về hệ thống..."), a label with its value ("Họ và tên (*): ..."), or a
 * ticked box ("☒ Đã xử lý", "[x] Tường lửa"). Text under a label that
 * takes paragraphs (the description, support requested) continues until
 * the next label or heading.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "mail.h"
#include "../incident/incident.h"
#include "../../base/banned.h"

enum sec { S_NONE, S_REPORTER, S_CONTACT, S_SYSTEM, S_INCIDENT, S_STATUS, S_DETECT,
	   S_NOTIFIED, S_DETAILS, S_CONFIDENTIAL, S_SUPPORT };

static const struct { const char *fold; enum sec s; } headings[] = {
	{ "thong tin ve nguoi bao cao", S_REPORTER }, { "thong tin nguoi bao cao", S_REPORTER },
	{ "thong tin nguoi lien he", S_CONTACT }, { "thong tin ve nguoi lien he", S_CONTACT },
	{ "thong tin ve he thong", S_SYSTEM }, { "thong tin he thong", S_SYSTEM },
	{ "thong tin ve su co", S_INCIDENT }, { "thong tin su co", S_INCIDENT },
	{ "tinh trang su co", S_STATUS }, { "cach thuc phat hien", S_DETECT },
	{ "da thong bao su co cho", S_NOTIFIED }, { "thong tin cung cap them", S_DETAILS },
	{ "de nghi giu bi mat", S_CONFIDENTIAL }, { "de nghi ho tro", S_SUPPORT },
};

/* Labels: folded prefix, the section it belongs to (S_NONE: any), the
 * JSON path ("reporter.name"), how the value is read. */
enum kind { K_TEXT, K_LIST, K_LEVEL, K_DATE, K_TIME, K_PARA, K_TYPE, K_STATUS };
static const struct label_def {
	const char *fold;
	enum sec s;
	const char *path;
	enum kind k;
} labels[] = {
	{ "ho va ten", S_REPORTER, "reporter.name", K_TEXT },
	{ "ho ten", S_REPORTER, "reporter.name", K_TEXT },
	{ "chuc vu", S_REPORTER, "reporter.position", K_TEXT },
	{ "co quan, don vi / dia chi", S_REPORTER, "reporter.address", K_TEXT },
	{ "dia chi", S_REPORTER, "reporter.address", K_TEXT },
	{ "dien thoai", S_REPORTER, "reporter.phone", K_TEXT },
	{ "email", S_REPORTER, "reporter.email", K_TEXT },
	{ "ho va ten", S_CONTACT, "contact.name", K_TEXT },
	{ "ho ten", S_CONTACT, "contact.name", K_TEXT },
	{ "chuc vu", S_CONTACT, "contact.position", K_TEXT },
	{ "dien thoai", S_CONTACT, "contact.phone", K_TEXT },
	{ "email", S_CONTACT, "contact.email", K_TEXT },
	{ "don vi van hanh he thong", S_NONE, "system.operator", K_TEXT },
	{ "co quan chu quan", S_NONE, "system.owner", K_TEXT },
	{ "don vi chu quan", S_NONE, "system.owner", K_TEXT },
	{ "ten he thong", S_NONE, "system.name", K_TEXT },
	{ "dia chi ip cong khai", S_NONE, "details.public_ips", K_LIST },
	{ "dia chi ip", S_SYSTEM, "system.ips", K_LIST },
	{ "ten mien", S_SYSTEM, "system.domains", K_LIST },
	{ "ten mien", S_DETAILS, "details.domains", K_LIST },
	{ "cap do an toan he thong", S_NONE, "system.level", K_LEVEL },
	{ "cap do", S_SYSTEM, "system.level", K_LEVEL },
	{ "don vi cung cap dich vu an toan thong tin", S_NONE, "system.security_provider", K_TEXT },
	{ "don vi cung cap ket noi", S_NONE, "system.connectivity_provider", K_TEXT },
	{ "tom tat su co", S_NONE, "title", K_TEXT },
	{ "mo ta su co", S_NONE, "description", K_PARA },
	{ "mo ta so bo", S_NONE, "description", K_PARA },
	{ "loai su co", S_NONE, "type", K_TYPE },
	{ "ngay phat hien", S_NONE, "@date", K_DATE },
	{ "thoi gian phat hien", S_NONE, "@time", K_TIME },
	{ "gio phat hien", S_NONE, "@time", K_TIME },
	{ "tinh trang su co", S_NONE, "handling_status", K_STATUS },
	{ "he dieu hanh", S_NONE, "details.os", K_TEXT },
	{ "muc dich chinh cua he thong", S_NONE, "details.purpose", K_TEXT },
	{ "noi dung", S_SUPPORT, "support_needed", K_PARA },
};

/* Ticked boxes: folded option text, section, path, value. */
static const struct { const char *fold; enum sec s; const char *path, *value; } boxes[] = {
	{ "da xu ly", S_STATUS, "handling_status", "handled" },
	{ "chua xu ly", S_STATUS, "handling_status", "not_handled" },
	{ "qua he thong phat hien xam nhap", S_DETECT, "detection_method.kind", "ids" },
	{ "qua kiem tra nhat ky", S_DETECT, "detection_method.kind", "log_review" },
	{ "qua thong bao tu", S_DETECT, "detection_method.kind", "notified" },
	{ "khac", S_DETECT, "detection_method.kind", "other" },
	{ "thanh vien mang luoi", S_NOTIFIED, "notified[]", "network_member" },
	{ "nha cung cap dich vu internet", S_NOTIFIED, "notified[]", "isp" },
	{ "co quan dieu phoi", S_NOTIFIED, "notified[]", "coordinator" },
	{ "web", S_DETAILS, "details.services[]", "web" },
	{ "thu dien tu", S_DETAILS, "details.services[]", "mail" },
	{ "co so du lieu", S_DETAILS, "details.services[]", "db" },
	{ "phan mem diet virus", S_DETAILS, "details.measures[]", "antivirus" },
	{ "tuong lua", S_DETAILS, "details.measures[]", "firewall" },
	{ "he thong phat hien xam nhap", S_DETAILS, "details.measures[]", "ids" },
	{ "co", S_CONFIDENTIAL, "confidential", "true" },
	{ "khong", S_CONFIDENTIAL, "confidential", "false" },
};

/* s folded into out (lower case ASCII where the letter has a base, other
 * characters kept), with map[i] = the byte of s where out[i] came from. */
static size_t fold(const char *s, size_t n, char *out, size_t *map, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 6 < cap;) {
		const char *p = s + i;
		gunichar ch = g_utf8_get_char_validated(p, (gssize)(n - i));
		if (ch == (gunichar)-1 || ch == (gunichar)-2) {
			i++;
			continue;
		}
		size_t len = (size_t)(g_utf8_next_char(p) - p);
		gunichar d[8];
		gsize nd = g_unichar_fully_decompose(ch, FALSE, d, 8);
		gunichar base = nd > 0 ? d[0] : ch;
		if (base == 0x0111 || base == 0x0110)
			base = 'd';
		if (base == 0x00a0 || base == '\t')
			base = base == '\t' ? '\t' : ' ';
		base = g_unichar_tolower(base);
		char buf[6];
		int bl = g_unichar_to_utf8(base, buf);
		for (int j = 0; j < bl; j++) {
			map[k] = i;
			out[k++] = buf[j];
		}
		i += len;
	}
	map[k] = n;
	out[k] = '\0';
	return k;
}

/* The object at a dotted path ("system.name" -> the "system" object). */
static json_t *parent_of(json_t *root, const char *path, char *leaf, size_t n)
{
	const char *dot = strchr(path, '.');
	if (dot == NULL) {
		snprintf(leaf, n, "%s", path);
		return root;
	}
	char head[32];
	snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
	snprintf(leaf, n, "%s", dot + 1);
	json_t *o = json_object_get(root, head);
	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(root, head, o);
	}
	return o;
}

static void put(json_t *root, const char *path, json_t *v)
{
	char leaf[48];
	json_t *o = parent_of(root, path, leaf, sizeof(leaf));
	size_t l = strlen(leaf);
	if (l > 2 && strcmp(leaf + l - 2, "[]") == 0) {
		leaf[l - 2] = '\0';
		json_t *arr = json_object_get(o, leaf);
		if (!json_is_array(arr)) {
			arr = json_array();
			json_object_set_new(o, leaf, arr);
		}
		for (size_t i = 0; i < json_array_size(arr); i++)
			if (json_equal(json_array_get(arr, i), v)) {
				json_decref(v);
				return;
			}
		json_array_append_new(arr, v);
		return;
	}
	json_object_set_new(o, leaf, v);
}

/* A value trimmed of spaces, dots of an empty form line and "(*)". */
static char *clean(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == ':'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	char *out = g_strndup(s, n);
	/* "……" and "...." are the form's blanks */
	int blank = 1;
	for (const char *p = out; *p; p++)
		if (*p != '.' && *p != ' ' && strncmp(p, "…", 3) != 0) {
			blank = 0;
			break;
		} else if (*p != '.' && *p != ' ')
			p += 2;
	if (blank) {
		g_free(out);
		return NULL;
	}
	return out;
}

static int is_mark(const char *f, size_t at)
{
	/* the folded text just before position at ends with a ticked box */
	while (at > 0 && f[at - 1] == ' ')
		at--;
	static const char *const marks[] = { "[x]", "(x)", "☒", "☑", "✔", "✓", "✗", "✘", "x", NULL };
	for (int i = 0; marks[i]; i++) {
		size_t l = strlen(marks[i]);
		if (at >= l && strncmp(f + at - l, marks[i], l) == 0 &&
		    (strcmp(marks[i], "x") != 0 || at == 1 || f[at - 2] == ' '))
			return 1;
	}
	return 0;
}

static int word_at(const char *f, size_t flen, size_t at, size_t l)
{
	return (at == 0 || !g_ascii_isalnum(f[at - 1])) &&
	       (at + l >= flen || !g_ascii_isalnum(f[at + l]));
}

/* The colon that ends a label: the first one outside parentheses
 * ("Thời gian phát hiện (giờ:phút) (*): 22:15"). */
static const char *label_colon(const char *p)
{
	int depth = 0;
	for (; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		else if (*p == ':' && depth == 0)
			return p;
	}
	return NULL;
}

struct reader {
	json_t *out;
	enum sec sec;
	const char *para;     /* the K_PARA path being continued, NULL none */
	GString *date, *time;
};

static void take_value(struct reader *r, const struct label_def *d, const char *val)
{
	switch (d->k) {
	case K_TEXT:
		put(r->out, d->path, json_string(val));
		break;
	case K_PARA:
		put(r->out, d->path, json_string(val));
		r->para = d->path;
		break;
	case K_LIST: {
		json_t *arr = json_array();
		char **items = g_strsplit_set(val, ",; ", -1);
		for (char **p = items; *p; p++)
			if (**p && json_array_size(arr) < 50)
				json_array_append_new(arr, json_string(*p));
		g_strfreev(items);
		put(r->out, d->path, arr);
		break;
	}
	case K_LEVEL:
		for (const char *p = val; *p; p++)
			if (*p >= '1' && *p <= '5') {
				/* "☐ 1 ☐ 2 ☒ 3": the ticked one, else the only digit */
				size_t at = (size_t)(p - val);
				if (is_mark(val, at) || strspn(val, "0123456789 ") == strlen(val)) {
					put(r->out, d->path, json_integer(*p - '0'));
					break;
				}
			}
		break;
	case K_DATE:
		g_string_assign(r->date, val);
		break;
	case K_TIME:
		g_string_assign(r->time, val);
		break;
	case K_TYPE: {
		size_t cap = strlen(val) * 2 + 8, *map = g_new(size_t, cap + 1);
		char *fv = g_malloc(cap + 1);
		fold(val, strlen(val), fv, map, cap);
		for (int i = 0; incident_type_labels[i].code; i++) {
			size_t cap2 = strlen(incident_type_labels[i].vi) * 2 + 8, *m2 = g_new(size_t, cap2 + 1);
			char *fl = g_malloc(cap2 + 1);
			fold(incident_type_labels[i].vi, strlen(incident_type_labels[i].vi), fl, m2, cap2);
			int hit = strstr(fv, fl) != NULL;
			g_free(fl);
			g_free(m2);
			if (hit) {
				put(r->out, "type", json_string(incident_type_labels[i].code));
				break;
			}
		}
		g_free(fv);
		g_free(map);
		break;
	}
	case K_STATUS:
		break;
	}
}

/* One segment of a line (orig: its text; f: folded, map back). */
static void segment(struct reader *r, const char *orig, const char *f, const size_t *map,
		    size_t flen)
{
	size_t skip = 0;
	/* numbering: "3.", "3)", "III." */
	while (skip < flen && (g_ascii_isdigit(f[skip]) || f[skip] == 'i' || f[skip] == 'v'))
		skip++;
	if (skip > 0 && skip < flen && (f[skip] == '.' || f[skip] == ')'))
		skip++;
	else
		skip = 0;
	while (skip < flen && f[skip] == ' ')
		skip++;
	for (size_t i = 0; i < sizeof(headings) / sizeof(headings[0]); i++) {
		size_t l = strlen(headings[i].fold);
		if (strncmp(f + skip, headings[i].fold, l) == 0) {
			r->sec = headings[i].s;
			r->para = NULL;
			/* "Tình trạng sự cố (*): ☒ Đã xử lý": the rest is content */
			const char *colon = strchr(f + skip + l, ':');
			if (colon == NULL)
				return;
			skip = (size_t)(colon - f) + 1;
			break;
		}
	}
	/* a label and its value */
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		const struct label_def *d = &labels[i];
		size_t l = strlen(d->fold);
		if ((d->s != S_NONE && d->s != r->sec) || strncmp(f + skip, d->fold, l) != 0)
			continue;
		const char *colon = label_colon(f + skip + l);
		if (colon == NULL)
			continue;
		/* nothing but "(...)" between the label and its colon */
		const char *q = f + skip + l;
		while (q < colon && (*q == ' ' || *q == '(' || *q == ')' || *q == '*' ||
				     g_ascii_isalpha(*q) || *q == ':' || *q == ',' || *q == '/'))
			q++;
		if (q != colon || colon - (f + skip + l) > 20)
			continue;
		size_t vo = map[colon - f + 1];
		char *val = clean(orig + vo, strlen(orig + vo));
		r->para = NULL;
		if (val) {
			take_value(r, d, val);
			g_free(val);
		} else if (d->k == K_PARA) {
			r->para = d->path;   /* the text follows on the next lines */
			put(r->out, d->path, json_string(""));
		}
		if (d->k != K_STATUS)
			return;
		break;
	}
	/* ticked boxes anywhere in the segment */
	int found = 0;
	for (size_t i = 0; i < sizeof(boxes) / sizeof(boxes[0]); i++) {
		if (boxes[i].s != r->sec && !(r->sec == S_INCIDENT && boxes[i].s == S_STATUS))
			continue;
		size_t l = strlen(boxes[i].fold);
		for (const char *p = f + skip; (p = strstr(p, boxes[i].fold)) != NULL; p += l) {
			size_t at = (size_t)(p - f);
			if (!word_at(f, flen, at, l) || !is_mark(f, at))
				continue;
			found = 1;
			if (strcmp(boxes[i].value, "true") == 0 || strcmp(boxes[i].value, "false") == 0)
				put(r->out, boxes[i].path, json_boolean(boxes[i].value[0] == 't'));
			else
				put(r->out, boxes[i].path, json_string(boxes[i].value));
			/* "Qua thông báo từ: VNCERT", "Khác: ..." */
			if (strcmp(boxes[i].path, "detection_method.kind") == 0) {
				const char *colon = strchr(p + l, ':');
				if (colon) {
					char *val = clean(orig + map[colon - f + 1],
							  strlen(orig + map[colon - f + 1]));
					if (val)
						put(r->out, "detection_method.detail", json_string(val));
					g_free(val);
				}
			}
			break;
		}
	}
	if (found) {
		r->para = NULL;
		return;
	}
	/* a paragraph continues */
	if (r->para) {
		char *val = clean(orig, strlen(orig));
		if (val == NULL)
			return;
		char leaf[48];
		json_t *o = parent_of(r->out, r->para, leaf, sizeof(leaf));
		const char *prev = json_string_value(json_object_get(o, leaf));
		char *joined = g_strconcat(prev ? prev : "", prev && *prev ? "\n" : "", val, NULL);
		json_object_set_new(o, leaf, json_string(joined));
		g_free(joined);
		g_free(val);
	} else if (r->sec == S_SUPPORT) {
		char *val = clean(orig, strlen(orig));
		if (val) {
			r->para = "support_needed";
			put(r->out, "support_needed", json_string(val));
		}
		g_free(val);
	}
}

/* "05/12/2026" and "22:15" as RFC 3339 in Vietnam time. */
static void put_detected(struct reader *r)
{
	unsigned d, m, y, hh = 0, mm = 0;
	char extra;
	if (r->date->len == 0 || sscanf(r->date->str, "%u/%u/%u%c", &d, &m, &y, &extra) < 3)
		return;
	if (r->time->len && sscanf(r->time->str, "%u:%u", &hh, &mm) != 2)
		hh = mm = 0;
	if (d < 1 || d > 31 || m < 1 || m > 12 || y < 2000 || y > 2100 || hh > 23 || mm > 59)
		return;
	char out[40];
	snprintf(out, sizeof(out), "%04u-%02u-%02uT%02u:%02u:00+07:00", y, m, d, hh, mm);
	json_object_set_new(r->out, "detected_at", json_string(out));
}

json_t *mau03_read(const char *text)
{
	struct reader r = { .out = json_object(), .date = g_string_new(""), .time = g_string_new("") };
	size_t cap = 8192;
	char *f = g_malloc(cap + 1);
	size_t *map = g_new(size_t, cap + 1);
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (n > 2000)
			n = 2000;    /* a form's line is short; the rest is not a label */
		char *copy = g_strndup(line, n);
		/* quoted replies ("> ...") are not the report */
		if (copy[0] != '>') {
			/* segments: cut at tabs and runs of 3+ spaces */
			char *seg = copy;
			for (char *p = copy;; p++) {
				int cut = *p == '\0' || *p == '\t' ||
					  (p[0] == ' ' && p[1] == ' ' && p[2] == ' ');
				if (!cut)
					continue;
				int end = *p == '\0';
				*p = '\0';
				size_t fl = fold(seg, strlen(seg), f, map, cap);
				size_t lead = 0;
				while (lead < fl && f[lead] == ' ')
					lead++;
				if (fl > lead)
					segment(&r, seg, f, map, fl);
				if (end)
					break;
				p++;
				while (*p == ' ' || *p == '\t')
					p++;
				seg = p;
				p--;
			}
		}
		g_free(copy);
		line = nl ? nl + 1 : NULL;
	}
	put_detected(&r);
	g_string_free(r.date, TRUE);
	g_string_free(r.time, TRUE);
	g_free(f);
	g_free(map);
	/* empty groups are no fields */
	const char *key;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(r.out, tmp, key, v)
		if ((json_is_object(v) && json_object_size(v) == 0) ||
		    (json_is_string(v) && json_string_length(v) == 0))
			json_object_del(r.out, key);
	return r.out;
}
