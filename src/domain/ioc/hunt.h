/*
 * hunt.h - threat hunts (săn tìm mối nguy, regulation.md §10: at least every
 * six months). A coordinator opens a hunt: a set of active indicators the
 * TLP rule lets go to every target, the target organisations, a deadline.
 * Each target runs it (the agent's `ungcuu agent hunt`, or a manual
 * `ungcuu sweep --json` uploaded) and sends a run back: hits become
 * sightings, and hits on a host without an open incident file one.
 */
#ifndef UNGCUU_HUNT_H
#define UNGCUU_HUNT_H

#include "../domain.h"
#include "../page.h"
#include "../asset/asset.h"

/* The six-month rule of §10, for the compliance view. */
#define HUNT_PERIOD_DAYS 183

json_t *hunt_create(struct ctx *c, json_t *body, struct err *e);
/* A page of the hunts the actor sees (domain/page.h): status open|closed,
 * q in the title; sorts created (newest first), deadline. */
json_t *hunt_list(struct ctx *c, const char *status, const char *q, const struct page_ask *pa,
		  struct err *e);
json_t *hunt_get(struct ctx *c, const char *id, struct err *e);
json_t *hunt_close(struct ctx *c, const char *id, long long if_match, struct err *e);
/* The hunt's set as a STIX 2.1 bundle for the actor's organisation (a
 * target, or the issuer's side); malloc'd, *len its size. */
char *hunt_rules(struct ctx *c, const char *id, size_t *len, struct err *e);

/* A run's result. hits is an array of {"path","kind","indicator","line"}
 * (the sweep's JSON Lines objects). */
struct hunt_result {
	const char *org_code;         /* upload: the target organisation (NULL: the actor's) */
	const char *host_id;          /* agent: its host */
	const char *hostname;
	const char *via;              /* agent | upload */
	long long files, bytes, errors;
	int64_t ran_at;
	json_t *hits;
	/* agent: its upload's sequence, taken in the run's transaction (a
	 * replayed or stale one stores nothing: asset.h). */
	const struct agent_stamp *stamp;
};
json_t *hunt_submit(struct ctx *c, const char *id, const struct hunt_result *r,
		    struct err *e);
/* Parses a manual sweep's --json output (JSON Lines; other lines, such as a
 * summary object without "path", are ignored) into an array of hits. */
json_t *hunt_parse_jsonl(const char *name, const char *data, size_t n, struct err *e);
/* The same checks on an array of hit objects (an agent's result): a new
 * array, or NULL with field errors at /hits/N. */
json_t *hunt_check_hits(const json_t *list, struct err *e);

/* For an agent: the open hunts aimed at its host's organisation (or one
 * above it) that the host has not answered, each with its rules (a STIX
 * bundle object). */
json_t *hunt_for_agent(struct ctx *c, const char *host_id, struct err *e);

#endif
