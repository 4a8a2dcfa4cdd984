/*
 * sweep.c - `ungcuu sweep --rules FILE... PATH...`: a local IOC sweep (like
 * `yara -r` or `clamscan`) with YARA rules, hashes, file names and the
 * IPs, domains, URLs and e-mail addresses of an indicator set, over files
 * and text logs (agent/sweep.h). No server is needed.
 *
 * Output: a table of hits (sorted by path and line) on stdout, or with
 * --json one JSON object a hit, as found (JSON Lines):
 *   {"path":"…","kind":"yara|hash|ip|domain|url|email|filename",
 *    "indicator":"…", "line":N, "match":"…",     (line, match: log hits)
 *    "sha256":"…"}     (the SHA-256 of the file with the hit)
 *   "path_escaped":true  (only when the path is not UTF-8 text)
 * A path that is not UTF-8 text still names its file: each byte that is
 * not part of a UTF-8 character is written as \xNN (two lower-case hex
 * digits) and each backslash as \\, so the bytes can be recovered, and
 * the JSON object says "path_escaped":true. The table writes a path that
 * is not UTF-8 or holds control characters (a newline) the same way, the
 * control characters as \xNN too, so one hit stays one line.
 * Progress (on a terminal), problems and the summary go to stderr.
 * Exit status: 1 something matched; 0 nothing did and every file was read;
 * 2 an error (bad rules or options; or files that could not be read and
 * nothing matched).
 *
 * Options are parsed here rather than by cli_parse: --rules repeats with
 * paths that may hold commas, and a sweep takes any number of paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "../agent/sweep.h"
#include "../base/msg.h"
#include "../base/utf8.h"
#include "../base/banned.h"

static const struct cli_opt opts[] = {
	{ "rules", 2, "tệp luật: YARA, gói STIX 2.1, sự kiện MISP hoặc danh sách chỉ dấu "
		      "(mỗi dòng một chỉ dấu, có thể ghi LOẠI:GIÁ_TRỊ, đọc như `ungcuu import "
		      "list`); lặp lại được",
	  "rules file: YARA, a STIX 2.1 bundle, a MISP event or a list of indicators (one a "
	  "line, KIND:VALUE allowed, read as `ungcuu import list` reads it); repeatable" },
	{ "server", 1, "nạp thêm các chỉ dấu đang hiệu lực mà máy chủ ungcuu này chia sẻ cho tổ chức "
		       "của bạn (cần UNGCUU_TOKEN)",
	  "also load the active indicators this ungcuu server shares with your organisation "
	  "(needs UNGCUU_TOKEN)" },
	{ "json", 0, "in mỗi kết quả một dòng JSON (JSON Lines)", "print one JSON object a hit (JSON Lines)" },
	{ "threads", 1, "số luồng quét (mặc định: mỗi nhân một luồng)", "workers (default: one per core)" },
	{ "max-size", 1, "bỏ qua tệp lớn hơn cỡ này, vd. 64M, 2G (mặc định 256M; tệp nhật ký vẫn được "
			 "đọc, không quét YARA)",
	  "skip files larger than this, e.g. 64M, 2G (default 256M; logs are still read, without "
	  "YARA)" },
	{ "follow-symlinks", 0, "đi theo liên kết tượng trưng", "follow symbolic links" },
	{ "all-filesystems", 0, "quét cả các hệ thống tệp khác được gắn bên trong",
	  "cross into other file systems mounted below the paths" },
	{ "quiet", 0, "không in tiến độ và tổng kết", "print no progress or summary" },
	{ NULL, 0, NULL, NULL },
};

static const char usage[] =
	"ungcuu sweep [--rules FILE]... [--server URL] [--json] PATH...";
static const char about_vi[] =
	"Dò dấu hiệu tấn công (IOC) trên máy này: luật YARA, mã băm (MD5, SHA-1, SHA-256) và tên "
	"tệp trên mọi tệp; địa chỉ IP, dải CIDR, tên miền (cả tên miền con), URL và email trong "
	"nhật ký (*.log, access.log*, syslog*, auth.log*, messages*, *.jsonl; cả tệp .gz). Tên "
	"miền so ở dạng punycode: tên miền Unicode trong tệp luật được chuyển, trong nhật ký thì "
	"không. Với --json, mỗi kết quả một dòng: path, kind (yara, hash, ip, domain, url, email, "
	"filename), indicator, line, match nếu ở trong nhật ký, và sha256 của tệp. Không cần máy chủ; "
	"với --server URL (và UNGCUU_TOKEN) thì nạp thêm các chỉ dấu đang hiệu lực máy chủ chia sẻ "
	"cho tổ chức của bạn. Mã thoát: 1 "
	"có kết quả, 0 không có và mọi tệp đều đọc được, 2 lỗi (kể cả có tệp không đọc được).";
static const char about_en[] =
	"Sweeps this host for indicators of compromise: YARA rules, hashes (MD5, SHA-1, SHA-256) "
	"and file names on every file; IPs, CIDR blocks, domains (and their subdomains), URLs and "
	"e-mail addresses in text logs (*.log, access.log*, syslog*, auth.log*, messages*, "
	"*.jsonl; gzipped too). Domains are compared as punycode: Unicode names in rules files "
	"are converted, names in logs are not. With --json, one line a hit: path, kind (yara, "
	"hash, ip, domain, url, email, filename), indicator, line and match inside a log, and "
	"the file's sha256. Needs no server; with --server URL (and UNGCUU_TOKEN) the active "
	"indicators the server shares with your organisation are added to the rules. Exit status: 1 something matched, 0 nothing did and every file was "
	"read, 2 an error (files that could not be read included).";

/* ---- options ---- */

