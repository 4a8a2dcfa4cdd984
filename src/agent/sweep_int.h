/*
 * sweep_int.h - the private parts of the sweep engine (sweep.h), shared by
 *   sweep.c        the set: loading rules files (format by content), plain
 *                  lists, YARA compilation;
 *   sweep_ioc.c    indicator values: classification, canonical forms, the
 *                  hash sets and prefix tables they live in, lookups;
 *   sweep_feeds.c  STIX 2.1 bundles and MISP events through the shared
 *                  importers of src/domain/ioc.h;
 *   sweep_log.c    log files: names, the line tokenizer, streaming (gzip);
 *   sweep_walk.c   the walk, the workers and the per-file scan.
 */
#ifndef UNGCUU_SWEEP_INT_H
#define UNGCUU_SWEEP_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sweep.h"

/* The sets indicators live in. IPs of both families share one set: a v4
 * key is 4 address bytes + the prefix length, a v6 key 16 + 1. Hashes are
 * stored as raw digests. */
enum { SET_IP, SET_DOMAIN, SET_URL, SET_EMAIL, SET_MD5, SET_SHA1, SET_SHA256,
       SET_FILENAME,
       SET_URL_HOST,   /* host[:port] of each URL: a URL in a log whose host is
                          not here is not built into a key at all */
       SET__COUNT };

struct strset_entry {
	uint64_t h;            /* sweep_hash of the key (0: empty slot) */
	const char *key;
	uint32_t len;
	const char *display;   /* how the indicator is shown in a hit */
};

/* Open addressing with linear probing, a power-of-two capacity at most
 * half full, and a one-bit-per-key filter (about 8 bits a key) in front so
 * that most misses cost one bit test in cache. */
struct strset {
	struct strset_entry *v;
	size_t cap, n;
	uint64_t *filter;
	size_t filter_bits;    /* power of two */
};

/* Memory for keys and displays, freed with the set. */
struct pool_block;
struct pool {
	struct pool_block *head;
};

/* Character classes of the log tokenizer. */
enum {
	K_TOK = 1,      /* may be part of a token: [A-Za-z0-9._+:@-] */
	K_DOT = 2,
	K_COLON = 4,
	K_AT = 8,
	K_ALPHA = 16,   /* A-Z a-z */
	K_NONHEX = 32,  /* letters other than a-f / A-F */
	K_EDGE = 64,    /* . - _ + : cannot start or end a name */
};

struct sweep_set {
	struct strset set[SET__COUNT];
	uint64_t v4lens;            /* bit L: some v4 block of prefix length L */
	uint64_t v6lens[3];         /* bits 0..128 */
	struct pool pool;
	sweep_warn_fn warn;
	void *warn_ctx;
	/* YARA: compiler while loading, rules after sweep_set_finish. */
	void *yc;                   /* YR_COMPILER * */
	void *rules;                /* YR_RULES * */
	int yara_spent;             /* a compile error happened */
	int yara_files;
	size_t yara_rules;
	int yara_init;              /* yr_initialize was called */
	int finished;
	unsigned char cls[256];
	unsigned char lower[256];
};

/* ---- sweep.c ---- */
/* Messages name the rules file first and the position after it; the name
 * keeps its last 60 bytes so that the position fits struct err's 160. */
void sweep_msg(char *out, size_t cap, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Fills e with msg and sweep_msg's text; returns -1. */
int sweep_fail(struct err *e, int code, int msg, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Compiles the text of one YARA rule file (or rule) into the set; name is
 * the rules file it came from, for messages. */
int sweep_yara_text(struct sweep_set *s, const char *name, const char *text, struct err *e);

/* ---- sweep_ioc.c ---- */
uint64_t sweep_hash(const void *key, size_t n);
int strset_add(struct strset *t, struct pool *p, const void *key, size_t n,
	       const char *display, size_t dn);
const struct strset_entry *strset_find(const struct strset *t, uint64_t h,
				       const void *key, size_t n);
void strset_release(struct strset *t);
void *pool_alloc(struct pool *p, size_t n);
void pool_release(struct pool *p);

/* Canonical forms; each returns the length written to out (cap bytes,
 * NUL-terminated) or 0 when the value is not of that kind. */
size_t ioc_domain(const char *v, size_t n, char *out, size_t cap);
size_t ioc_url_key(const char *v, size_t n, int idn, char *out, size_t cap);
/* An IPv4 address "a.b.c.d" (exactly; digits and dots only). */
int ioc_ip4_parse(const unsigned char *t, size_t n, uint32_t *ip);

/* The sweep's kind (enum sweep_ioc) of an importer's kind (IOC_*);
 * SWEEP_IOC_AUTO for YARA rules and patterns, which have their own way. */
int sweep_kind_of(int ioc_kind);
/* Adds (dry: only checks) one value of a kind (enum sweep_ioc;
 * SWEEP_IOC_AUTO: read as a line of a plain list, ioc_list_value). */
int ioc_add(struct sweep_set *s, int ioc, const char *v, size_t n, int dry,
	    const char *where, struct err *e);

/* Lookups for the tokenizer and the file scan; NULL on a miss. dom is
 * lower-case; the longest matching suffix (on a label boundary) wins. */
const struct strset_entry *ioc_find_domain(const struct sweep_set *s,
					   const char *dom, size_t n);
const struct strset_entry *ioc_find_ip4(const struct sweep_set *s, uint32_t ip);
const struct strset_entry *ioc_find_ip6(const struct sweep_set *s,
					const unsigned char a[16]);

/* ---- sweep_feeds.c ---- */
/* A STIX 2.1 bundle or MISP event: root is the JSON of p (n bytes), parsed
 * to tell which. 1 when root is neither (nothing done), 0 when read, -1
 * with e (the importer's message: file and position). */
int sweep_feed_load(struct sweep_set *s, const char *name, json_t *root, const char *p,
		    size_t n, struct err *e);
/* A plain list (ioc_parse_list); 0, or -1 with e naming file and line. */
int sweep_list_load(struct sweep_set *s, const char *name, const char *p, size_t n,
		    struct err *e);

/* ---- sweep_log.c ---- */
void sweep_classes(unsigned char cls[256], unsigned char lower[256]);

/* A log read in pieces: lines split across reads, gzip inflated. */
struct logscan {
	const struct sweep_set *s;
	sweep_hit_fn fn;
	void *ctx;
	long lineno;
	char *carry;               /* SWEEP_LINE_MAX bytes */
	size_t carry_len;
	int state;                 /* LS_* in sweep_log.c */
	void *z;                   /* z_stream * */
	unsigned char *zout;       /* SWEEP_CHUNK bytes */
};

int logscan_init(struct logscan *ls, const struct sweep_set *s, sweep_hit_fn fn,
		 void *ctx);
/* Starts a file: line 1, plain or gzip told by the first bytes fed. */
void logscan_begin(struct logscan *ls);
/* Feeds the file's bytes (as stored). -1 when the gzip data is corrupt. */
int logscan_feed(struct logscan *ls, const void *p, size_t n);
/* Ends the file (its last line without a newline); -1 when a gzip stream
 * was cut short. */
int logscan_end(struct logscan *ls);
void logscan_release(struct logscan *ls);

#endif
