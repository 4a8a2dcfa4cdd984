/*
 * inventory.c - the Linux inventory of a host: os-release, kernel, host
 * name, dpkg packages (status and distroless status.d/), listening sockets
 * from /proc/net, interface addresses; and the strict validation of an
 * inventory document (see domain/asset/inventory.h for its shape; its
 * validation is there too).
 *
 * Files are read under a root directory. Under a root other than "/" they
 * are opened with openat2(RESOLVE_IN_ROOT), so an absolute symbolic link in
 * an unpacked image (etc/os-release -> /usr/lib/os-release) resolves inside
 * the image and never reaches the host's own files.
 *
 * rpm: inventory_rpm.c, through librpm, when built with it (UNGCUU_WITH_RPM);
 * without it an rpm host reports its OS, services and addresses with no
 * packages.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "inventory.h"
#include "inventory_int.h"
#include "../base/jsonv.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

/* Small files (os-release, hostname, osrelease): a few hundred bytes each. */
#define SMALL_FILE_MAX (64 * 1024)
/* A /proc/net line is 150 bytes; anything longer is not one of ours. */
#define PROC_LINE_MAX 512

/* ---- files under a root ---- */

struct root {
	const char *path;   /* as given, for messages */
	int slash;          /* root is "/": plain paths, no openat2 */
	int fd;             /* O_PATH descriptor of root, -1 when slash */
};

static int root_open(struct root *r, const char *path, struct err *e)
{
	char what[200];
	struct stat st;

	r->path = path;
	r->fd = -1;
	r->slash = path != NULL && strcmp(path, "/") == 0;
	if (path == NULL || path[0] == '\0')
		return err_set(e, E_INVALID, MSG_MISSING_OPTION, "root");
	if (r->slash)
		return 0;
	r->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &st) != 0) {
		snprintf(what, sizeof(what), "%s: %s", path, strerror(errno));
		return err_set(e, E_IO, MSG_IO, what);
	}
	return 0;
}

static void root_close(struct root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* The name a message gives rel (no leading '/') under root. */
static void root_name(const struct root *r, const char *rel, char *out,
		      size_t n)
{
	size_t l = strlen(r->path);
	while (l > 1 && r->path[l - 1] == '/')
		l--;
	if (r->slash)
		snprintf(out, n, "/%s", rel);
	else
		snprintf(out, n, "%.*s/%s", (int)l, r->path, rel);
}

/* open(2) of rel under root; -1 with errno set. */
static int root_openat(const struct root *r, const char *rel, int flags)
{
	char abs[PATH_MAX];
	if (r->slash) {
		snprintf(abs, sizeof(abs), "/%s", rel);
		return open(abs, flags | O_CLOEXEC);
	}
	struct open_how how;
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	long fd = syscall(SYS_openat2, r->fd, rel, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
		/* Before Linux 5.6 (or a seccomp filter refusing it): absolute
		 * links then resolve on the host, which only matters for
		 * images and test trees. */
		fd = openat(r->fd, rel, flags | O_CLOEXEC);
	}
	return (int)fd;
}

/* Reads all of fd (closed here) into a new NUL-terminated buffer.
 * 0 ok; -1 with e (E_TOOLARGE past max, E_IO). */
static int read_fd(int fd, const char *name, size_t max, char **out,
		   size_t *len, struct err *e)
{
	char what[PATH_MAX + 64];
	struct stat st;
	char *p = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;

	*out = NULL;
	*len = 0;
	if (fstat(fd, &st) != 0)
		goto io;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto io;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
		goto big;
	for (;;) {
		if (cap - n < 2) {
			size_t ncap = cap ? cap * 2 : 64 * 1024;
			if (S_ISREG(st.st_mode) && cap == 0 &&
			    (size_t)st.st_size + 2 > ncap)
				ncap = (size_t)st.st_size + 2;
			if (ncap > max + 2)
				ncap = max + 2;
			char *np = realloc(p, ncap);
			if (np == NULL) {
				err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
				goto out;
			}
			p = np;
			cap = ncap;
		}
		ssize_t got = read(fd, p + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto io;
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max)
			goto big;
	}
	if (p == NULL) {
		p = malloc(1);
		if (p == NULL) {
			err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			goto out;
		}
	}
	p[n] = '\0';
	*out = p;
	*len = n;
	p = NULL;
	rc = 0;
	goto out;
big:
	snprintf(what, sizeof(what), "%s: file over %zu bytes", name, max);
	err_set(e, E_TOOLARGE, MSG_IO, what);
	goto out;
io:
	snprintf(what, sizeof(what), "%s: %s", name, strerror(errno));
	err_set(e, E_IO, MSG_IO, what);
out:
	free(p);
	close(fd);
	return rc;
}

/* Reads rel under root. 0 read, 1 absent (ENOENT/ENOTDIR), -1 error. */
static int root_read(const struct root *r, const char *rel, size_t max,
		     char **out, size_t *len, struct err *e)
{
	char name[PATH_MAX + 64];
	root_name(r, rel, name, sizeof(name));
	*out = NULL;
	*len = 0;
	int fd = root_openat(r, rel, O_RDONLY);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		char what[PATH_MAX + 128];
		snprintf(what, sizeof(what), "%s: %s", name, strerror(errno));
		return err_set(e, E_IO, MSG_IO, what);
	}
	return read_fd(fd, name, max, out, len, e);
}

