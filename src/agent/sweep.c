/*
 * sweep.c - the indicator set of a sweep: loading rules files (the format
 * told by the content), plain lists of indicators, and YARA rules compiled
 * by libyara. The values themselves are in sweep_ioc.c, STIX and MISP (the
 * shared importers) in sweep_feeds.c, the run in sweep_walk.c.
 *
 * Plain lists: one indicator a line; blank lines and lines starting with #
 * are skipped, as is " # a comment" after a value. An optional "kind:"
 * prefix decides the kind (ip, domain, hostname, url, email, md5, sha1,
 * sha256, filename); otherwise it is told from the value (sweep_ioc.c).
 * Defanged values are read as meant: evil[.]com, hxxp://, 1.2.3[.]4, a[@]b.
 *
 * YARA: each file is compiled into one libyara compiler under its own
 * namespace (two files may then use the same rule names); the external
 * variables filename, filepath and extension are defined (as LOKI and THOR
 * do; signature-base rules use them) and set for every file scanned.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yara.h>

#include "sweep_int.h"
#include "../base/msg.h"
#include "../base/utf8.h"
#include "../base/banned.h"

/* Warnings printed per rules file; the rest are counted in one line. */
#define SWEEP_MAX_WARNINGS 20

struct sweep_set *sweep_set_new(sweep_warn_fn warn, void *ctx)
{
	struct sweep_set *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->warn = warn;
	s->warn_ctx = ctx;
	sweep_classes(s->cls, s->lower);
	return s;
}

void sweep_set_free(struct sweep_set *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < SET__COUNT; i++)
		strset_release(&s->set[i]);
	pool_release(&s->pool);
	if (s->yc)
		yr_compiler_destroy(s->yc);
	if (s->rules)
		yr_rules_destroy(s->rules);
	if (s->yara_init)
		yr_finalize();
	free(s);
}

int sweep_path_escape(const char *s, int ctl, char **out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), need = 0, bad = 0;
	*out = NULL;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq(p + i, n - i);
		if (l == 0 || (ctl && (p[i] < 0x20 || p[i] == 0x7f))) {
			bad = 1;
			need += 4;
			i++;
		} else {
			need += l + (p[i] == '\\');
			i += l;
		}
	}
	if (!bad)
		return 0;
	char *o = malloc(need + 1), *w = o;
	if (o == NULL)
		return -1;
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq(p + i, n - i);
		if (l == 0 || (ctl && (p[i] < 0x20 || p[i] == 0x7f))) {
			*w++ = '\\';
			*w++ = 'x';
			*w++ = hex[p[i] >> 4];
			*w++ = hex[p[i] & 15];
			i++;
		} else {
			if (p[i] == '\\')
				*w++ = '\\';
			memcpy(w, p + i, l);
			w += l;
			i += l;
		}
	}
	*w = '\0';
	*out = o;
	return 1;
}

const char *sweep_kind_name(int kind)
{
	static const char *const names[SWEEP__KINDS] = {
		"yara", "hash", "ip", "domain", "url", "email", "filename",
	};
	return kind >= 0 && kind < SWEEP__KINDS ? names[kind] : "?";
}

void sweep_set_counts(const struct sweep_set *s, size_t counts[SWEEP__KINDS])
{
	counts[SWEEP_YARA] = s->yara_rules;
	counts[SWEEP_HASH] = s->set[SET_MD5].n + s->set[SET_SHA1].n + s->set[SET_SHA256].n;
	counts[SWEEP_IP] = s->set[SET_IP].n;
	counts[SWEEP_DOMAIN] = s->set[SET_DOMAIN].n;
	counts[SWEEP_URL] = s->set[SET_URL].n;
	counts[SWEEP_EMAIL] = s->set[SET_EMAIL].n;
	counts[SWEEP_FILENAME] = s->set[SET_FILENAME].n;
}

size_t sweep_set_total(const struct sweep_set *s)
{
	size_t c[SWEEP__KINDS], t = 0;
	sweep_set_counts(s, c);
	for (int i = 0; i < SWEEP__KINDS; i++)
		t += c[i];
	return t;
}

int sweep_set_add(struct sweep_set *s, int ioc, const char *value, size_t n, struct err *e)
{
	if (ioc_add(s, ioc, value, n, 1, NULL, e) != 0)
		return -1;
	return ioc_add(s, ioc, value, n, 0, NULL, e);
}

/* ---- messages ---- */

#define NAME_SHOWN 60

static void vmsg(char *out, size_t cap, const char *name, const char *fmt, va_list ap)
{
	char detail[256];
	size_t l = strlen(name);
	const char *shown = name, *dots = "";
	if (l > NAME_SHOWN) {
		shown = name + l - (NAME_SHOWN - 3);
		while ((*shown & 0xC0) == 0x80)
			shown++;
		dots = "...";
	}
	if (vsnprintf(detail, sizeof(detail), fmt, ap) < 0)
		detail[0] = '\0';
	if (snprintf(out, cap, "%s%s%s", dots, shown, detail) < 0)
		out[0] = '\0';
}

