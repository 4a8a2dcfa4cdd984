/* sync_core_stub.h - the stand-in core of test_sync_kinds_apply (see
 * sync_core_stub.c: delete both when h/sync-core is merged). */
#ifndef UNGCUU_SYNC_CORE_STUB_H
#define UNGCUU_SYNC_CORE_STUB_H

#include <stdio.h>
#include <stdlib.h>

#include "sync/sync.h"

struct stub_instance {
	const char *name;
	struct store *db;
	size_t npeers;
	struct sync_peer peers[3];
	const char *const *hosts[3];   /* org codes each peer hosts, NULL-terminated */
};

/* What sync_emit was asked to queue: [{from, to, kind, payload, via}]. */
extern json_t *stub_sent;

void stub_reset(void);
void stub_instance_add(struct stub_instance *in);

#endif
