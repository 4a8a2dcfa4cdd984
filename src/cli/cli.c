/* cli.c - what the commands share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "instance.h"
#include "../base/msg.h"
#include "../domain/directory/audit.h"
#include "../store/store.h"
#include "../base/banned.h"

int cli_lang(void)
{
	const char *l = getenv("UNGCUU_LANG");
	if (l == NULL)
		l = getenv("LANG");
	return l && strncmp(l, "en", 2) == 0 ? LANG_EN : LANG_VI;
}

static void print_help(const struct cli_opt *opts, const char *usage,
		       const char *about_vi, const char *about_en)
{
	int en = cli_lang() == LANG_EN;
	printf("%s: %s\n\n%s\n", en ? "usage" : "cách dùng", usage, en ? about_en : about_vi);
	printf("\n%s:\n", en ? "options" : "tùy chọn");
	for (const struct cli_opt *o = opts; o->name; o++) {
		char left[64];
		snprintf(left, sizeof(left), "--%s%s", o->name, o->arg ? " X" : "");
		printf("  %-24s %s\n", left, en ? o->help_en : o->help_vi);
	}
	printf("  %-24s %s\n", "--help", en ? "show this help" : "hiện trợ giúp này");
}

int cli_parse(int argc, char **argv, const struct cli_opt *opts, const char *usage,
	      const char *about_vi, const char *about_en, struct cli_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			print_help(opts, usage, about_vi, about_en);
			return 1;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			if (a->npos == 8) {
				cli_errorf(MSG_UNKNOWN_OPTION, arg);
				return EXIT_USAGE;
			}
			a->pos[a->npos++] = arg;
			continue;
		}
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		int k = -1;
		for (int j = 0; opts[j].name; j++)
			if (strlen(opts[j].name) == n && strncmp(opts[j].name, name, n) == 0)
				k = j;
		if (k < 0) {
			cli_errorf(MSG_UNKNOWN_OPTION, arg);
			return EXIT_USAGE;
		}
		const char *val = "1";
		if (opts[k].arg) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				cli_errorf(MSG_MISSING_OPTION, arg);
				return EXIT_USAGE;
			}
		} else if (eq) {
			cli_errorf(MSG_UNKNOWN_OPTION, arg);
			return EXIT_USAGE;
		}
		if (opts[k].arg == 2 && a->multi[k]) {
			size_t l = strlen(a->multi[k]) + strlen(val) + 2;
			char *m = malloc(l);
			if (m == NULL)
				return EXIT_USAGE;
			snprintf(m, l, "%s,%s", a->multi[k], val);
			free(a->multi[k]);
			a->multi[k] = m;
			a->val[k] = m;
		} else if (opts[k].arg == 2) {
			a->multi[k] = strdup(val);
			a->val[k] = a->multi[k];
		} else {
			a->val[k] = val;
		}
	}
	return 0;
}

void cli_args_release(struct cli_args *a)
{
	for (int i = 0; i < 24; i++)
		free(a->multi[i]);
}

const char *cli_get(const struct cli_args *a, const struct cli_opt *opts, const char *name)
{
	for (int j = 0; opts[j].name; j++)
		if (strcmp(opts[j].name, name) == 0)
			return a->val[j];
	return NULL;
}

void cli_error(const struct err *e)
{
	char text[400];
	int lang = cli_lang();
	fprintf(stderr, "ungcuu: %s", err_text(e, lang, text, sizeof(text)));
	for (int i = 0; i < e->nfields; i++) {
		char d[300];
		fprintf(stderr, "%s %s: %s", i ? ";" : ":", e->fields[i].pointer,
			msg_format(e->fields[i].msg, lang, e->fields[i].arg, d, sizeof(d)));
	}
	fputc('\n', stderr);
}

void cli_errorf(int msg, const char *arg)
{
	struct err e = { 0 };
	err_set(&e, E_INVALID, msg, arg);
	cli_error(&e);
}

void cli_print_json(const json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		puts(s);
		free(s);
	}
}

static const char *cell(const json_t *row, const char *path, char *tmp, size_t n)
{
	char key[64];
	const json_t *v = row;
	while (v && *path) {
		const char *dot = strchr(path, '.');
		size_t l = dot ? (size_t)(dot - path) : strlen(path);
		snprintf(key, sizeof(key), "%.*s", (int)l, path);
		v = json_object_get(v, key);
		path += l + (dot ? 1 : 0);
	}
	if (v == NULL || json_is_null(v))
		return "-";
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_true(v))
		return "x";
	if (json_is_false(v))
		return "";
	if (json_is_integer(v)) {
		snprintf(tmp, n, "%lld", (long long)json_integer_value(v));
		return tmp;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(tmp, n, "%s", s ? s : "");
	free(s);
	return tmp;
}

/* Display width: UTF-8 code points (Vietnamese letters are precomposed). */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