/* ---- small text helpers ---- */

static int is_blank_char(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Trims blanks (and \r) on both sides of [*p, *p + *n). */
static void trim(const char **p, size_t *n)
{
	while (*n > 0 && is_blank_char(**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && is_blank_char((*p)[*n - 1]))
		(*n)--;
}

/* A JSON string of at most INVENTORY_MAX_STRING bytes, UTF-8, no NUL;
 * NULL otherwise (the caller decides whether that is an error). */
static json_t *jstr_checked(const char *p, size_t n)
{
	if (n > INVENTORY_MAX_STRING || memchr(p, '\0', n) != NULL)
		return NULL;
	return json_stringn(p, n);
}

/* Sets key to a string, dropping a value that is not one (bad UTF-8, too
 * long): for facts like PRETTY_NAME whose absence is harmless. */
static void set_soft(json_t *o, const char *key, const char *p, size_t n)
{
	json_t *v = jstr_checked(p, n);
	if (v != NULL && n > 0)
		json_object_set_new(o, key, v);
	else
		json_decref(v);
}

/* ---- dpkg ---- */

struct dfield {
	const char *p;
	size_t n;
	unsigned line;
	int set;
};

struct stanza {
	struct dfield pkg, status, version, arch, source;
	unsigned line;      /* first line, 0 when empty */
};

/* "want flag state": installed when there are three words and the third
 * is "installed" (dpkg's own rule; config-files, half-installed, unpacked
 * are not). */
static int status_installed(const char *p, size_t n)
{
	const char *word[4];
	size_t wlen[4];
	int words = 0;
	size_t i = 0;
	while (i < n) {
		while (i < n && is_blank_char(p[i]))
			i++;
		if (i == n)
			break;
		size_t start = i;
		while (i < n && !is_blank_char(p[i]))
			i++;
		if (words == 4)
			return 0;
		word[words] = p + start;
		wlen[words] = i - start;
		words++;
	}
	return words == 3 && wlen[2] == 9 && memcmp(word[2], "installed", 9) == 0;
}

/* An error naming the file and line: "path:12: what". */
static int dpkg_bad(int code, const char *name, unsigned line,
		    const char *what, struct err *e)
{
	char msg[PATH_MAX + 96];
	snprintf(msg, sizeof(msg), "%s:%u: %s", name, line, what);
	return err_set(e, code, MSG_IO, msg);
}

/* Adds key = the field's value, or fails naming the file and line. */
static int dpkg_set(json_t *pkg, const char *key, const char *p, size_t n,
		    const char *name, unsigned line, struct err *e)
{
	char what[96];
	if (n > INVENTORY_MAX_STRING) {
		snprintf(what, sizeof(what), "%s over %d bytes", key,
			 INVENTORY_MAX_STRING);
		return dpkg_bad(E_INVALID, name, line, what, e);
	}
	json_t *v = jstr_checked(p, n);
	if (v == NULL) {
		snprintf(what, sizeof(what), "%s is not UTF-8 text", key);
		return dpkg_bad(E_INVALID, name, line, what, e);
	}
	if (json_object_set_new(pkg, key, v) != 0)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	return 0;
}

/* Source: "name" or "name (version)". */
static void split_source(const struct dfield *src, const char **sn,
			 size_t *snl, const char **sv, size_t *svl)
{
	const char *p = src->p;
	size_t n = src->n, i = 0;
	while (i < n && !is_blank_char(p[i]) && p[i] != '(')
		i++;
	*sn = p;
	*snl = i;
	*sv = NULL;
	*svl = 0;
	const char *open = memchr(p + i, '(', n - i);
	if (open != NULL && p[n - 1] == ')') {
		const char *v = open + 1;
		size_t vl = (size_t)(p + n - 1 - v);
		trim(&v, &vl);
		if (vl > 0) {
			*sv = v;
			*svl = vl;
		}
	}
}

static int dpkg_emit(const char *name, const struct stanza *s, int flags,
		     json_t *packages, struct err *e)
{
	int rc = -1;
	json_t *pkg = NULL;

	if (!s->pkg.set || s->pkg.n == 0)
		return 0;
	if (s->status.set) {
		if (!status_installed(s->status.p, s->status.n))
			return 0;
	} else if (!(flags & INVENTORY_DPKG_STATUS_D)) {
		return 0;   /* dpkg always writes Status in its database */
	}
	if (!s->version.set || s->version.n == 0)
		return 0;   /* dpkg-query refuses such a database; skip it */
	if (json_array_size(packages) >= INVENTORY_MAX_PACKAGES) {
		char what[64];
		snprintf(what, sizeof(what), "more than %d packages",
			 INVENTORY_MAX_PACKAGES);
		return dpkg_bad(E_TOOLARGE, name, s->pkg.line, what, e);
	}
	pkg = json_object();
	if (pkg == NULL || json_object_set_new(pkg, "ecosystem",
					       json_string("dpkg")) != 0) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto out;
	}
	if (dpkg_set(pkg, "name", s->pkg.p, s->pkg.n, name, s->pkg.line, e) ||
	    dpkg_set(pkg, "version", s->version.p, s->version.n, name,
		     s->version.line, e))
		goto out;
	if (s->arch.set && s->arch.n > 0 &&
	    dpkg_set(pkg, "arch", s->arch.p, s->arch.n, name, s->arch.line, e))
		goto out;

	/* ${source:Package} / ${source:Version}: the binary's own when the
	 * Source field is absent or names no version. */
	const char *sn = s->pkg.p, *sv = s->version.p;
	size_t snl = s->pkg.n, svl = s->version.n;
	unsigned sline = s->pkg.line;
	if (s->source.set && s->source.n > 0) {
		const char *v;
		size_t vl;
		split_source(&s->source, &sn, &snl, &v, &vl);
		if (v != NULL) {
			sv = v;
			svl = vl;
		}
		sline = s->source.line;
		if (snl == 0) {
			sn = s->pkg.p;
			snl = s->pkg.n;
		}
	}
	if (dpkg_set(pkg, "source", sn, snl, name, sline, e) ||
	    dpkg_set(pkg, "source_version", sv, svl, name, sline, e))
		goto out;
	if (json_array_append_new(packages, pkg) != 0) {
		pkg = NULL;
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto out;
	}
	pkg = NULL;
	rc = 0;
out:
	json_decref(pkg);
	return rc;
}

static int field_is(const char *p, size_t n, const char *want)
{
	size_t l = strlen(want);
	return n == l && strncasecmp(p, want, l) == 0;
}

/* One "Name: value" line into the stanza (fields we do not read are
 * skipped; so are continuation lines, by the caller). */
static void dpkg_field(struct stanza *s, const char *p, size_t n,
		       unsigned line)
{
	const char *colon = memchr(p, ':', n);
	if (colon == NULL)
		return;     /* not a field: dpkg would refuse it; we ignore it */
	size_t kn = (size_t)(colon - p);
	const char *v = colon + 1;
	size_t vn = n - kn - 1;
	struct dfield *f = NULL;
	trim(&v, &vn);
	if (field_is(p, kn, "Package"))
		f = &s->pkg;
	else if (field_is(p, kn, "Status"))
		f = &s->status;
	else if (field_is(p, kn, "Version"))
		f = &s->version;
	else if (field_is(p, kn, "Architecture"))
		f = &s->arch;
	else if (field_is(p, kn, "Source"))
		f = &s->source;
	if (f == NULL || f->set)
		return;
	f->p = v;
	f->n = vn;
	f->line = line;
	f->set = 1;
}

static int line_is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_blank_char(p[i]))
			return 0;
	return 1;
}

