/*
 * vercmp.c - `ungcuu vercmp ECOSYSTEM A B [--json]` and
 * `ungcuu vercmp ECOSYSTEM --batch [--json]`: compares versions by an
 * ecosystem's rules (domain/vercmp.c) and prints `<`, `=` or `>`, so an
 * administrator can check a vulnerability finding by hand and the tests can
 * hold the comparators against dpkg and librpm.
 *
 * Batch mode reads "A B" pairs, one per line, and prints one answer per
 * line, line-buffered so that another program can drive it line by line.
 * A line it cannot answer (not two fields, an invalid version) gets `?`
 * and one line on stderr naming it; the exit status is then 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "../base/buf.h"
#include "../base/msg.h"
#include "../domain/vuln/vercmp.h"
#include "../base/banned.h"

/* A batch line holds two versions; the comparators are linear and need no
 * copy, so the cap is only there to bound memory: two 1 MiB versions (the
 * size the tests use to check for stack use) fit with room. */
#define VERCMP_LINE_MAX (4 * 1024 * 1024)

static const struct cli_opt opts[] = {
	{ "batch", 0, "đọc từng cặp \"A B\" mỗi dòng từ stdin, in một kết quả mỗi dòng",
	  "read \"A B\" pairs, one per line, from stdin; print one result per line" },
	{ "json", 0, "in kết quả dạng JSON (--batch: một đối tượng mỗi dòng)",
	  "print the result as JSON (--batch: one object per line)" },
	{ NULL, 0, NULL, NULL },
};

static const char *result_sign(int rc)
{
	return rc < 0 ? "<" : rc > 0 ? ">" : "=";
}

/* Prints one result: the sign, or a JSON object (pretty, or one line). */
static void print_result(int eco, const char *a, const char *b, int json, int one_line)
{
	int rc = vercmp(eco, a, b);
	if (!json) {
		puts(result_sign(rc));
		return;
	}
	json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "ecosystem", ecosystem_name(eco),
			      "a", a, "b", b, "result", result_sign(rc));
	if (j == NULL) {   /* not UTF-8: cannot happen for a valid version */
		puts(result_sign(rc));
		return;
	}
	if (one_line) {
		char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
		puts(s ? s : result_sign(rc));
		free(s);
	} else {
		cli_print_json(j);
	}
	json_decref(j);
}

/* "'1.0a' (dpkg)", or "'1.0a' (dpkg, dòng 3)" in batch mode. The version
 * is cut short so the message stays one readable line. */
static void bad_version(int eco, const char *v, long line)
{
	char arg[200], where[40] = "";
	if (line > 0)
		snprintf(where, sizeof(where), ", %s %ld",
			 cli_lang() == LANG_EN ? "line" : "dòng", line);
	snprintf(arg, sizeof(arg), "'%.120s%s' (%s%s)", v, strlen(v) > 120 ? "…" : "",
		 ecosystem_name(eco), where);
	cli_errorf(MSG_BAD_VERSION, arg);
}

static void bad_line(int msg, const char *what, long line)
{
	char arg[200];
	snprintf(arg, sizeof(arg), "%.120s (%s %ld)", what,
		 cli_lang() == LANG_EN ? "line" : "dòng", line);
	cli_errorf(msg, arg);
}

/* Splits a line into blank-separated fields in place; returns how many
 * (counting up to 3: a third field is an error either way). */