void sweep_msg(char *out, size_t cap, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(out, cap, name, fmt, ap);
	va_end(ap);
}

int sweep_fail(struct err *e, int code, int msg, const char *name, const char *fmt, ...)
{
	char arg[sizeof(e->arg)];
	va_list ap;
	va_start(ap, fmt);
	vmsg(arg, sizeof(arg), name, fmt, ap);
	va_end(ap);
	return err_set(e, code, msg, arg);
}

/* ---- warnings, counted per file ---- */

struct warn_count {
	struct sweep_set *s;
	sweep_warn_fn fn;
	void *ctx;
	const char *name;
	unsigned long n;
};

static void counted_warn(void *ctx, int msg, const char *arg)
{
	struct warn_count *w = ctx;
	if (++w->n <= SWEEP_MAX_WARNINGS && w->fn)
		w->fn(w->ctx, msg, arg);
}

/* Routes the set's warnings through a counter while one file loads. */
static void warn_begin(struct warn_count *w, struct sweep_set *s, const char *name)
{
	*w = (struct warn_count){ s, s->warn, s->warn_ctx, name, 0 };
	s->warn = counted_warn;
	s->warn_ctx = w;
}

static void warn_end(struct warn_count *w)
{
	w->s->warn = w->fn;
	w->s->warn_ctx = w->ctx;
	if (w->n > SWEEP_MAX_WARNINGS && w->fn) {
		char arg[160];
		sweep_msg(arg, sizeof(arg), w->name, ": %lu", w->n - SWEEP_MAX_WARNINGS);
		w->fn(w->ctx, MSG_SWEEP_MORE_WARNINGS, arg);
	}
}

/* ---- telling the format ---- */