int inventory_dpkg_parse(const char *name, const char *data, size_t n,
			 int flags, json_t *packages, struct err *e)
{
	struct stanza s;
	size_t off = 0;
	unsigned line = 0;

	if (!json_is_array(packages))
		return err_set(e, E_INTERNAL, MSG_INTERNAL, "packages");
	if (n > INVENTORY_MAX_FILE) {
		char what[PATH_MAX + 64];
		snprintf(what, sizeof(what), "%s: file over %u bytes", name,
			 INVENTORY_MAX_FILE);
		return err_set(e, E_TOOLARGE, MSG_IO, what);
	}
	memset(&s, 0, sizeof(s));
	while (off < n) {
		const char *p = data + off;
		const char *nl = memchr(p, '\n', n - off);
		size_t len = nl ? (size_t)(nl - p) : n - off;
		line++;
		off += len + (nl != NULL);
		if (len > INVENTORY_MAX_LINE) {
			char what[64];
			snprintf(what, sizeof(what), "line over %u bytes",
				 INVENTORY_MAX_LINE);
			return dpkg_bad(E_TOOLARGE, name, line, what, e);
		}
		if (line_is_blank(p, len)) {
			if (dpkg_emit(name, &s, flags, packages, e) != 0)
				return -1;
			memset(&s, 0, sizeof(s));
			continue;
		}
		if (p[0] == ' ' || p[0] == '\t')
			continue;   /* continuation of a multi-line field */
		if (s.line == 0)
			s.line = line;
		dpkg_field(&s, p, len, line);
	}
	return dpkg_emit(name, &s, flags, packages, e);
}