static int split_fields(char *s, char *f[3])
{
	int n = 0;
	while (n < 3) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		f[n++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
	return n;
}

/* One batch line (without its newline): 0 answered, -1 answered with `?`. */
static int batch_line(int eco, char *line, long no, int json)
{
	char *f[3];
	int n = split_fields(line, f);
	int ok = 0;
	if (n < 2)
		bad_line(MSG_MISSING_ARG, n == 0 ? "A B" : "B", no);
	else if (n > 2)
		bad_line(MSG_EXTRA_ARG, f[2], no);
	else if (!vercmp_valid(eco, f[0]))
		bad_version(eco, f[0], no);
	else if (!vercmp_valid(eco, f[1]))
		bad_version(eco, f[1], no);
	else
		ok = 1;
	if (!ok) {
		puts("?");
		return -1;
	}
	print_result(eco, f[0], f[1], json, 1);
	return 0;
}

/* Reads one line of stdin into line, without its "\n" or "\r\n". Returns 1
 * for a line, 0 at the end of input, -1 past VERCMP_LINE_MAX (line freed). */
static int read_line(struct buf *line)
{
	char chunk[8192];
	int got = 0;
	buf_reset(line);
	while (fgets(chunk, sizeof(chunk), stdin) != NULL) {
		size_t n = strlen(chunk);
		size_t nl = n > 0 && chunk[n - 1] == '\n';
		got = 1;
		if (buf_add(line, chunk, n - nl) != 0)
			return -1;
		if (nl)
			break;
	}
	if (!got)
		return 0;
	if (line->len > 0 && line->p[line->len - 1] == '\r')
		line->p[--line->len] = '\0';
	return 1;
}

/* Answers every line of stdin; returns the exit status. */
static int batch(int eco, int json)
{
	struct buf line;
	long no = 0;
	int rc = 0, got;
	setvbuf(stdout, NULL, _IOLBF, 0);
	buf_init(&line, VERCMP_LINE_MAX);
	for (;;) {
		got = read_line(&line);
		if (got <= 0)
			break;
		if (batch_line(eco, line.p, ++no, json) != 0)
			rc = EXIT_USAGE;
	}
	if (got < 0) {
		char max[32];
		snprintf(max, sizeof(max), "%d", VERCMP_LINE_MAX);
		cli_errorf(MSG_TOO_LONG, max);
		rc = EXIT_USAGE;
	} else if (ferror(stdin)) {
		cli_errorf(MSG_IO, "stdin");
		rc = EXIT_USAGE;
	}
	buf_release(&line);
	return rc;
}

int cmd_vercmp(int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse(argc, argv, opts,
		"ungcuu vercmp dpkg|rpm|semver|generic A B [--json]\n"
		"           ungcuu vercmp dpkg|rpm|semver|generic --batch [--json] < PAIRS",
		"So sánh hai số phiên bản theo quy tắc của hệ sinh thái và in '<' (A cũ hơn B), "
		"'=' (bằng nhau) hoặc '>' (A mới hơn B).\n"
		"  dpkg     Debian, Ubuntu: [epoch:]upstream[-revision], '~' đứng trước mọi thứ\n"
		"  rpm      Red Hat, AlmaLinux, Rocky, SUSE: [epoch:]version[-release] (rpmvercmp)\n"
		"  semver   npm, Go, crates.io: semver 2.0.0, chấp nhận 'v' thường ở đầu (không nhận 'V')\n"
		"  generic  PyPI, Maven và các hệ khác: so sánh theo dấu chấm, hiểu dev/a/b/rc/post\n"
		"Cũng nhận tên hệ sinh thái của OSV (\"Debian:12\", \"Red Hat\", \"PyPI\"...). "
		"Phiên bản không hợp lệ theo hệ sinh thái: thoát mã 2.",
		"Compares two versions by an ecosystem's rules and prints '<' (A is older than "
		"B), '=' (equal) or '>' (A is newer than B).\n"
		"  dpkg     Debian, Ubuntu: [epoch:]upstream[-revision], '~' sorts before all\n"
		"  rpm      Red Hat, AlmaLinux, Rocky, SUSE: [epoch:]version[-release] (rpmvercmp)\n"
		"  semver   npm, Go, crates.io: semver 2.0.0, a leading lower-case 'v' accepted (not 'V')\n"
		"  generic  PyPI, Maven and the rest: dotted, knows dev/a/b/rc/post\n"
		"OSV ecosystem names (\"Debian:12\", \"Red Hat\", \"PyPI\"...) work too. "
		"A version that is invalid for the ecosystem: exit status 2.", &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	int json = cli_get(&a, opts, "json") != NULL;
	int is_batch = cli_get(&a, opts, "batch") != NULL;
	int want = is_batch ? 1 : 3;
	rc = EXIT_USAGE;
	if (a.npos == 0) {
		cli_errorf(MSG_MISSING_ARG, "dpkg|rpm|semver|generic");
		goto out;
	}
	int eco = ecosystem_from(a.pos[0]);
	if (eco == ECO_UNKNOWN) {
		cli_errorf(MSG_UNKNOWN_ECOSYSTEM, a.pos[0]);
		goto out;
	}
	if (a.npos < want) {
		cli_errorf(MSG_MISSING_ARG, a.npos == 1 ? "A B" : "B");
		goto out;
	}
	if (a.npos > want) {
		cli_errorf(MSG_EXTRA_ARG, a.pos[want]);
		goto out;
	}
	if (is_batch) {
		rc = batch(eco, json);
		goto out;
	}
	for (int i = 1; i <= 2; i++) {
		if (!vercmp_valid(eco, a.pos[i])) {
			bad_version(eco, a.pos[i], 0);
			goto out;
		}
	}
	print_result(eco, a.pos[1], a.pos[2], json, 0);
	rc = 0;
out:
	cli_args_release(&a);
	return rc;
}
