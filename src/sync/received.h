/*
 * received.h - what came from the other instances, as one list (issue 16,
 * h/fed-ui): the page "Từ đơn vị khác / From other instances".
 *
 * Sections, each read from where the kinds (kinds.c) keep it:
 *   sighting      sync_received: a child saw an indicator we shared
 *   periodic      sync_received: a Mẫu 05 sent by a child
 *   hunt_summary  sync_received: a child's counts of a hunt's runs
 *   incident      sync_mirrors: an incident escalated from below, mirrored
 *                 in our queue
 *   warning       sync_map 'warning': a warning issued above
 *   indicator     sync_map 'indicator': an indicator shared from above
 *
 * Who sees an item: the organisation it concerns (the reporting
 * organisation of a sighting, Mẫu 05 or hunt summary, named by code; the
 * organisation whose queue holds the mirror; the home organisation of a
 * warning or indicator from above) must lie in the reader's subtree; a
 * warning is also seen by the targets in the reader's subtree, and a
 * GREEN/CLEAR indicator by everyone (as the indicator store shows it).
 * So a commune's user never sees another commune's items.
 */
#ifndef UNGCUU_SYNC_RECEIVED_H
#define UNGCUU_SYNC_RECEIVED_H

#include <jansson.h>

#include "../domain/domain.h"
#include "../domain/page.h"

struct sync_received_ask {
	const char *section;   /* NULL: all, else one of the sections above */
	const char *peer;      /* a peer's name, NULL: any */
	const char *q;         /* text in the title or the payload, NULL: any */
	const char *state;     /* "open" | "ended", NULL: any */
};

/* {"items": [...], "next_cursor", "counts": {section: n}, "peers": [{name,
 * relation}]} (counts: the same filters but the section), keyset paged by
 * page.c (?sort=at|section, default: the newest first). Every reader
 * (ACT_SYNC_RECEIVED_READ). */
json_t *sync_received_list(struct ctx *c, const struct sync_received_ask *q,
			   const struct page_ask *pa, struct err *e);

#endif