int inventory_dpkg(const char *path, json_t *packages, struct err *e)
{
	char *data = NULL;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		char what[PATH_MAX + 64];
		snprintf(what, sizeof(what), "%s: %s", path, strerror(errno));
		return err_set(e, errno == ENOENT ? E_NOTFOUND : E_IO, MSG_IO, what);
	}
	if (read_fd(fd, path, INVENTORY_MAX_FILE, &data, &n, e) != 0)
		return -1;
	int rc = inventory_dpkg_parse(path, data, n, 0, packages, e);
	free(data);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* var/lib/dpkg/status.d/<pkg>: one stanza per file on distroless images
 * (their .md5sums companions are not stanzas). Files in name order. */
static int collect_status_d(const struct root *r, json_t *packages,
			    struct err *e)
{
	const char *dirrel = "var/lib/dpkg/status.d";
	char **names = NULL;
	size_t count = 0, cap = 0;
	int rc = -1;
	DIR *d = NULL;

	int fd = root_openat(r, dirrel, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		char name[PATH_MAX + 64], what[PATH_MAX + 128];
		root_name(r, dirrel, name, sizeof(name));
		snprintf(what, sizeof(what), "%s: %s", name, strerror(errno));
		return err_set(e, E_IO, MSG_IO, what);
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return err_set(e, E_IO, MSG_IO, dirrel);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' ||
		    (l > 8 && strcmp(de->d_name + l - 8, ".md5sums") == 0))
			continue;
		if (count == INVENTORY_MAX_PACKAGES) {
			char name[PATH_MAX + 64], what[PATH_MAX + 128];
			root_name(r, dirrel, name, sizeof(name));
			snprintf(what, sizeof(what), "%s: more than %d files",
				 name, INVENTORY_MAX_PACKAGES);
			err_set(e, E_TOOLARGE, MSG_IO, what);
			goto out;
		}
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nn = realloc(names, ncap * sizeof(*names));
			if (nn == NULL) {
				err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
				goto out;
			}
			names = nn;
			cap = ncap;
		}
		names[count] = strdup(de->d_name);
		if (names[count] == NULL) {
			err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			goto out;
		}
		count++;
	}
	if (count > 1)
		qsort(names, count, sizeof(*names), name_cmp);
	for (size_t i = 0; i < count; i++) {
		char rel[PATH_MAX], name[PATH_MAX + 64];
		char *data;
		size_t n;
		snprintf(rel, sizeof(rel), "%s/%s", dirrel, names[i]);
		root_name(r, rel, name, sizeof(name));
		int got = root_read(r, rel, INVENTORY_MAX_FILE, &data, &n, e);
		if (got < 0 && e->code == E_IO) {
			/* A subdirectory or an unreadable file is not a
			 * stanza; the rest of the directory still counts. */
			log_warn("inventory: skipping %s", name);
			err_clear(e);
			continue;
		}
		if (got < 0)
			goto out;
		if (got > 0)
			continue;
		int prc = inventory_dpkg_parse(name, data, n,
					       INVENTORY_DPKG_STATUS_D,
					       packages, e);
		free(data);
		if (prc != 0)
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static int collect_dpkg(const struct root *r, json_t *packages, struct err *e)
{
	const char *rel = "var/lib/dpkg/status";
	char name[PATH_MAX + 64];
	char *data;
	size_t n;
	root_name(r, rel, name, sizeof(name));
	int got = root_read(r, rel, INVENTORY_MAX_FILE, &data, &n, e);
	if (got < 0)
		return -1;
	if (got == 0) {
		int rc = inventory_dpkg_parse(name, data, n, 0, packages, e);
		free(data);
		if (rc != 0)
			return -1;
	}
	return collect_status_d(r, packages, e);
}

/* ---- os-release, kernel, host name ---- */

/* The value of an os-release assignment, unquoted into out (which has room
 * for n bytes): "..." with \" \\ \$ \` escapes, '...' literal, or bare. */
static size_t osr_unquote(const char *v, size_t vn, char *out, size_t n)
{
	size_t o = 0;
	if (vn > 0 && (v[0] == '"' || v[0] == '\'')) {
		char q = v[0];
		for (size_t i = 1; i < vn && o + 1 < n; i++) {
			if (v[i] == q)
				break;
			if (q == '"' && v[i] == '\\' && i + 1 < vn &&
			    strchr("\"\\$`", v[i + 1]) != NULL)
				i++;
			out[o++] = v[i];
		}
	} else {
		for (size_t i = 0; i < vn && o + 1 < n; i++)
			out[o++] = v[i];
	}
	out[o] = '\0';
	return o;
}

void inventory_parse_os_release(const char *data, size_t n, json_t *os)
{
	static const struct { const char *key, *field; } keys[] = {
		{ "ID", "id" }, { "ID_LIKE", "id_like" },
		{ "VERSION_ID", "version_id" },
		{ "VERSION_CODENAME", "codename" },
		{ "PRETTY_NAME", "pretty_name" },
	};
	char val[INVENTORY_MAX_STRING + 2];
	size_t off = 0;

	while (off < n) {
		const char *p = data + off;
		const char *nl = memchr(p, '\n', n - off);
		size_t len = nl ? (size_t)(nl - p) : n - off;
		off += len + (nl != NULL);
		trim(&p, &len);
		if (len == 0 || p[0] == '#')
			continue;
		const char *eq = memchr(p, '=', len);
		if (eq == NULL)
			continue;
		size_t kn = (size_t)(eq - p);
		const char *v = eq + 1;
		size_t vn = len - kn - 1;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			if (kn != strlen(keys[k].key) ||
			    memcmp(p, keys[k].key, kn) != 0)
				continue;
			size_t l = osr_unquote(v, vn, val, sizeof(val));
			set_soft(os, keys[k].field, val, l);
		}
	}
}

