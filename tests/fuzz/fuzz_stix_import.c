/*
 * fuzz_stix_import.c - ioc_parse_stix on arbitrary bytes (an uploaded
 * bundle, a TAXII answer), and the round trip of every record it accepts:
 * each one, exported alone as STIX, MISP and CSV, imports again as one
 * record with the same kind, value, file name, pattern type, TLP,
 * confidence and validity (and to_ids where the format carries it). A
 * file that fails must say where, and hand nothing over.
 * fuzz_misp_import.c includes this file with FUZZ_MISP defined: the same
 * checks after ioc_parse_misp; fuzz_list_import.c with FUZZ_LIST: after
 * ioc_parse_list (the plain lists `ungcuu sweep --rules` reads too);
 * fuzz_csv_import.c with FUZZ_CSV: after ioc_parse_csv.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/msg.h"
#include "domain/ioc/ioc.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

enum { TO_STIX, TO_MISP, TO_CSV };

struct back {
	const struct ioc *orig;
	int format;
	int n;
};

static int same_str(const char *a, const char *b)
{
	return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

/* What every format carries; to_ids not in STIX (only to_ids records go). */
static int back_sink(void *arg, const struct ioc *i, struct err *e)
{
	struct back *b = arg;
	const struct ioc *o = b->orig;
	(void)e;
	if (++b->n > 1)
		abort();                      /* one record out, one back */
	if (i->kind != o->kind || strcmp(i->value, o->value) != 0 ||
	    !same_str(i->file_name, o->file_name) || i->tlp != o->tlp ||
	    i->confidence != o->confidence || i->valid_until != o->valid_until ||
	    (o->valid_from && i->valid_from != o->valid_from) ||
	    (o->kind == IOC_PATTERN && !same_str(i->pattern_type, o->pattern_type)) ||
	    (b->format != TO_STIX && i->to_ids != o->to_ids) ||
	    (b->format != TO_MISP && !same_str(i->name, o->name)) ||
	    !same_str(i->description, o->description) || i->ntags != o->ntags)
		abort();
	return 0;
}

static void reimport(int format, const char *text, const struct ioc *orig)
{
	struct back b = { .orig = orig, .format = format };
	struct err e = { 0 };
	long got = format == TO_STIX ? ioc_parse_stix("out", text, strlen(text), back_sink, &b, NULL, &e) :
		   format == TO_MISP ? ioc_parse_misp("out", text, strlen(text), back_sink, &b, NULL, &e) :
				       ioc_parse_csv("out", text, strlen(text), back_sink, &b, NULL, &e);
	if (got != 1 || b.n != 1)
		abort();                      /* what we export, we import */
}

static int round_trip(void *arg, const struct ioc *i, struct err *e)
{
	struct ioc c = *i;
	(void)arg;
	(void)e;
	c.org = "o";                          /* shared with its owner */
	c.share_with = NULL;
	c.nshare_with = 0;
	if (c.tlp == TLP_NONE)
		c.tlp = TLP_CLEAR;
	if (c.tlp == TLP_RED)
		c.tlp = TLP_AMBER_STRICT;     /* RED never leaves */
	struct ioc_export x = { .recipient_org = "o", .producer = "p", .now = 1700000000000LL };
	struct err ee = { 0 };
	for (int f = TO_STIX; f <= TO_CSV; f++) {
		char *text;
		if (f == TO_CSV) {
			text = ioc_export_csv(&c, 1, &x, &ee);
		} else {
			json_t *doc = f == TO_STIX ? ioc_export_stix(&c, 1, &x, &ee) :
						     ioc_export_misp(&c, 1, &x, &ee);
			if (doc == NULL)
				abort();
			text = json_dumps(doc, 0);
			json_decref(doc);
		}
		if (text == NULL)
			abort();
		if (x.exported == 1)
			reimport(f, text, &c);
		else if (x.withheld || (f == TO_CSV) || (f == TO_STIX && c.to_ids))
			abort();                      /* left out without a reason */
		free(text);
	}
	return 0;
}

static int never(void *arg, const struct ioc *i, struct err *e)
{
	(void)arg;
	(void)i;
	(void)e;
	abort();
}

#if !defined(FUZZ_MISP) && !defined(FUZZ_LIST) && !defined(FUZZ_CSV)
static int object_back(void *arg, const struct stix_object *o, struct err *e)
{
	(void)arg;
	(void)e;
	json_t *j = json_loads(o->body, 0, NULL);
	json_t *id = json_object_get(j, "id"), *type = json_object_get(j, "type");
	if (j == NULL || !json_is_string(id) || strcmp(json_string_value(id), o->id) != 0 ||
	    !json_is_string(type) || strcmp(json_string_value(type), o->type) != 0)
		abort();
	json_decref(j);
	return 0;
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct ioc_stats st;
	struct err e = { 0 };
#if defined(FUZZ_MISP)
	ioc_parser parse = ioc_parse_misp;
#elif defined(FUZZ_LIST)
	ioc_parser parse = ioc_parse_list;
#elif defined(FUZZ_CSV)
	ioc_parser parse = ioc_parse_csv;
#else
	ioc_parser parse = ioc_parse_stix;
#endif
	/* A check first: when it fails, the real run must fail too, without
	 * handing anything over. */
	long checked = parse("in", (const char *)d, n, NULL, NULL, &st, &e);
	if (checked < 0) {
		if (strncmp(e.arg, "in: ", 4) != 0)
			abort();
		if (parse("in", (const char *)d, n, never, NULL, &st, &e) != -1)
			abort();
		return 0;
	}
	if (st.records != checked || parse("in", (const char *)d, n, round_trip, NULL, &st, &e) != checked)
		abort();
#if !defined(FUZZ_MISP) && !defined(FUZZ_LIST) && !defined(FUZZ_CSV)
	/* A file the importer takes gives its objects as they came, each
	 * one valid JSON of its id and type. */
	if (ioc_stix_objects("in", (const char *)d, n, object_back, NULL, &e) < 0)
		abort();
#endif
	return 0;
}
