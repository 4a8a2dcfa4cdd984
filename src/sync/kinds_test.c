/*
 * kinds_test.c - TEST BUILDS ONLY: see kinds_test.h. Built only when meson
 * says test_hooks (debug and debugoptimized builds by default; never
 * plain, release or minsize, and debian/rules turns it off).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds_test.h"
#include "sync.h"
#include "../base/banned.h"

static char test_kind_name[SYNC_KIND_LEN];
static struct sync_kind test_kind[1];

static int test_kind_apply(struct ctx *c, const struct sync_peer *from, json_t *payload,
			   struct err *e)
{
	(void)payload;
	return store_run(c->db, e, "UPDATE sync_peers SET pings = pings + 1 WHERE id = $1", "t",
			 from->id) < 0 ? -1 : 0;
}

/* test.[a-z0-9._-]{1,40} */
static int name_ok(const char *v)
{
	size_t n = strlen(v);
	if (n < 6 || n > 45 || strncmp(v, "test.", 5) != 0)
		return 0;
	for (size_t i = 5; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '.' ||
		      v[i] == '_' || v[i] == '-'))
			return 0;
	return 1;
}

void sync_test_kinds_install(void)
{
	const char *v = getenv("UNGCUU_TEST_KIND");
	if (v == NULL || *v == '\0')
		return;
	if (!name_ok(v)) {
		fprintf(stderr, "ungcuu: UNGCUU_TEST_KIND must be test.[a-z0-9._-]{1,40}: ignored\n");
		return;
	}
	snprintf(test_kind_name, sizeof(test_kind_name), "%s", v);
	test_kind[0].name = test_kind_name;
	test_kind[0].from = SYNC_PARENT | SYNC_CHILD;
	test_kind[0].apply = test_kind_apply;
	sync_register_kinds(test_kind, 1);
}

const char *sync_test_kind(void)
{
	return test_kind_name[0] ? test_kind_name : NULL;
}