static int collect_os(const struct root *r, json_t *os, struct err *e)
{
	static const char *const files[] = { "etc/os-release",
					     "usr/lib/os-release" };
	char *data;
	size_t n;

	if (json_object_set_new(os, "family", json_string("linux")) != 0)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	for (size_t i = 0; i < 2; i++) {
		int got = root_read(r, files[i], SMALL_FILE_MAX, &data, &n, e);
		if (got < 0) {
			/* An odd os-release must not cost the inventory. */
			log_warn("inventory: %s", e->arg);
			err_clear(e);
			continue;
		}
		if (got > 0)
			continue;
		inventory_parse_os_release(data, n, os);
		free(data);
		break;
	}

	if (r->slash) {
		struct utsname u;
		if (uname(&u) == 0)
			set_soft(os, "kernel", u.release, strlen(u.release));
	} else if (root_read(r, "proc/sys/kernel/osrelease", SMALL_FILE_MAX,
			     &data, &n, e) == 0) {
		const char *p = data;
		const char *nl = memchr(p, '\n', n);
		if (nl != NULL)
			n = (size_t)(nl - p);
		trim(&p, &n);
		set_soft(os, "kernel", p, n);
		free(data);
	} else {
		err_clear(e);
	}
	return 0;
}

/* The first line of a hostname(5) file that is not a comment. */
int inventory_first_name(const char *data, size_t n, json_t **out)
{
	size_t off = 0;
	while (off < n) {
		const char *p = data + off;
		const char *nl = memchr(p, '\n', n - off);
		size_t len = nl ? (size_t)(nl - p) : n - off;
		off += len + (nl != NULL);
		trim(&p, &len);
		if (len == 0 || p[0] == '#')
			continue;
		*out = jstr_checked(p, len);
		return *out != NULL;
	}
	return 0;
}

