/*
 * sweep.h - the IOC sweep engine behind `ungcuu sweep` (and, later, the
 * agent's sweeps): an indicator set loaded from rule files, and a run that
 * walks paths with one worker per core, reading each file once.
 *
 * The indicator set (struct sweep_set) holds
 *   - YARA rules, compiled by libyara (all YARA files into one rule set);
 *   - hashes (MD5, SHA-1, SHA-256) matched against every file's contents;
 *   - file names, matched against every file's base name (ASCII case folded);
 *   - IPs and CIDR blocks (v4 and v6), domains (a domain also matches its
 *     subdomains), URLs and e-mail addresses, looked for in text logs.
 * A rules file is told apart by its content: a JSON object is a STIX 2.1
 * bundle or a MISP event, text whose first word (after YARA comments) is
 * rule/private/global/import/include is YARA, anything else is a plain list
 * of indicators, one a line (see sweep_set_load).
 *
 * Every log lookup is a hash probe (domains: one per label of the token;
 * IPs: one per prefix length present in the set), so the time to read a
 * log does not depend on how many indicators the set holds.
 *
 * Domains are compared in their ASCII (punycode) form: a Unicode domain in a
 * rules file is converted with libidn2 (IDNA2008/TR46); in a log only ASCII
 * letters are read as part of a name (bytes >= 0x80 separate tokens), so a
 * Unicode name written in a log is not converted and does not match.
 *
 * Threads: a set is filled by one thread, then only read (sweep_run shares
 * it between its workers; sweep_log_line may be called from any thread).
 */
#ifndef UNGCUU_SWEEP_H
#define UNGCUU_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

/* What matched. The names (sweep_kind_name) are those of the JSON output. */
enum sweep_kind {
	SWEEP_YARA,
	SWEEP_HASH,
	SWEEP_IP,
	SWEEP_DOMAIN,
	SWEEP_URL,
	SWEEP_EMAIL,
	SWEEP_FILENAME,
	SWEEP__KINDS
};

/* Kinds of an indicator in a rules file (finer than what matched). */
enum sweep_ioc {
	SWEEP_IOC_AUTO = 0,   /* told from the value (plain lists) */
	SWEEP_IOC_IP,         /* an address or a CIDR block, v4 or v6 */
	SWEEP_IOC_DOMAIN,
	SWEEP_IOC_URL,
	SWEEP_IOC_EMAIL,
	SWEEP_IOC_MD5,
	SWEEP_IOC_SHA1,
	SWEEP_IOC_SHA256,
	SWEEP_IOC_FILENAME,
	SWEEP_IOC__COUNT
};

/* Files larger than this are not read by default (--max-size): disk images
 * and databases would take the time of a whole sweep. Logs are exempt: they
 * are streamed line by line (no YARA on them past the limit). */
#define SWEEP_MAX_SIZE_DEFAULT (256ULL * 1024 * 1024)
/* Files up to this size are read whole into the worker's buffer and YARA
 * scans that buffer; larger ones are streamed in SWEEP_CHUNK pieces and
 * YARA maps them itself (yr_scanner_scan_fd), which costs a second read.
 * Two workers then hold at most 2 x 32 MiB. */
#define SWEEP_WHOLE_MAX (32u * 1024 * 1024)
/* Streaming reads: big enough for few system calls, small enough to stay in
 * a core's L2 cache while every hash reads it. */
#define SWEEP_CHUNK (256u * 1024)
/* Longest log line kept whole when streaming; a longer one is read in
 * pieces of this size (a token cut at the seam may be missed). */
#define SWEEP_LINE_MAX (64u * 1024)
/* Hits reported for one file: a log that hits on every line says so in the
 * first thousand; the rest are counted, not listed. */
#define SWEEP_MAX_HITS_PER_FILE 1000
/* Longest indicator value in a rules file (a URL can be long). */
#define SWEEP_MAX_VALUE 4096
/* Largest rules file (100,000 indicators of a STIX bundle fit easily). */
#define SWEEP_MAX_RULES_FILE (512ULL * 1024 * 1024)
/* A YARA rule runs at most this long on one file (yara's own default is
 * 1,000,000 s; a sweep must end). */
#define SWEEP_YARA_TIMEOUT_S 60

struct sweep_set;

/* Warnings while loading (a skipped STIX pattern, a YARA warning): message
 * id (msg.h) and its argument. */
typedef void (*sweep_warn_fn)(void *ctx, int msg, const char *arg);

/* A new, empty set (NULL when out of memory); free with sweep_set_free. */
struct sweep_set *sweep_set_new(sweep_warn_fn warn, void *ctx);
void sweep_set_free(struct sweep_set *s);

