/*
 * fuzz_hunt_jsonl.c - the readers of hunt results (domain/ioc/hunt.c) on
 * bytes from outside: hunt_parse_jsonl on a manual sweep's --json output
 * (JSON Lines, POST /hunts/{id}/results/upload), and hunt_check_hits on the
 * same bytes read as one JSON document (an agent's "hits").
 * Invariants: NULL exactly when the error is filled; every hit kept is an
 * object with string path, kind and indicator within their limits; what
 * either reader returns passes hunt_check_hits again unchanged (a normal
 * form); the JSON Lines reader never reads past its n bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "domain/ioc/hunt.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void check(json_t *hits, const struct err *e)
{
	if ((hits == NULL) != (e->code != E_OK))
		abort();
	if (hits == NULL)
		return;
	size_t k;
	json_t *h;
	json_array_foreach(hits, k, h) {
		const char *path = json_string_value(json_object_get(h, "path")),
			   *kind = json_string_value(json_object_get(h, "kind")),
			   *ind = json_string_value(json_object_get(h, "indicator"));
		if (path == NULL || kind == NULL || ind == NULL || strlen(path) > 4096 ||
		    strlen(kind) > 16)
			abort();
	}
	struct err e2 = { 0 };
	json_t *again = hunt_check_hits(hits, &e2);
	if (again == NULL || !json_equal(again, hits))
		abort();
	json_decref(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	/* An exact-size copy: ASan sees a read past the n bytes. */
	char *p = malloc(n ? n : 1);
	if (p == NULL)
		return 0;
	memcpy(p, d, n);
	struct err e = { 0 };
	json_t *hits = hunt_parse_jsonl("fuzz.jsonl", p, n, &e);
	check(hits, &e);
	json_decref(hits);

	json_t *doc = json_loadb(p, n, JSON_REJECT_DUPLICATES, NULL);
	if (doc != NULL) {
		struct err e3 = { 0 };
		json_t *list = json_is_object(doc) ? json_object_get(doc, "hits") : doc;
		json_t *got = hunt_check_hits(list, &e3);
		check(got, &e3);
		json_decref(got);
		json_decref(doc);
	}
	free(p);
	return 0;
}
