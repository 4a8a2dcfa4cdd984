/*
 * static.c - the built web UI (web/dist), read into memory once at start and
 * served from there: gzip-compressed copies for clients that accept them,
 * ETags, and long-lived caching for Vite's content-hashed assets/.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <microhttpd.h>
#include <zlib.h>

#include "http.h"
#include "../base/crypto.h"
#include "../base/log.h"
#include "../base/banned.h"

#define STATIC_MAX_FILES 512
#define STATIC_MAX_FILE (8 * 1024 * 1024)

struct static_file {
	char *path;          /* "/assets/index-abc.js" */
	char *data, *gz;
	size_t len, gz_len;
	const char *ctype;
	char etag[20];
};

struct static_files {
	struct static_file files[STATIC_MAX_FILES];
	size_t n;
};

static const char *ctype_of(const char *path)
{
	static const struct { const char *ext, *ctype; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].ctype;
	return "application/octet-stream";
}

static void gzip_copy(struct static_file *f)
{
	z_stream z = { 0 };
	if (f->len < 512 || strncmp(f->ctype, "image/png", 9) == 0 ||
	    strncmp(f->ctype, "font/", 5) == 0)
		return;
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	size_t cap = deflateBound(&z, f->len);
	f->gz = malloc(cap);
	if (f->gz == NULL) {
		deflateEnd(&z);
		return;
	}
	z.next_in = (unsigned char *)f->data;
	z.avail_in = (unsigned)f->len;
	z.next_out = (unsigned char *)f->gz;
	z.avail_out = (unsigned)cap;
	if (deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < f->len) {
		f->gz_len = z.total_out;
	} else {
		free(f->gz);
		f->gz = NULL;
	}
	deflateEnd(&z);
}

static void load_dir(struct static_files *s, const char *root, const char *rel)
{
	char dirpath[1024];
	snprintf(dirpath, sizeof(dirpath), "%s%s", root, rel);
	DIR *d = opendir(dirpath);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && s->n < STATIC_MAX_FILES) {
		if (de->d_name[0] == '.')
			continue;
		char relpath[1024], full[2048];
		struct stat sb;
		snprintf(relpath, sizeof(relpath), "%s/%s", rel, de->d_name);
		snprintf(full, sizeof(full), "%s%s", root, relpath);
		if (lstat(full, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			load_dir(s, root, relpath);
			continue;
		}
		if (!S_ISREG(sb.st_mode) || sb.st_size > STATIC_MAX_FILE)
			continue;
		FILE *fp = fopen(full, "rb");
		if (fp == NULL)
			continue;
		struct static_file *f = &s->files[s->n];
		f->len = (size_t)sb.st_size;
		f->data = malloc(f->len + 1);
		if (f->data && fread(f->data, 1, f->len, fp) == f->len) {
			char hash[SHA256_HEX_LEN];
			f->path = strdup(relpath);
			f->ctype = ctype_of(relpath);
			snprintf(f->etag, sizeof(f->etag), "\"%.16s\"", sha256_hex(f->data, f->len, hash));
			gzip_copy(f);
			s->n++;
		} else {
			free(f->data);
			f->data = NULL;
		}
		fclose(fp);
	}
	closedir(d);
}

struct static_files *static_load(const char *dir)
{
	struct static_files *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	if (dir)
		load_dir(s, dir, "");
	if (s->n == 0)
		log_warn("no web UI files in %s (build them with `make web`)", dir ? dir : "(none)");
	return s;
}

void static_free(struct static_files *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->files[i].path);
		free(s->files[i].data);
		free(s->files[i].gz);
	}
	free(s);
}

static const char no_ui[] =
	"<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>ungcuu</title>"
	"<p>Giao diện web chưa được xây dựng: chạy <code>make web</code>.</p>"
	"<p>The web UI is not built: run <code>make web</code>.</p></html>";

int static_serve(struct req *r, struct static_files *s)
{
	const char *path = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
	struct static_file *f = NULL;
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->files[i].path, path) == 0)
			f = &s->files[i];
	if (f == NULL) {
		if (strcmp(path, "/index.html") != 0)
			return -1;
		r->status = 200;
		r->ctype = "text/html; charset=utf-8";
		r->out_static = no_ui;
		r->out_len = sizeof(no_ui) - 1;
		return 0;
	}
	int immutable = strncmp(path, "/assets/", 8) == 0;
	r->extra_header[0][0] = MHD_HTTP_HEADER_CACHE_CONTROL;
	r->extra_header[0][1] = immutable ? "public, max-age=31536000, immutable" : "no-cache";
	r->extra_header[1][0] = MHD_HTTP_HEADER_ETAG;
	r->extra_header[1][1] = f->etag;
	const char *inm = req_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
	r->ctype = f->ctype;
	r->extra_header[3][0] = MHD_HTTP_HEADER_VARY;
	r->extra_header[3][1] = "Accept-Encoding";
	if (inm && strcmp(inm, f->etag) == 0) {
		r->status = 304;
		return 0;
	}
	const char *ae = req_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	r->status = 200;
	if (f->gz && ae && strstr(ae, "gzip")) {
		r->out_static = f->gz;
		r->out_len = f->gz_len;
		r->extra_header[2][0] = MHD_HTTP_HEADER_CONTENT_ENCODING;
		r->extra_header[2][1] = "gzip";
	} else {
		r->out_static = f->data;
		r->out_len = f->len;
	}
	return 0;
}
