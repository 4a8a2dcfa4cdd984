/*
 * cli.h - the command table's shape and what commands share: option parsing
 * (every command takes --help; unknown options exit 2 with one line), table
 * and JSON output, opening the database, reading a password from stdin.
 */
#ifndef UNGCUU_CLI_H
#define UNGCUU_CLI_H

#include <jansson.h>

#include "../base/err.h"
#include "../domain/domain.h"

#define EXIT_USAGE 2

struct cli_opt {
	const char *name;     /* long name without "--" */
	int arg;              /* 0 flag, 1 takes a value, 2 repeatable value */
	const char *help_vi, *help_en;
};

struct cli_args {
	const char *val[24];  /* per option: value, "1" for a set flag, NULL */
	char *multi[24];      /* repeatable values joined by commas (malloc) */
	const char *pos[8];
	int npos;
};

/* Parses argv (argv[0] is the command name). Returns 0, or 1 after printing
 * help (caller exits 0), or 2 after printing a one-line error. */
int cli_parse(int argc, char **argv, const struct cli_opt *opts, const char *usage,
	      const char *about_vi, const char *about_en, struct cli_args *a);
void cli_args_release(struct cli_args *a);
/* Value of an option by name. */
const char *cli_get(const struct cli_args *a, const struct cli_opt *opts, const char *name);
/* Prints a one-line error (Vietnamese or English by $LANG) to stderr. */
void cli_error(const struct err *e);
void cli_errorf(int msg, const char *arg);
int cli_lang(void);
/* Prints JSON to stdout (pretty, UTF-8). */
void cli_print_json(const json_t *j);
/* Prints rows of the array `items` as an aligned table of `cols` keys
 * (dotted paths like "org.code"), with headers. */
void cli_print_table(const json_t *items, const char *const *cols,
		     const char *const *headers);
/* Opens and migrates the database; NULL after printing an error. */
struct store *cli_open_db(const char *path, int must_exist);
/* Reads one line (a password) from stdin without its newline. */
char *cli_read_line_stdin(void);
/* Reads a whole regular file (at most 1 GiB); NULL with e naming it. */
char *cli_read_file(const char *path, size_t *n, struct err *e);
/* The instance rules read from the environment-free defaults. */
void cli_rules(struct rules *r);

/* The commands (one file each). */
int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_asset(int argc, char **argv);
int cmd_vercmp(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_hunt(int argc, char **argv);
int cmd_doc(int argc, char **argv);
/* federation (issue 16, h/sync-core) */
int cmd_peer(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_intake(int argc, char **argv);
/* the standing duty's roster (issue 17, h/duty) */
int cmd_roster(int argc, char **argv);
/* -- federation transport (issue 16, h/sync-net): `ungcuu sync run`, a
 * verb of cmd_sync's table (sync_run.c) -- */
extern const struct cli_opt sync_run_opts[];
int sync_cli_run(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json);

/* A verb of a command that works on one database as the instance (peer,
 * sync): fn gets the context, the parsed arguments and whether --json was
 * given, and returns the exit status. */
struct cli_verb {
	const char *verb;
	int (*fn)(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json);
	const struct cli_opt *opts;
	const char *usage, *about_vi, *about_en;
};
/* Runs the verb argv[1] of cmds: the list of verbs for --help (or none,
 * then exit 2), an unknown verb exits 2; the verb's options parsed, the
 * database opened with the system actor and closed after. */
int cli_run_verbs(const char *command, const struct cli_verb *cmds, size_t n, int argc,
		  char **argv);

#endif
