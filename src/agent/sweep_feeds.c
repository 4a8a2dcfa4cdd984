/*
 * sweep_feeds.c - STIX 2.1 bundles, MISP events and plain lists as sweep
 * rules, read by the shared importers of src/domain/ioc.h (ioc_parse_stix,
 * ioc_parse_misp, ioc_parse_list): the sweep sees the same indicators as
 * `ungcuu import`, with the same errors naming the file and the position.
 *
 * Each record the importer hands over goes into the set when it takes part
 * in matching now (ioc_active: to_ids, valid_from <= now < valid_until):
 * addresses and networks, domains, URLs, e-mail addresses, hashes and file
 * names by their kind, IOC_YARA records (STIX pattern_type "yara") as YARA
 * rules of their own. A pattern kept as text (IOC_PATTERN: not a set of
 * plain indicators) is reported as a warning with the importer's reason; a
 * value the sweep cannot look for is a warning too (the file is sound, one
 * indicator of it is not usable here).
 *
 * All or nothing, like the importers: a first run only checks every value
 * (and keeps the YARA texts), the YARA rules are compiled next, the values
 * added last; an error on the way leaves the set as it was (except a YARA
 * rule that does not compile, which spends libyara's compiler, see
 * sweep.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_int.h"
#include "../domain/ioc/ioc.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

struct feed {
	struct sweep_set *s;
	const char *name;
	int dry;
	int64_t now;
	char **yara;                /* the dry run keeps the YARA texts */
	size_t nyara, capyara;
};

static void feed_warn(struct feed *f, int msg, const char *what, const char *why)
{
	if (f->dry || f->s->warn == NULL)
		return;
	char arg[160];
	sweep_msg(arg, sizeof(arg), f->name, ": %s: %s", what, why);
	f->s->warn(f->s->warn_ctx, msg, arg);
}

static int keep_yara(struct feed *f, const char *text, struct err *e)
{
	if (f->nyara == f->capyara) {
		size_t cap = f->capyara ? f->capyara * 2 : 8;
		char **v = realloc(f->yara, cap * sizeof(*v));
		if (v == NULL)
			return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		f->yara = v;
		f->capyara = cap;
	}
	f->yara[f->nyara] = strdup(text);
	if (f->yara[f->nyara] == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	f->nyara++;
	return 0;
}

/* The ioc_sink: one record of the file. */
static int feed_record(void *arg, const struct ioc *i, struct err *e)
{
	struct feed *f = arg;
	const char *what = i->origin_id ? i->origin_id : i->value;
	if (i->kind == IOC_PATTERN) {
		feed_warn(f, MSG_SWEEP_PATTERN_SKIPPED, what, i->why ? i->why : "");
		return 0;
	}
	if (!ioc_active(i, f->now))
		return 0;
	if (i->kind == IOC_YARA)
		return f->dry ? keep_yara(f, i->value, e) : 0;
	int kind = sweep_kind_of(i->kind);
	if (kind == SWEEP_IOC_AUTO)
		return 0;
	struct err ve = { 0 };
	if (ioc_add(f->s, kind, i->value, strlen(i->value), f->dry, NULL, &ve) == 0)
		return 0;
	if (ve.code == E_NOMEM) {
		*e = ve;
		return -1;
	}
	feed_warn(f, MSG_SWEEP_BAD_INDICATOR, what, ve.arg);
	return 0;
}

/* 1 a MISP event (or a list of them, a REST answer), 0 STIX. */
static int is_misp(json_t *root)
{
	return json_is_array(root) || json_object_get(root, "Event") ||
	       json_object_get(root, "response") ||
	       (json_object_get(root, "Attribute") && !json_object_get(root, "objects"));
}

static int is_stix(json_t *root)
{
	const char *type = json_string_value(json_object_get(root, "type"));
	return json_object_get(root, "objects") || (type && strcmp(type, "bundle") == 0) ||
	       json_object_get(root, "pattern");
}

/* The importer's records into the set: a dry run first (every value
 * checked, the YARA texts kept), the YARA rules compiled, the values
 * added. A plain list holds no YARA rule, and the importer hands over
 * nothing from a file with an error: it goes in in one run (dry 0). */
static int feed_load(struct sweep_set *s, const char *name, ioc_parser parse, int dry,
		     const char *p, size_t n, struct err *e)
{
	struct feed f = { .s = s, .name = name, .dry = dry, .now = time_now_ms() };
	int rc = -1;
	if (dry && parse(name, p, n, feed_record, &f, NULL, e) < 0)
		goto out;
	for (size_t k = 0; k < f.nyara; k++)
		if (sweep_yara_text(s, name, f.yara[k], e) != 0)
			goto out;
	f.dry = 0;
	if (parse(name, p, n, feed_record, &f, NULL, e) < 0)
		goto out;
	rc = 0;
out:
	for (size_t k = 0; k < f.nyara; k++)
		free(f.yara[k]);
	free(f.yara);
	return rc;
}

int sweep_feed_load(struct sweep_set *s, const char *name, json_t *root, const char *p,
		    size_t n, struct err *e)
{
	if (is_misp(root))
		return feed_load(s, name, ioc_parse_misp, 1, p, n, e);
	if (is_stix(root))
		return feed_load(s, name, ioc_parse_stix, 1, p, n, e);
	return 1;
}

int sweep_list_load(struct sweep_set *s, const char *name, const char *p, size_t n,
		    struct err *e)
{
	return feed_load(s, name, ioc_parse_list, 0, p, n, e);
}
