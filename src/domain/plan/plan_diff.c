/* plan_diff.c - per-section line diff of two plan versions (plan_diff.h). */
#include <stdlib.h>
#include <string.h>

#include "plan_diff.h"
#include "../../base/banned.h"

struct lines {
	char **v;
	size_t n;
};

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Splits text at '\n', dropping '\r' at line ends and blank lines. */
static int lines_split(const char *text, struct lines *l)
{
	l->v = NULL;
	l->n = 0;
	if (text == NULL)
		return 0;
	size_t cap = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		size_t keep = len;
		if (keep > 0 && p[keep - 1] == '\r')
			keep--;
		int blank = 1;
		for (size_t i = 0; i < keep; i++)
			if (p[i] != ' ' && p[i] != '\t')
				blank = 0;
		if (!blank) {
			if (l->n == PLAN_DIFF_MAX_LINES)
				return -1;
			if (l->n == cap) {
				cap = cap ? cap * 2 : 16;
				char **nv = realloc(l->v, cap * sizeof(*nv));
				if (nv == NULL)
					return -1;
				l->v = nv;
			}
			char *s = malloc(keep + 1);
			if (s == NULL)
				return -1;
			memcpy(s, p, keep);
			s[keep] = '\0';
			l->v[l->n++] = s;
		}
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

/* LCS table walk: lines of a not in the common subsequence are removed,
 * those of b not in it added. O(n*m) cells, bounded by MAX_LINES^2 bytes
 * of counters at worst (sections are a few dozen lines in practice). */
static int diff_lines(const struct lines *a, const struct lines *b, json_t *added,
		      json_t *removed)
{
	size_t n = a->n, m = b->n;
	unsigned short *t = calloc((n + 1) * (m + 1), sizeof(*t));
	if (t == NULL)
		return -1;
#define T(i, j) t[(i) * (m + 1) + (j)]
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			T(i, j) = strcmp(a->v[i], b->v[j]) == 0 ? (unsigned short)(T(i + 1, j + 1) + 1)
				: (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	size_t i = 0, j = 0;
	while (i < n && j < m) {
		if (strcmp(a->v[i], b->v[j]) == 0) {
			i++;
			j++;
		} else if (T(i + 1, j) >= T(i, j + 1)) {
			json_array_append_new(removed, json_string(a->v[i++]));
		} else {
			json_array_append_new(added, json_string(b->v[j++]));
		}
	}
	while (i < n)
		json_array_append_new(removed, json_string(a->v[i++]));
	while (j < m)
		json_array_append_new(added, json_string(b->v[j++]));
#undef T
	free(t);
	return 0;
}

static const json_t *section_find(const json_t *list, const char *code)
{
	size_t i;
	const json_t *s;
	json_array_foreach(list, i, s) {
		const char *c = json_string_value(json_object_get(s, "code"));
		if (c && strcmp(c, code) == 0)
			return s;
	}
	return NULL;
}

static int section_diff(const json_t *a, const json_t *b, json_t *out)
{
	const json_t *named = b ? b : a;
	struct lines la, lb;
	int rc = -1;
	if (lines_split(a ? json_string_value(json_object_get(a, "text")) : NULL, &la) != 0) {
		lines_free(&la);
		return -1;
	}
	if (lines_split(b ? json_string_value(json_object_get(b, "text")) : NULL, &lb) != 0)
		goto out;
	json_t *added = json_array(), *removed = json_array();
	if (diff_lines(&la, &lb, added, removed) != 0) {
		json_decref(added);
		json_decref(removed);
		goto out;
	}
	if (json_array_size(added) == 0 && json_array_size(removed) == 0) {
		json_decref(added);
		json_decref(removed);
		rc = 0;
		goto out;
	}
	const char *vi = json_string_value(json_object_get(named, "title_vi"));
	const char *en = json_string_value(json_object_get(named, "title_en"));
	json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:o, s:o}",
		"code", json_string_value(json_object_get(named, "code")),
		"title_vi", vi ? vi : "", "title_en", en ? en : "",
		"added", added, "removed", removed));
	rc = 0;
out:
	lines_free(&la);
	lines_free(&lb);
	return rc;
}

json_t *plan_diff_sections(const json_t *from, const json_t *to)
{
	json_t *out = json_array();
	size_t i;
	const json_t *s;
	if (out == NULL)
		return NULL;
	json_array_foreach(to, i, s) {
		const char *code = json_string_value(json_object_get(s, "code"));
		if (code == NULL)
			continue;
		if (section_diff(section_find(from, code), s, out) != 0)
			goto fail;
	}
	json_array_foreach(from, i, s) {
		const char *code = json_string_value(json_object_get(s, "code"));
		if (code == NULL || section_find(to, code))
			continue;
		if (section_diff(s, NULL, out) != 0)
			goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}