static size_t skip_bom(const char *p, size_t n)
{
	return n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int looks_json(const char *p, size_t n)
{
	size_t i = skip_bom(p, n);
	while (i < n && is_space(p[i]))
		i++;
	return i < n && p[i] == '{';
}

/* The first word after blanks and YARA comments starts a YARA file. */
static int looks_yara(const char *p, size_t n)
{
	size_t i = skip_bom(p, n);
	for (;;) {
		while (i < n && is_space(p[i]))
			i++;
		if (i + 1 < n && p[i] == '/' && p[i + 1] == '/') {
			while (i < n && p[i] != '\n')
				i++;
		} else if (i + 1 < n && p[i] == '/' && p[i + 1] == '*') {
			const char *end = NULL;
			for (size_t k = i + 2; k + 1 < n; k++)
				if (p[k] == '*' && p[k + 1] == '/') {
					end = p + k;
					break;
				}
			if (end == NULL)
				return 1;   /* an open comment: libyara will say where */
			i = (size_t)(end - p) + 2;
		} else {
			break;
		}
	}
	static const char *const words[] = { "rule", "private", "global", "import", "include",
					     NULL };
	for (int w = 0; words[w]; w++) {
		size_t l = strlen(words[w]);
		if (n - i > l && memcmp(p + i, words[w], l) == 0 &&
		    (is_space(p[i + l]) || p[i + l] == '"'))
			return 1;
	}
	return 0;
}

/* ---- YARA ---- */

struct ycompile {
	struct sweep_set *s;
	const char *name;
	char first[160];
	int errors;
};

static void yara_message(int level, const char *file, int line, const YR_RULE *rule,
			 const char *msg, void *ud)
{
	struct ycompile *c = ud;
	char arg[160];
	sweep_msg(arg, sizeof(arg), file ? file : c->name, ":%d: %s%s%s%s", line,
		  rule ? "rule " : "", rule ? rule->identifier : "", rule ? ": " : "", msg);
	if (level == YARA_ERROR_LEVEL_ERROR) {
		if (c->errors++ == 0)
			memcpy(c->first, arg, sizeof(arg));
	} else if (c->s->warn) {
		c->s->warn(c->s->warn_ctx, MSG_SWEEP_YARA_WARNING, arg);
	}
}

static int yara_start(struct sweep_set *s, struct err *e)
{
	if (s->yc)
		return 0;
	if (!s->yara_init) {
		if (yr_initialize() != ERROR_SUCCESS)
			return err_set(e, E_INTERNAL, MSG_SWEEP_YARA, "yr_initialize");
		s->yara_init = 1;
	}
	YR_COMPILER *c = NULL;
	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (yr_compiler_define_string_variable(c, "filename", "") != ERROR_SUCCESS ||
	    yr_compiler_define_string_variable(c, "filepath", "") != ERROR_SUCCESS ||
	    yr_compiler_define_string_variable(c, "extension", "") != ERROR_SUCCESS) {
		yr_compiler_destroy(c);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	}
	s->yc = c;
	return 0;
}

/* Compiles a YARA file: from path when given (includes resolve next to it),
 * else from p. */
static int yara_load(struct sweep_set *s, const char *name, const char *path,
		     const char *p, size_t n, struct err *e)
{
	if (s->finished || s->yara_spent)
		return err_set(e, E_INVALID, MSG_SWEEP_YARA,
			       s->finished ? "sweep_set_finish was called" : name);
	if (yara_start(s, e) != 0)
		return -1;
	struct ycompile c = { .s = s, .name = name };
	char ns[32];
	snprintf(ns, sizeof(ns), "file%d", ++s->yara_files);
	yr_compiler_set_callback(s->yc, yara_message, &c);
	int errors;
	if (path) {
		FILE *f = fopen(path, "rb");
		if (f == NULL)
			return err_set(e, E_IO, MSG_IO, path);
		errors = yr_compiler_add_file(s->yc, f, ns, path);
		fclose(f);
	} else {
		/* libyara reads a NUL-terminated string: a NUL inside ends it.
		 * Text from memory came from outside (a server's hunt, a rules
		 * bundle): its includes are refused, so it cannot read this
		 * host's files into the rules. */
		char *z = malloc(n + 1);
		if (z == NULL)
			return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		memcpy(z, p, n);
		z[n] = '\0';
		YR_COMPILER *yc = s->yc;
		YR_COMPILER_INCLUDE_CALLBACK_FUNC inc = yc->include_callback;
		YR_COMPILER_INCLUDE_FREE_FUNC inc_free = yc->include_free;
		void *inc_data = yc->incl_clbk_user_data;
		yr_compiler_set_include_callback(yc, NULL, NULL, NULL);
		errors = yr_compiler_add_string(yc, z, ns);
		yr_compiler_set_include_callback(yc, inc, inc_free, inc_data);
		free(z);
	}
	yr_compiler_set_callback(s->yc, NULL, NULL);
	if (errors > 0 || c.errors > 0) {
		s->yara_spent = 1;
		return err_set(e, E_INVALID, MSG_SWEEP_YARA, c.first[0] ? c.first : name);
	}
	return 0;
}

int sweep_yara_text(struct sweep_set *s, const char *name, const char *text, struct err *e)
{
	return yara_load(s, name, NULL, text, strlen(text), e);
}

int sweep_set_finish(struct sweep_set *s, struct err *e)
{
	if (s->finished)
		return 0;
	if (s->yc) {
		if (s->yara_spent)
			return err_set(e, E_INVALID, MSG_SWEEP_YARA, "");
		YR_RULES *r = NULL;
		if (yr_compiler_get_rules(s->yc, &r) != ERROR_SUCCESS)
			return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		yr_compiler_destroy(s->yc);
		s->yc = NULL;
		YR_RULE *rule;
		size_t count = 0;
		yr_rules_foreach(r, rule)
			count++;
		s->rules = r;
		s->yara_rules = count;
	}
	s->finished = 1;
	return 0;
}

/* ---- loading ---- */

static int load(struct sweep_set *s, const char *name, const char *path, const char *p,
		size_t n, struct err *e)
{
	if (s->finished)
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	struct warn_count wc;
	int rc;
	warn_begin(&wc, s, name);
	if (looks_json(p, n)) {
		json_error_t je;
		json_t *root = json_loadb(p, n, 0, &je);
		if (root == NULL) {
			rc = sweep_fail(e, E_MALFORMED, MSG_FEED_SYNTAX, name, ":%d:%d: %s", je.line,
					je.column, je.text);
		} else {
			rc = sweep_feed_load(s, name, root, p, n, e);
			if (rc == 1)
				rc = err_set(e, E_INVALID, MSG_SWEEP_FORMAT, name);
			json_decref(root);
		}
	} else if (looks_yara(p, n)) {
		rc = yara_load(s, name, path, p, n, e);
	} else {
		rc = sweep_list_load(s, name, p, n, e);
	}
	warn_end(&wc);
	return rc;
}

int sweep_set_load_mem(struct sweep_set *s, const char *name, const char *p, size_t n,
		       struct err *e)
{
	return load(s, name, NULL, p, n, e);
}

int sweep_set_load(struct sweep_set *s, const char *path, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return err_set(e, E_IO, MSG_IO, path);
	}
	if ((unsigned long long)st.st_size > SWEEP_MAX_RULES_FILE) {
		close(fd);
		return err_set(e, E_TOOLARGE, MSG_FEED_LIMIT, path);
	}
	size_t n = (size_t)st.st_size, got = 0;
	char *p = malloc(n + 1);
	while (p && got < n) {
		ssize_t k = read(fd, p + got, n - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (p == NULL || got != n) {
		free(p);
		return err_set(e, E_IO, MSG_IO, path);
	}
	p[n] = '\0';
	int rc = load(s, path, path, p, n, e);
	free(p);
	return rc;
}