static json_t *collect_hostname(const struct root *r, struct err *e)
{
	static const char *const files[] = { "etc/hostname",
					     "proc/sys/kernel/hostname" };
	json_t *name = NULL;
	char *data;
	size_t n;

	for (size_t i = 0; i < 2 && name == NULL; i++) {
		if (r->slash && i == 1)
			break;      /* gethostname below says the same */
		int got = root_read(r, files[i], SMALL_FILE_MAX, &data, &n, e);
		if (got != 0) {
			err_clear(e);
			continue;
		}
		inventory_first_name(data, n, &name);
		free(data);
	}
	if (name == NULL && r->slash) {
		char host[256];
		if (gethostname(host, sizeof(host)) == 0) {
			host[sizeof(host) - 1] = '\0';
			name = jstr_checked(host, strlen(host));
		}
	}
	return name != NULL ? name : json_string("");
}

/* ---- listening sockets ---- */

/* /proc/net prints an address as the 32-bit words of the kernel's
 * network-order bytes, each with %08X in host order: memcpy of the parsed
 * words gives the bytes back on the host that wrote them. */
static int proc_addr(const char *hex, size_t len, char *out, size_t n)
{
	unsigned char bytes[16];
	if (len != 8 && len != 32)
		return -1;
	for (size_t w = 0; w < len / 8; w++) {
		char word[9];
		memcpy(word, hex + w * 8, 8);
		word[8] = '\0';
		char *end;
		uint32_t v = (uint32_t)strtoul(word, &end, 16);
		if (*end != '\0')
			return -1;
		memcpy(bytes + w * 4, &v, 4);
	}
	return inet_ntop(len == 8 ? AF_INET : AF_INET6, bytes, out,
			 (socklen_t)n) != NULL ? 0 : -1;
}