void cli_print_table(const json_t *items, const char *const *cols,
		     const char *const *headers)
{
	size_t ncol = 0, w[16] = { 0 };
	char tmp[256];
	while (cols[ncol] && ncol < 16)
		ncol++;
	for (size_t c = 0; c < ncol; c++)
		w[c] = width(headers[c]);
	size_t i;
	json_t *row;
	json_array_foreach(items, i, row)
		for (size_t c = 0; c < ncol; c++) {
			size_t l = width(cell(row, cols[c], tmp, sizeof(tmp)));
			if (l > w[c])
				w[c] = l > 48 ? 48 : l;
		}
	for (size_t c = 0; c < ncol; c++)
		printf("%s%-*s", c ? "  " : "", (int)(w[c] + strlen(headers[c]) - width(headers[c])),
		       headers[c]);
	putchar('\n');
	json_array_foreach(items, i, row) {
		for (size_t c = 0; c < ncol; c++) {
			const char *s = cell(row, cols[c], tmp, sizeof(tmp));
			size_t bytes = strlen(s), wid = width(s);
			if (wid > 48) { /* cut at a character boundary */
				size_t k = 0, seen = 0;
				while (k < bytes && seen < 47) {
					k++;
					while (k < bytes && ((unsigned char)s[k] & 0xC0) == 0x80)
						k++;
					seen++;
				}
				printf("%s%.*s…", c ? "  " : "", (int)k, s);
				continue;
			}
			printf("%s%s%*s", c ? "  " : "", s, (int)(w[c] - wid), "");
		}
		putchar('\n');
	}
}

struct store *cli_open_db(const char *path, int must_exist)
{
	struct err e = { 0 };
	if (path == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--db");
		return NULL;
	}
	if (must_exist && !store_is_pg(path) && access(path, R_OK | W_OK) != 0) {
		err_set(&e, E_IO, MSG_IO, path);
		cli_error(&e);
		return NULL;
	}
	audit_setup(NULL);   /* every connection of this process keeps the audit log */
	struct store *db = store_open(path, &e);
	if (db == NULL || store_migrate(db, &e) < 0) {
		cli_error(&e);
		store_close(db);
		return NULL;
	}
	return db;
}

char *cli_read_line_stdin(void)
{
	char buf[512];
	if (fgets(buf, sizeof(buf), stdin) == NULL)
		return NULL;
	buf[strcspn(buf, "\r\n")] = '\0';
	return strdup(buf);
}

void cli_rules(struct rules *r)
{
	rules_default(r);
}

int cli_run_verbs(const char *command, const struct cli_verb *cmds, size_t n, int argc,
		  char **argv)
{
	int en = cli_lang() == LANG_EN;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		printf("%s: ungcuu %s VERB --db PATH ...\n\n", en ? "usage" : "cách dùng", command);
		int w = 8;   /* the longest verb's width, at least 8 */
		for (size_t i = 0; i < n; i++)
			if ((int)strlen(cmds[i].verb) > w)
				w = (int)strlen(cmds[i].verb);
		for (size_t i = 0; i < n; i++)
			printf("  %-*s %s\n", w, cmds[i].verb, en ? cmds[i].about_en : cmds[i].about_vi);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	const struct cli_verb *cmd = NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(cmds[i].verb, argv[1]) == 0)
			cmd = &cmds[i];
	if (cmd == NULL) {
		char what[96];
		snprintf(what, sizeof(what), "%s %s", command, argv[1]);
		cli_errorf(MSG_UNKNOWN_COMMAND, what);
		return EXIT_USAGE;
	}
	struct cli_args a;
	int rc = cli_parse(argc - 1, argv + 1, cmd->opts, cmd->usage, cmd->about_vi, cmd->about_en, &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	struct store *db = cli_open_db(cli_get(&a, cmd->opts, "db"), 1);
	if (db == NULL) {
		rc = cli_get(&a, cmd->opts, "db") ? 1 : EXIT_USAGE;
		cli_args_release(&a);
		return rc;
	}
	struct rules rules;
	struct actor sys;
	instance_rules(db, &rules);
	actor_system(&sys);
	struct ctx c = { .db = db, .rules = &rules, .actor = &sys, .lang = cli_lang() };
	rc = cmd->fn(&c, &a, cmd->opts, cli_get(&a, cmd->opts, "json") != NULL);
	store_close(db);
	cli_args_release(&a);
	return rc;
}