/* Loads a rules file (at most SWEEP_MAX_RULES_FILE), telling its format
 * from the content. A malformed file fills e with its name and position
 * (file:line, file:line:column, or the JSON path of a STIX/MISP object) and
 * adds nothing — except that after a YARA file fails to compile no more
 * YARA files can be loaded (libyara's compiler is spent). */
int sweep_set_load(struct sweep_set *s, const char *path, struct err *e);
/* The same on bytes in memory; name is used in messages. */
int sweep_set_load_mem(struct sweep_set *s, const char *name, const char *p,
		       size_t n, struct err *e);
/* Adds one indicator of a kind (SWEEP_IOC_AUTO: told from the value, an
 * optional "kind:" prefix such as "domain:", "filename:", "sha256:" decides
 * it). Returns 0, or -1 with e (MSG_SWEEP_BAD_INDICATOR) naming the value. */
int sweep_set_add(struct sweep_set *s, int ioc, const char *value, size_t n,
		  struct err *e);
/* Compiles the YARA rules loaded so far; call once, after the last load and
 * before sweep_run. */
int sweep_set_finish(struct sweep_set *s, struct err *e);

/* How many indicators of each kind (YARA: rules) the set holds. */
void sweep_set_counts(const struct sweep_set *s, size_t counts[SWEEP__KINDS]);
size_t sweep_set_total(const struct sweep_set *s);

const char *sweep_kind_name(int kind);
/* A path as the output writes it when it is not UTF-8 text (file names
 * are bytes): each byte that is not part of a UTF-8 character as \xNN, each
 * backslash as \\, so the bytes can be recovered; with ctl, control
 * characters as \xNN too (one hit a line of a table). 1 and a new string
 * in *out when the path needs it, 0 (*out NULL) when it is written as it
 * is, -1 when out of memory. */
int sweep_path_escape(const char *path, int ctl, char **out);

/* One hit. indicator is the set's (lent, lives as long as the set); match
 * is what was seen in the log (lent for the callback only); line is 0
 * outside logs; sha256 is the lower-case hex SHA-256 of the file's contents
 * as read (lent for the callback only), NULL when the file was not read
 * (too large, unreadable) and for sweep_log_line. */
struct sweep_hit {
	int kind;
	const char *indicator;
	const char *match;
	long line;
	const char *sha256;
};

typedef void (*sweep_hit_fn)(void *ctx, const struct sweep_hit *h);

/* Looks for the set's IPs, domains, URLs and e-mail addresses in one log
 * line (no newline needed; any bytes). Calls fn once per distinct indicator
 * hit on the line, with lineno as the line. Returns the number of hits. */
size_t sweep_log_line(const struct sweep_set *s, const char *line, size_t n,
		      long lineno, sweep_hit_fn fn, void *ctx);
/* 1 when a file of this base name is read as a text log: *.log, *.log.*,
 * access.log*, syslog*, auth.log*, messages*, secure*, *.jsonl, *.ndjson. */
int sweep_is_log_name(const char *base);

/* A sweep over paths. */
struct sweep_opts {
	int threads;                  /* workers; 0: one per core */
	int follow_symlinks;          /* follow links below the given paths */
	int all_filesystems;          /* cross into other mounted file systems */
	unsigned long long max_size;  /* 0: SWEEP_MAX_SIZE_DEFAULT */
};

struct sweep_stats {
	unsigned long long files;     /* files read */
	unsigned long long bytes;     /* bytes read (as stored, gzip not inflated) */
	unsigned long long hits;
	unsigned long long errors;    /* unreadable files and directories */
	unsigned long long skipped_large, skipped_special, skipped_links,
			   skipped_mounts;
	double seconds;
};

/* What a sweep tells its caller. Callbacks are called one at a time (the
 * run serialises them), from any thread. */
struct sweep_sink {
	/* The hits of one file, in the order found (a log's by line); more
	 * hits than listed when truncated > 0. */
	void (*hits)(void *ctx, const char *path, const struct sweep_hit *h,
		     size_t n, unsigned long long truncated);
	/* A path that could not be read (msg: MSG_SWEEP_UNREADABLE, its
	 * argument "path: reason") or was skipped (MSG_SWEEP_TOO_LARGE). */
	void (*problem)(void *ctx, int msg, const char *arg);
	/* Called about four times a second from the thread that called
	 * sweep_run, while it runs; may be NULL. */
	void (*progress)(void *ctx, const struct sweep_stats *st);
	void *ctx;
};

/* Sweeps the paths (files or directories) with the set (finished). Returns
 * 0 when the sweep ran (hits and unreadable files are counted in st), -1
 * with e when it could not start. */
int sweep_run(const struct sweep_set *s, const char *const *paths, size_t npaths,
	      const struct sweep_opts *o, const struct sweep_sink *sink,
	      struct sweep_stats *st, struct err *e);

#endif
