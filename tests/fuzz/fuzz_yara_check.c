/*
 * fuzz_yara_check.c - yara_check (domain/ioc/indicator.c), the check of a
 * YARA indicator's text in POST /indicators and the YARA import, on bytes
 * from any user. libyara compiles the text alone with includes disabled.
 * Invariants: it answers 0, or -1 with the error filled; the same text
 * after an include directive, of a file that exists (holding a valid rule)
 * or of one that does not, is refused both times with the same answer
 * (no file is read, and none is told to exist).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yara.h>

#include "domain/ioc/indicator.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

/* libyara counts its initialisations: one held for the whole run makes
 * yara_check's own yr_initialize/yr_finalize pair cheap (the server's
 * sweeps hold one too), so the run compiles instead of setting up. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (yr_initialize() != ERROR_SUCCESS)
		abort();
	return 0;
}

static char real[64];

static void forget_file(void)
{
	unlink(real);
}

/* A rules file that exists and compiles: were includes honoured, the
 * text after it would gain a rule. */
static const char *existing(void)
{
	if (real[0] == '\0') {
		snprintf(real, sizeof(real), "/tmp/ungcuu-fuzz-inc-%ld.yar", (long)getpid());
		FILE *f = fopen(real, "w");
		if (f == NULL)
			abort();
		fputs("rule included { condition: true }\n", f);
		fclose(f);
		atexit(forget_file);
	}
	return real;
}

static void with_include(const char *path, const char *p, size_t n, struct err *e)
{
	char head[128];
	int h = snprintf(head, sizeof(head), "include \"%s\"\n", path);
	char *t = malloc((size_t)h + n);
	if (t == NULL)
		abort();
	memcpy(t, head, (size_t)h);
	memcpy(t + h, p, n);
	if (yara_check("value", t, (size_t)h + n, e) != -1 || e->code == E_OK)
		abort();                      /* an include is never accepted */
	free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const char *p = (const char *)d;
	struct err e = { 0 };
	int rc = yara_check("value", p, n, &e);
	if (rc != 0 && (rc != -1 || e.code == E_OK))
		abort();
	if (rc == 0 && e.code != E_OK)
		abort();

	struct err e1 = { 0 }, e2 = { 0 };
	with_include(existing(), p, n, &e1);
	with_include("/tmp/ungcuu-fuzz-inc-missing/none.yar", p, n, &e2);
	/* The answers differ at most by the file's name. */
	if (e1.code != e2.code || e1.msg != e2.msg ||
	    (!strstr(e1.arg, "ungcuu-fuzz-inc") && !strstr(e2.arg, "ungcuu-fuzz-inc") &&
	     strcmp(e1.arg, e2.arg) != 0))
		abort();
	return 0;
}