static int all_zero(const char *hex)
{
	for (; *hex; hex++)
		if (*hex != '0')
			return 0;
	return 1;
}

static int hex4(const char *p, int n)
{
	if (n != 4)
		return 0;
	for (int i = 0; i < 4; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
		      (p[i] >= 'A' && p[i] <= 'F')))
			return 0;
	return 1;
}

/* One table row: "sl: local:port remote:port st ...". */
void inventory_proc_row(const char *line, int tcp, struct svcs *s)
{
	char lhex[40], rhex[40];
	unsigned lport, rport, st;
	int l0 = 0, l1 = 0, r0 = 0, r1 = 0;
	if (sscanf(line, " %*u: %33[0-9A-Fa-f]:%n%x%n %33[0-9A-Fa-f]:%n%x%n %x",
		   lhex, &l0, &lport, &l1, rhex, &r0, &rport, &r1, &st) != 5)
		return;
	/* The kernel writes a port as four hex digits (%04X): a longer one
	 * would be cut to its low bits by %x, a sign or blank read as digits. */
	if (!hex4(line + l0, l1 - l0) || !hex4(line + r0, r1 - r0))
		return;
	if (lport == 0 || lport > 65535)
		return;
	if (tcp && st != 0x0A)          /* TCP_LISTEN */
		return;
	if (!tcp && (st != 0x07 || rport != 0 || !all_zero(rhex)))
		return;                 /* UDP: bound, not connected */
	if (s->n >= (size_t)INVENTORY_MAX_SERVICES * 4) {
		s->capped = 1;
		return;
	}
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		struct svc *nv = realloc(s->v, ncap * sizeof(*nv));
		if (nv == NULL) {
			s->capped = 1;
			return;
		}
		s->v = nv;
		s->cap = ncap;
	}
	struct svc *v = &s->v[s->n];
	if (proc_addr(lhex, strlen(lhex), v->addr, sizeof(v->addr)) != 0)
		return;
	snprintf(v->proto, sizeof(v->proto), "%s", tcp ? "tcp" : "udp");
	v->port = lport;
	s->n++;
}

static void proc_table(const struct root *r, const char *rel, int tcp,
		       struct svcs *s)
{
	char line[PROC_LINE_MAX];
	int fd = root_openat(r, rel, O_RDONLY);
	if (fd < 0)
		return;         /* no such table: no IPv6, or a test tree */
	FILE *f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return;
	}
	int first = 1, partial = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t l = strlen(line);
		int whole = l > 0 && line[l - 1] == '\n';
		/* The tail of an over-long line, and the header, are no rows. */
		if (!partial && !first)
			inventory_proc_row(line, tcp, s);
		if (whole)
			first = 0;
		partial = !whole;
	}
	fclose(f);
}

static int svc_cmp(const void *a, const void *b)
{
	const struct svc *x = a, *y = b;
	int c = strcmp(x->proto, y->proto);
	if (c != 0)
		return c;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return strcmp(x->addr, y->addr);
}

static int collect_services(const struct root *r, json_t *out, struct err *e)
{
	static const struct { const char *rel; int tcp; } tables[] = {
		{ "proc/net/tcp", 1 }, { "proc/net/tcp6", 1 },
		{ "proc/net/udp", 0 }, { "proc/net/udp6", 0 },
	};
	struct svcs s = { NULL, 0, 0, 0 };
	int rc = -1;

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		proc_table(r, tables[i].rel, tables[i].tcp, &s);
	if (s.n > 1)
		qsort(s.v, s.n, sizeof(*s.v), svc_cmp);
	size_t kept = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (i > 0 && svc_cmp(&s.v[i], &s.v[i - 1]) == 0)
			continue;
		if (kept == INVENTORY_MAX_SERVICES) {
			s.capped = 1;
			break;
		}
		json_t *o = json_pack("{s:s, s:s, s:i}", "proto", s.v[i].proto,
				      "address", s.v[i].addr,
				      "port", (json_int_t)s.v[i].port);
		if (o == NULL || json_array_append_new(out, o) != 0) {
			err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			goto out;
		}
		kept++;
	}
	if (s.capped)
		log_warn("inventory: more than %d listening sockets; kept %zu",
			 INVENTORY_MAX_SERVICES, kept);
	rc = 0;