struct args {
	const char *server;
	const char **rules, **paths;
	size_t nrules, npaths;
	int json, quiet;
	struct sweep_opts o;
};

static int parse_size(const char *s, unsigned long long *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	int shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (shift && *end == 'i')
		end++;
	if (*end == 'B')
		end++;
	if (*end != '\0' || v == 0 || v > (~0ULL >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static int parse_threads(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || v < 1 || v > 256)
		return -1;
	*out = (int)v;
	return 0;
}

static int print_help(char *argv0)
{
	char help[] = "--help";
	char *hv[] = { argv0, help, NULL };
	struct cli_args a;
	cli_parse(2, hv, opts, usage, about_vi, about_en, &a);
	cli_args_release(&a);
	return 1;
}

/* 0 parsed, 1 help printed, 2 usage error printed. */
static int parse(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	a->rules = calloc((size_t)argc, sizeof(*a->rules));
	a->paths = calloc((size_t)argc, sizeof(*a->paths));
	if (a->rules == NULL || a->paths == NULL)
		return EXIT_USAGE;
	int dashdash = 0;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (dashdash || arg[0] != '-' || arg[1] == '\0') {
			a->paths[a->npaths++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
			return print_help(argv[0]);
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		int k = -1;
		for (int j = 0; arg[1] == '-' && opts[j].name; j++)
			if (strlen(opts[j].name) == n && strncmp(opts[j].name, name, n) == 0)
				k = j;
		if (k < 0 || (!opts[k].arg && eq)) {
			cli_errorf(MSG_UNKNOWN_OPTION, arg);
			return EXIT_USAGE;
		}
		const char *val = NULL;
		if (opts[k].arg) {
			if (eq) {
				val = eq + 1;
			} else if (i + 1 < argc) {
				val = argv[++i];
			} else {
				cli_errorf(MSG_MISSING_OPTION, arg);
				return EXIT_USAGE;
			}
		}
		const char *o = opts[k].name;
		int bad = 0;
		if (strcmp(o, "rules") == 0)
			a->rules[a->nrules++] = val;
		else if (strcmp(o, "server") == 0)
			a->server = val;
		else if (strcmp(o, "json") == 0)
			a->json = 1;
		else if (strcmp(o, "quiet") == 0)
			a->quiet = 1;
		else if (strcmp(o, "follow-symlinks") == 0)
			a->o.follow_symlinks = 1;
		else if (strcmp(o, "all-filesystems") == 0)
			a->o.all_filesystems = 1;
		else if (strcmp(o, "threads") == 0)
			bad = parse_threads(val, &a->o.threads);
		else if (strcmp(o, "max-size") == 0)
			bad = parse_size(val, &a->o.max_size);
		if (bad) {
			char m[200];
			snprintf(m, sizeof(m), "--%s %s", o, val);
			cli_errorf(MSG_BAD_VALUE, m);
			return EXIT_USAGE;
		}
	}
	if (a->nrules == 0 && a->server == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--rules / --server");
		return EXIT_USAGE;
	}
	if (a->npaths == 0) {
		cli_errorf(MSG_MISSING_ARG, "PATH");
		return EXIT_USAGE;
	}
	return 0;
}

/* ---- output ---- */

struct row {
	char *path;
	int kind;
	const char *indicator;   /* the set's */
	long line;
};

struct out {
	int json, quiet, tty, en;
	int progress_shown;
	struct row *rows;
	size_t nrows, cap;
	int oom;
};

static void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	putc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			putc('\\', f);
			putc(c, f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else {
			size_t l = utf8_seq(p + i, n - i);
			if (l == 0) {
				fputs("\\ufffd", f);
				i++;
			} else {
				fwrite(p + i, 1, l, f);
				i += l;
			}
		}
	}
	putc('"', f);
}

static void clear_progress(struct out *o)
{
	if (o->progress_shown) {
		fputs("\r\033[K", stderr);
		o->progress_shown = 0;
	}
}

static void on_hits(void *ctx, const char *path, const struct sweep_hit *h, size_t n,
		    unsigned long long truncated)
{
	struct out *o = ctx;
	clear_progress(o);
	for (size_t i = 0; i < n; i++) {
		if (o->json) {
			char *esc;
			int escaped = sweep_path_escape(path, 0, &esc);
			if (escaped < 0) {
				o->oom = 1;
				return;
			}
			fputs("{\"path\":", stdout);
			json_str(stdout, escaped ? esc : path);
			free(esc);
			if (escaped)
				fputs(",\"path_escaped\":true", stdout);
			fprintf(stdout, ",\"kind\":\"%s\",\"indicator\":", sweep_kind_name(h[i].kind));
			json_str(stdout, h[i].indicator);
			if (h[i].line > 0)
				fprintf(stdout, ",\"line\":%ld", h[i].line);
			if (h[i].match) {
				fputs(",\"match\":", stdout);
				json_str(stdout, h[i].match);
			}
			if (h[i].sha256)
				fprintf(stdout, ",\"sha256\":\"%s\"", h[i].sha256);
			fputs("}\n", stdout);
			continue;
		}
		if (o->nrows == o->cap) {
			size_t cap = o->cap ? o->cap * 2 : 64;
			struct row *r = realloc(o->rows, cap * sizeof(*r));
			if (r == NULL) {
				o->oom = 1;
				return;
			}
			o->rows = r;
			o->cap = cap;
		}
		char *p;
		int escaped = sweep_path_escape(path, 1, &p);
		if (escaped == 0)
			p = strdup(path);
		if (p == NULL) {
			o->oom = 1;
			return;
		}
		o->rows[o->nrows++] = (struct row){ p, h[i].kind, h[i].indicator, h[i].line };
	}
	if (o->json)
		fflush(stdout);
	if (truncated) {
		char arg[64];
		snprintf(arg, sizeof(arg), "%llu", truncated);
		size_t l = strlen(path) + strlen(arg) + 3;
		char *m = malloc(l);
		if (m)
			snprintf(m, l, "%s: %s", path, arg);
		char *esc = NULL;
		if (m && sweep_path_escape(m, 1, &esc) < 0)
			o->oom = 1;
		cli_errorf(MSG_SWEEP_TRUNCATED, esc ? esc : m ? m : path);
		free(esc);
		free(m);
	}
}

static void on_problem(void *ctx, int msg, const char *arg)
{
	struct out *o = ctx;
	clear_progress(o);
	char *esc = NULL;
	if (arg && sweep_path_escape(arg, 1, &esc) < 0)
		o->oom = 1;
	cli_errorf(msg, esc ? esc : arg);
	free(esc);
}

static void human_bytes(unsigned long long b, char *out, size_t n)
{
	if (b >= 1ULL << 30)
		snprintf(out, n, "%.2f GB", (double)b / 1e9);
	else
		snprintf(out, n, "%.1f MB", (double)b / 1e6);
}

static void on_progress(void *ctx, const struct sweep_stats *st)
{
	struct out *o = ctx;
	if (o->quiet || !o->tty || st->seconds <= 0)
		return;
	char b[32];
	human_bytes(st->bytes, b, sizeof(b));
	fprintf(stderr, o->en ? "\r\033[K%llu files, %s, %.0f files/s, %.1f MB/s, %llu hits"
			      : "\r\033[K%llu tệp, %s, %.0f tệp/s, %.1f MB/s, %llu kết quả",
		st->files, b, (double)st->files / st->seconds,
		(double)st->bytes / 1e6 / st->seconds, st->hits);
	o->progress_shown = 1;
}

static void on_warn(void *ctx, int msg, const char *arg)
{
	(void)ctx;
	cli_errorf(msg, arg);
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void print_table(struct out *o)
{
	const char *h[4] = { o->en ? "KIND" : "LOẠI", o->en ? "INDICATOR" : "CHỈ DẤU",
			     o->en ? "LINE" : "DÒNG", o->en ? "PATH" : "ĐƯỜNG DẪN" };
	size_t wk = width(h[0]), wi = width(h[1]), wl = width(h[2]);
	if (o->nrows == 0)
		return;
	if (o->nrows > 1) /* qsort(NULL, 0) is undefined */
		qsort(o->rows, o->nrows, sizeof(*o->rows), row_cmp);
	for (size_t i = 0; i < o->nrows; i++) {
		size_t k = strlen(sweep_kind_name(o->rows[i].kind)), iw = width(o->rows[i].indicator);
		wk = k > wk ? k : wk;
		wi = iw > wi ? (iw > 64 ? 64 : iw) : wi;
		if (o->rows[i].line > 0) {
			char n[24];
			size_t l = (size_t)snprintf(n, sizeof(n), "%ld", o->rows[i].line);
			wl = l > wl ? l : wl;
		}
	}
	printf("%s%*s  %s%*s  %s%*s  %s\n", h[0], (int)(wk - width(h[0])), "", h[1],
	       (int)(wi - width(h[1])), "", h[2], (int)(wl - width(h[2])), "", h[3]);
	for (size_t i = 0; i < o->nrows; i++) {
		const struct row *r = &o->rows[i];
		char line[24] = "-";
		if (r->line > 0)
			snprintf(line, sizeof(line), "%ld", r->line);
		size_t iw = width(r->indicator);
		printf("%-*s  %s%*s  %*s  %s\n", (int)wk, sweep_kind_name(r->kind), r->indicator,
		       (int)(iw < wi ? wi - iw : 0), "", (int)wl, line, r->path);
	}
}

static void print_counts(const struct sweep_set *s, int en)
{
	size_t c[SWEEP__KINDS];
	sweep_set_counts(s, c);
	fprintf(stderr, "%s:", en ? "indicators" : "chỉ dấu");
	for (int k = 0; k < SWEEP__KINDS; k++)
		if (c[k])
			fprintf(stderr, " %s %zu", sweep_kind_name(k), c[k]);
	fputc('\n', stderr);
}

static void print_summary(const struct sweep_stats *st, int en)
{
	char b[32];
	human_bytes(st->bytes, b, sizeof(b));
	fprintf(stderr, en ? "swept %llu files (%s) in %.2f s: %llu hits, %llu unreadable"
			   : "đã quét %llu tệp (%s) trong %.2f s: %llu kết quả, %llu không đọc được",
		st->files, b, st->seconds, st->hits, st->errors);
	if (st->skipped_large || st->skipped_links || st->skipped_special || st->skipped_mounts)
		fprintf(stderr, en ? "; skipped %llu larger than --max-size, %llu links, %llu "
				     "special files, %llu other file systems"
				   : "; bỏ qua %llu tệp quá cỡ --max-size, %llu liên kết, %llu tệp "
				     "đặc biệt, %llu hệ thống tệp khác",
			st->skipped_large, st->skipped_links, st->skipped_special,
			st->skipped_mounts);
	fputc('\n', stderr);
}

/* The server's active indicators for the token's organisation (the TLP
 * rule applied by the server), as a STIX bundle into the set. */
static int load_server(struct sweep_set *set, const char *url, struct err *e)
{
	struct client cl = { url, getenv("UNGCUU_TOKEN") };
	json_t *me = NULL, *bundle = NULL;
	char path[200];
	if (cl.token == NULL || *cl.token == '\0') {
		cli_errorf(MSG_MISSING_OPTION, "UNGCUU_TOKEN");
		return -1;
	}
	int st = client_call(&cl, "GET", "/api/v1/session", NULL, -1, &me);
	if (st != 200) {
		if (st > 0)
			client_problem(st, me);
		return -1;
	}
	const char *code = json_string_value(json_object_get(json_object_get(
		json_object_get(me, "user"), "org"), "code"));
	snprintf(path, sizeof(path), "/api/v1/indicators/export/stix?active=true&to=%s",
		 code ? code : "");
	json_decref(me);
	st = client_call(&cl, "GET", path, NULL, -1, &bundle);
	if (st != 200) {
		if (st > 0)
			client_problem(st, bundle);
		return -1;
	}
	char *text = json_dumps(bundle, JSON_COMPACT);
	json_decref(bundle);
	if (text == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	int rc = sweep_set_load_mem(set, url, text, strlen(text), e);
	free(text);
	return rc;
}

int cmd_sweep(int argc, char **argv)
{
	struct args a;
	struct err e = { 0 };
	struct sweep_stats st;
	struct sweep_set *set = NULL;
	struct out o = { 0 };
	struct sweep_sink sink = { on_hits, on_problem, on_progress, &o };
	int rc = parse(argc, argv, &a);
	if (rc != 0) {
		rc = rc == 1 ? 0 : EXIT_USAGE;
		goto out;
	}
	o.json = a.json;
	o.quiet = a.quiet;
	o.tty = isatty(STDERR_FILENO);
	o.en = cli_lang() == LANG_EN;
	rc = EXIT_USAGE;
	set = sweep_set_new(on_warn, &o);
	if (set == NULL)
		goto out;
	for (size_t i = 0; i < a.nrules; i++)
		if (sweep_set_load(set, a.rules[i], &e) != 0) {
			cli_error(&e);
			goto out;
		}
	if (a.server && load_server(set, a.server, &e) != 0) {
		if (e.code)
			cli_error(&e);
		goto out;
	}
	if (sweep_set_finish(set, &e) != 0) {
		cli_error(&e);
		goto out;
	}
	if (sweep_set_total(set) == 0) {
		cli_errorf(MSG_SWEEP_NOTHING, a.nrules ? a.rules[0] : a.server);
		goto out;
	}
	if (!a.quiet)
		print_counts(set, o.en);
	if (sweep_run(set, a.paths, a.npaths, &a.o, &sink, &st, &e) != 0) {
		cli_error(&e);
		goto out;
	}
	clear_progress(&o);
	if (!o.json)
		print_table(&o);
	fflush(stdout);
	if (!a.quiet)
		print_summary(&st, o.en);
	rc = st.hits > 0 ? 1 : (st.errors > 0 || o.oom) ? EXIT_USAGE : 0;
out:
	for (size_t i = 0; i < o.nrows; i++)
		free(o.rows[i].path);
	free(o.rows);
	sweep_set_free(set);
	free(a.rules);
	free(a.paths);
	return rc;
}