out:
	free(s.v);
	return rc;
}

/* ---- addresses ---- */

static int collect_addresses(const struct root *r, json_t *out, struct err *e)
{
	struct ifaddrs *ifa = NULL;
	if (!r->slash)
		return 0;       /* a tree has no interfaces of its own */
	if (getifaddrs(&ifa) != 0) {
		log_warn("inventory: getifaddrs: %s", strerror(errno));
		return 0;
	}
	int rc = 0;
	for (struct ifaddrs *i = ifa; i != NULL; i = i->ifa_next) {
		char buf[INET6_ADDRSTRLEN];
		const void *a;
		if (i->ifa_addr == NULL || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		int fam = i->ifa_addr->sa_family;
		if (fam == AF_INET) {
			a = &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr;
		} else if (fam == AF_INET6) {
			const struct in6_addr *a6 =
				&((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr;
			/* fe80::/10 is on every interface and names nothing. */
			if (IN6_IS_ADDR_LINKLOCAL(a6) || IN6_IS_ADDR_LOOPBACK(a6))
				continue;
			a = a6;
		} else {
			continue;
		}
		if (inet_ntop(fam, a, buf, sizeof(buf)) == NULL)
			continue;
		size_t k, seen = 0;
		json_t *v;
		json_array_foreach(out, k, v)
			if (strcmp(json_string_value(v), buf) == 0)
				seen = 1;
		if (seen)
			continue;
		if (json_array_size(out) >= INVENTORY_MAX_ADDRESSES)
			break;
		if (json_array_append_new(out, json_string(buf)) != 0) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
	}
	freeifaddrs(ifa);
	return rc;
}

/* ---- the document ---- */

json_t *inventory_collect(const char *root, struct err *e)
{
	struct root r;
	struct err ignored;
	char now[TIME_RFC3339_LEN];
	json_t *doc = NULL, *os = NULL, *pkgs = NULL, *svcs = NULL,
	       *addrs = NULL, *host = NULL;

	if (e == NULL)
		e = &ignored;   /* the collectors read e->code */
	err_clear(e);
	if (root_open(&r, root, e) != 0)
		return NULL;
	os = json_object();
	pkgs = json_array();
	svcs = json_array();
	addrs = json_array();
	if (os == NULL || pkgs == NULL || svcs == NULL || addrs == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto fail;
	}
	host = collect_hostname(&r, e);
	if (host == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto fail;
	}
	if (collect_os(&r, os, e) != 0 || collect_dpkg(&r, pkgs, e) != 0 ||
	    collect_services(&r, svcs, e) != 0 ||
	    collect_addresses(&r, addrs, e) != 0)
		goto fail;
#ifdef UNGCUU_WITH_RPM
	if (inventory_rpm(root, pkgs, e) != 0)
		goto fail;
#endif
	doc = json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:o}",
			"schema", INVENTORY_SCHEMA,
			"hostname", host,
			"collected_at", time_format_utc(time_now_ms(), now),
			"os", os, "packages", pkgs, "services", svcs,
			"addresses", addrs);
	/* json_pack's "o" steals the references, even on failure. */
	host = os = pkgs = svcs = addrs = NULL;
	if (doc == NULL)
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	root_close(&r);
	return doc;
fail:
	json_decref(host);
	json_decref(os);
	json_decref(pkgs);
	json_decref(svcs);
	json_decref(addrs);
	root_close(&r);
	return NULL;
}
