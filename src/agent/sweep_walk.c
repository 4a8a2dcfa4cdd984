/*
 * sweep_walk.c - a sweep run: the walk (in the calling thread), a bounded
 * queue of files, and one worker per core that reads each file once.
 *
 * The walk keeps an explicit stack of directory paths (no recursion, one
 * directory open at a time), does not follow symbolic links below the given
 * paths unless asked (then a (device, inode) set stops loops), stays on the
 * file system of each given path unless asked, and skips devices, FIFOs and
 * sockets. A path given on the command line is followed if it is a link.
 *
 * A worker matches the file's base name against the file names of the
 * set, opens the file (O_NOFOLLOW when links are not followed, so a file
 * swapped for a link after the walk is not read; O_NOATIME where allowed,
 * so the sweep leaves access times as they were) and
 *   - when the file is at most SWEEP_WHOLE_MAX and YARA rules are loaded,
 *     reads it whole into its buffer, feeds that buffer to the hashes (see
 *     below), to the log reader if it is a log, and to YARA
 *     (yr_scanner_scan_mem);
 *   - otherwise streams it in SWEEP_CHUNK reads to the hashes and the log
 *     reader, and lets YARA map the file (yr_scanner_scan_fd) if it is not
 *     larger than --max-size; a file that neither the hashes nor the log
 *     reader need is not read at all;
 *   - reports the file's hits in one call of the sink.
 * Every hit carries its file's SHA-256. When the set holds hashes, every
 * file is hashed as it is read (EVP, one context per algorithm, made once
 * per worker, SHA-256 among them). When it holds none, SHA-256 is computed
 * only for a file that has hits, after its scan: from the buffer if the file
 * is in it, else by reading the file again. Hashing every file would cost a
 * YARA-only sweep a sixth of its time, and a sweep for log indicators the
 * reading of every file.
 * A file is read up to the size fstat gave when it was opened: what is
 * appended meanwhile belongs to the next sweep, and a small file costs one
 * read call, not two (the second only to see the end).
 *
 * Files are read, not mapped, into a page-aligned buffer (5 % less CPU
 * time than malloc's 16-byte offset: the kernel's copy runs at its best
 * when source and destination sit at the same offset in their pages).
 * Mapping saves the copy from the page cache (a sixth of the CPU time of a
 * hashes-only sweep) but costs more in page-table work and, with two
 * workers, in TLB shoot-downs on every munmap. Measured on the bench tree
 * (1.1 GB in 20,000 files, 2 cores, warm cache) with a bare loop that only
 * opens, reads and hashes (tests/bench/bare_hash.c): read 0.40-0.41 s;
 * mmap 0.60 s (threads) or 0.45 s (processes); MAP_POPULATE,
 * MADV_POPULATE_READ, MADV_HUGEPAGE, mapping only files from 256 KiB or
 * 2 MiB on, software prefetch, io_uring (open, read and close linked, 16
 * files a submission) and O_DIRECT (2-5 s) were no better. Mapping also
 * takes the process-wide mmap lock on every file, and a file cut short
 * while mapped (copytruncate) raises SIGBUS, which libyara 4.2's own
 * handler does not pass on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <yara.h>

#include "sweep_int.h"
#include "../base/buf.h"
#include "../base/msg.h"
#include "../base/banned.h"

/* Files waiting for a worker: enough to keep workers busy while the walk
 * reads a large directory, small enough to cost nothing. */
#define QUEUE_CAP 4096
/* Between two progress calls: four a second look live and cost nothing. */
#define TICK_NS (250 * 1000 * 1000L)
/* Most workers (one per core; more only waits on the disk). */
#define MAX_THREADS 256
/* Files from this size on get POSIX_FADV_SEQUENTIAL (a larger readahead
 * from disk); for smaller ones the call costs more than it can save. */
#define FADVISE_MIN (1024u * 1024)
/* The read buffer's alignment (see grow). */
#define BUF_ALIGN 4096

enum { MD_MD5, MD_SHA1, MD_SHA256, MD__COUNT };

static const struct {
	const char *name;   /* for EVP_MD_fetch */
	int set;
} mds[MD__COUNT] = {
	{ "MD5", SET_MD5 },
	{ "SHA1", SET_SHA1 },
	{ "SHA256", SET_SHA256 },
};

struct job {
	char *path;
	int follow;   /* open through a link (a path given by the caller) */
};

struct run {
	const struct sweep_set *s;
	const struct sweep_sink *sink;
	unsigned long long max_size;
	int follow, all_fs;
	EVP_MD *md[MD__COUNT];      /* NULL: the set has no such hash (SHA-256:
				     * always there) */
	int eager;                  /* the set has hashes: hash every file read */

	pthread_mutex_t qm;
	pthread_cond_t can_pop, can_push, done;
	struct job *q;
	size_t qhead, qn;
	int closed, live;
	int idle, pusher_waits;     /* threads waiting: signal only them */

	pthread_mutex_t out;        /* one sink call at a time */
	struct timespec t0, last;
	atomic_ullong files, bytes, hits, errors, large, special, links, mounts;
};

struct fhit {
	int kind;
	const char *indicator;
	size_t match;               /* offset + 1 into w->m, 0: none */
	long line;
};

struct worker {
	struct run *r;
	pthread_t tid;
	YR_SCANNER *ys;
	unsigned char *buf;
	size_t cap;
	EVP_MD_CTX *ctx[MD__COUNT];
	struct logscan ls;
	struct fhit *h;
	size_t nh, hcap;
	struct sweep_hit *out;
	size_t outcap;
	struct buf m;
	unsigned long long truncated;
	char sha256[2 * 32 + 1];    /* of the file read, "" if not read */
};

/* ---- time and progress ---- */

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void snapshot(struct run *r, struct sweep_stats *st)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	st->files = atomic_load(&r->files);
	st->bytes = atomic_load(&r->bytes);
	st->hits = atomic_load(&r->hits);
	st->errors = atomic_load(&r->errors);
	st->skipped_large = atomic_load(&r->large);
	st->skipped_special = atomic_load(&r->special);
	st->skipped_links = atomic_load(&r->links);
	st->skipped_mounts = atomic_load(&r->mounts);
	st->seconds = since(&r->t0, &now);
}

/* Called by the walking thread only. */
static void tick(struct run *r)
{
	if (r->sink->progress == NULL)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (since(&r->last, &now) * 1e9 < TICK_NS)
		return;
	r->last = now;
	struct sweep_stats st;
	snapshot(r, &st);
	pthread_mutex_lock(&r->out);
	r->sink->progress(r->sink->ctx, &st);
	pthread_mutex_unlock(&r->out);
}

static void problem(struct run *r, int msg, const char *path, const char *why)
{
	size_t l = strlen(path) + strlen(why) + 3;
	char *arg = malloc(l);
	if (arg)
		snprintf(arg, l, "%s: %s", path, why);
	pthread_mutex_lock(&r->out);
	if (r->sink->problem)
		r->sink->problem(r->sink->ctx, msg, arg ? arg : path);
	pthread_mutex_unlock(&r->out);
	free(arg);
}

/* ---- the queue ---- */

static void deadline(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_nsec += TICK_NS;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void push(struct run *r, char *path, int follow)
{
	pthread_mutex_lock(&r->qm);
	while (r->qn == QUEUE_CAP) {
		struct timespec ts;
		deadline(&ts);
		r->pusher_waits = 1;
		int rc = pthread_cond_timedwait(&r->can_push, &r->qm, &ts);
		r->pusher_waits = 0;
		if (rc == ETIMEDOUT) {
			pthread_mutex_unlock(&r->qm);
			tick(r);
			pthread_mutex_lock(&r->qm);
		}
	}
	r->q[(r->qhead + r->qn) % QUEUE_CAP] = (struct job){ path, follow };
	r->qn++;
	if (r->idle)
		pthread_cond_signal(&r->can_pop);
	pthread_mutex_unlock(&r->qm);
}

static int pop(struct run *r, struct job *j)
{
	pthread_mutex_lock(&r->qm);
	while (r->qn == 0 && !r->closed) {
		r->idle++;
		pthread_cond_wait(&r->can_pop, &r->qm);
		r->idle--;
	}
	if (r->qn == 0) {
		pthread_mutex_unlock(&r->qm);
		return 0;
	}
	*j = r->q[r->qhead];
	r->qhead = (r->qhead + 1) % QUEUE_CAP;
	r->qn--;
	/* the walker waits for room: wake it when a quarter is free */
	if (r->pusher_waits && r->qn <= QUEUE_CAP * 3 / 4)
		pthread_cond_signal(&r->can_push);
	pthread_mutex_unlock(&r->qm);
	return 1;
}

/* ---- a file's hits ---- */

static void add_hit(struct worker *w, int kind, const char *indicator, const char *match,
		    long line)
{
	if (w->nh >= SWEEP_MAX_HITS_PER_FILE) {
		w->truncated++;
		return;
	}
	if (w->nh == w->hcap) {
		size_t cap = w->hcap ? w->hcap * 2 : 16;
		struct fhit *h = realloc(w->h, cap * sizeof(*h));
		if (h == NULL) {
			w->truncated++;
			return;
		}
		w->h = h;
		w->hcap = cap;
	}
	size_t off = 0;
	if (match) {
		size_t at = w->m.len;
		if (buf_add(&w->m, match, strlen(match) + 1) == 0)
			off = at + 1;
		else
			buf_init(&w->m, w->m.max);
	}
	w->h[w->nh++] = (struct fhit){ kind, indicator, off, line };
}

static void log_hit(void *ctx, const struct sweep_hit *h)
{
	struct worker *w = ctx;
	add_hit(w, h->kind, h->indicator, h->match, h->line);
}

static void flush(struct worker *w, const char *path)
{
	struct run *r = w->r;
	if (w->nh == 0 && w->truncated == 0)
		return;
	if (w->nh > w->outcap) {
		struct sweep_hit *o = realloc(w->out, w->nh * sizeof(*o));
		if (o == NULL) {
			w->nh = 0;
			return;
		}
		w->out = o;
		w->outcap = w->nh;
	}
	for (size_t i = 0; i < w->nh; i++)
		w->out[i] = (struct sweep_hit){ w->h[i].kind, w->h[i].indicator,
						w->h[i].match ? w->m.p + w->h[i].match - 1 : NULL,
						w->h[i].line, w->sha256[0] ? w->sha256 : NULL };
	atomic_fetch_add(&r->hits, w->nh + w->truncated);
	pthread_mutex_lock(&r->out);
	if (r->sink->hits)
		r->sink->hits(r->sink->ctx, path, w->out, w->nh, w->truncated);
	pthread_mutex_unlock(&r->out);
	w->nh = 0;
	w->truncated = 0;
	buf_reset(&w->m);
}

static void hex(char *out, const unsigned char *d, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---- reading a file ---- */

static int yara_hit(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
	(void)ctx;
	if (message == CALLBACK_MSG_RULE_MATCHING) {
		const YR_RULE *rule = data;
		add_hit(user, SWEEP_YARA, rule->identifier, NULL, 0);
	}
	return CALLBACK_CONTINUE;
}

static void hash_begin(struct worker *w)
{
	for (int i = 0; i < MD__COUNT; i++)
		if (w->r->md[i])
			EVP_DigestInit_ex(w->ctx[i], w->r->md[i], NULL);
}

static void hash_update(struct worker *w, const void *p, size_t n)
{
	for (int i = 0; i < MD__COUNT; i++)
		if (w->r->md[i])
			EVP_DigestUpdate(w->ctx[i], p, n);
}

/* Finishes the digests and looks them up. */
static void hash_end(struct worker *w)
{
	for (int i = 0; i < MD__COUNT; i++) {
		if (w->r->md[i] == NULL)
			continue;
		unsigned char d[EVP_MAX_MD_SIZE];
		unsigned dl = 0;
		EVP_DigestFinal_ex(w->ctx[i], d, &dl);
		if (i == MD_SHA256)
			hex(w->sha256, d, dl);
		const struct strset *t = &w->r->s->set[mds[i].set];
		if (t->n == 0)
			continue;
		const struct strset_entry *en = strset_find(t, sweep_hash(d, dl), d, dl);
		if (en)
			add_hit(w, SWEEP_HASH, en->display, NULL, 0);
	}
}

/* The worker's buffer, at least n bytes, page-aligned: the kernel copies
 * from the page cache faster into a buffer at the same offset within its
 * page as the file's data. What the buffer held is not kept. */
static int grow(struct worker *w, size_t n)
{
	if (w->cap >= n)
		return 0;
	size_t cap = w->cap ? w->cap : SWEEP_CHUNK;
	while (cap < n)
		cap *= 2;
	void *b = NULL;
	if (posix_memalign(&b, BUF_ALIGN, cap) != 0)
		return -1;
	free(w->buf);
	w->buf = b;
	w->cap = cap;
	return 0;
}

/* 1 when the file's SHA-256 is still to be computed for its hits. */
static int hash_due(const struct worker *w)
{
	return !w->r->eager && (w->nh > 0 || w->truncated > 0);
}

/* SHA-256 of n bytes at p, for the hits of a file in the buffer. */
static void hash_mem(struct worker *w, const unsigned char *p, size_t n)
{
	hash_begin(w);
	hash_update(w, p, n);
	hash_end(w);
}

/* SHA-256 of the first size bytes of the file, read again from its start,
 * for the hits of a file that was not kept in the buffer. The buffer is
 * free (the file was streamed through it, or not read). Leaves w->sha256
 * empty when the file cannot be read. */
static void hash_fd(struct worker *w, int fd, size_t size)
{
	if (grow(w, SWEEP_CHUNK) != 0)
		return;
	hash_begin(w);
	size_t at = 0;
	while (at < size) {
		size_t want = size - at < SWEEP_CHUNK ? size - at : SWEEP_CHUNK;
		ssize_t k = pread(fd, w->buf, want, (off_t)at);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return;
		if (k == 0)
			break;   /* cut short since fstat */
		hash_update(w, w->buf, (size_t)k);
		at += (size_t)k;
	}
	hash_end(w);
}

/* Reads n bytes (fewer at the end of the file) into p in SWEEP_CHUNK
 * pieces, hashing each piece as it comes when the set has hashes: it is
 * still in the core's cache, where a hash over the whole buffer afterwards
 * would fetch it again. */
static ssize_t read_hashed(struct worker *w, int fd, unsigned char *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		size_t want = n - got < SWEEP_CHUNK ? n - got : SWEEP_CHUNK;
		ssize_t k = read(fd, p + got, want);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		if (w->r->eager)
			hash_update(w, p + got, (size_t)k);
		got += (size_t)k;
	}
	return (ssize_t)got;
}

static void yara_vars(struct worker *w, const char *path, const char *base)
{
	const char *dot = strrchr(base, '.');
	yr_scanner_define_string_variable(w->ys, "filename", base);
	yr_scanner_define_string_variable(w->ys, "filepath", path);
	yr_scanner_define_string_variable(w->ys, "extension", dot && dot != base ? dot : "");
}

static void yara_result(struct worker *w, const char *path, int rc)
{
	if (rc == ERROR_SUCCESS)
		return;
	char why[64];
	if (rc == ERROR_SCAN_TIMEOUT)
		snprintf(why, sizeof(why), "YARA timeout (%d s)", SWEEP_YARA_TIMEOUT_S);
	else
		snprintf(why, sizeof(why), "libyara error %d", rc);
	atomic_fetch_add(&w->r->errors, 1);
	problem(w->r, MSG_SWEEP_SCAN, path, why);
}

/* The whole file into the buffer; every reader on that one copy. */
static int scan_whole(struct worker *w, int fd, size_t size, int is_log, const char *path,
		      const char *base)
{
	if (grow(w, size + 1) != 0) {
		errno = ENOMEM;
		return -1;
	}
	ssize_t got = read_hashed(w, fd, w->buf, size);
	if (got < 0)
		return -1;
	atomic_fetch_add(&w->r->bytes, (unsigned long long)got);
	if (w->r->eager)
		hash_end(w);
	if (is_log && (logscan_feed(&w->ls, w->buf, (size_t)got) != 0 ||
		       logscan_end(&w->ls) != 0)) {
		atomic_fetch_add(&w->r->errors, 1);
		problem(w->r, MSG_SWEEP_UNREADABLE, path, "corrupt gzip data");
	}
	yara_vars(w, path, base);
	/* our heap buffer cannot fault: no SIGBUS guard (two sigaction calls
	 * and a process-wide mutex a file) */
	yr_scanner_set_flags(w->ys, SCAN_FLAGS_NO_TRYCATCH);
	yara_result(w, path, yr_scanner_scan_mem(w->ys, w->buf, (size_t)got));
	if (hash_due(w))
		hash_mem(w, w->buf, (size_t)got);
	return 0;
}

/* Chunks to the hashes and the log reader; YARA maps the file itself. */
static int scan_stream(struct worker *w, int fd, size_t size, int is_log, int yara,
		       const char *path, const char *base)
{
	int gz_bad = 0, eager = w->r->eager;
	if (grow(w, SWEEP_CHUNK) != 0) {
		errno = ENOMEM;
		return -1;
	}
	if (!eager && !is_log && yara)   /* YARA reads it: count it once */
		atomic_fetch_add(&w->r->bytes, (unsigned long long)size);
	size_t left = eager || is_log ? size : 0;
	while (left > 0) {
		ssize_t k = read(fd, w->buf, left < SWEEP_CHUNK ? left : SWEEP_CHUNK);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;   /* cut short since fstat */
		left -= (size_t)k;
		atomic_fetch_add(&w->r->bytes, (unsigned long long)k);
		if (eager)
			hash_update(w, w->buf, (size_t)k);
		if (is_log && !gz_bad && logscan_feed(&w->ls, w->buf, (size_t)k) != 0)
			gz_bad = 1;
	}
	if (eager)
		hash_end(w);
	if (is_log && (logscan_end(&w->ls) != 0 || gz_bad)) {
		atomic_fetch_add(&w->r->errors, 1);
		problem(w->r, MSG_SWEEP_UNREADABLE, path, "corrupt gzip data");
	}
	if (yara) {
		yara_vars(w, path, base);
		yr_scanner_set_flags(w->ys, 0);   /* libyara maps the file: guard it */
		yara_result(w, path, yr_scanner_scan_fd(w->ys, fd));
	}
	if (hash_due(w))
		hash_fd(w, fd, size);
	return 0;
}

static void name_hit(struct worker *w, const char *base)
{
	const struct strset *t = &w->r->s->set[SET_FILENAME];
	size_t n = strlen(base);
	if (t->n == 0 || n > 255)
		return;
	char k[256];
	for (size_t i = 0; i < n; i++)
		k[i] = (char)w->r->s->lower[(unsigned char)base[i]];
	const struct strset_entry *en = strset_find(t, sweep_hash(k, n), k, n);
	if (en)
		add_hit(w, SWEEP_FILENAME, en->display, NULL, 0);
}

/* Opens and reads one file for the hashes, the log reader and YARA. */
static void read_file(struct worker *w, const struct job *j, const char *base, int is_log)
{
	struct run *r = w->r;
	const char *path = j->path;
	int flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | (j->follow ? 0 : O_NOFOLLOW);
	int fd = open(path, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(path, flags);   /* O_NOATIME needs the owner or root */
	if (fd < 0) {
		if (errno == ELOOP && !j->follow) {   /* became a link after the walk */
			atomic_fetch_add(&r->links, 1);
			return;
		}
		atomic_fetch_add(&r->errors, 1);
		problem(r, MSG_SWEEP_UNREADABLE, path, strerror(errno));
		return;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		atomic_fetch_add(&r->special, 1);
		close(fd);
		return;
	}
	size_t size = (size_t)st.st_size;
	int big = (unsigned long long)st.st_size > r->max_size;
	if (big && !is_log) {
		char why[64];
		snprintf(why, sizeof(why), "%llu MiB", (unsigned long long)st.st_size >> 20);
		atomic_fetch_add(&r->large, 1);
		problem(r, MSG_SWEEP_TOO_LARGE, path, why);
		close(fd);
		return;
	}
	int yara = w->ys != NULL && !big;
	int rc;
	if (size >= FADVISE_MIN)
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (r->eager)
		hash_begin(w);
	if (is_log)
		logscan_begin(&w->ls);
	if (yara && size <= SWEEP_WHOLE_MAX)
		rc = scan_whole(w, fd, size, is_log, path, base);
	else
		rc = scan_stream(w, fd, size, is_log, yara, path, base);
	if (rc != 0) {
		atomic_fetch_add(&r->errors, 1);
		problem(r, MSG_SWEEP_UNREADABLE, path, strerror(errno));
	} else {
		atomic_fetch_add(&r->files, 1);
	}
	close(fd);
}

/* A file: its name, then its contents (SHA-256 always). */
static void scan_file(struct worker *w, const struct job *j)
{
	struct run *r = w->r;
	const struct sweep_set *s = r->s;
	const char *slash = strrchr(j->path, '/');
	const char *base = slash ? slash + 1 : j->path;
	int is_log = (s->set[SET_IP].n || s->set[SET_DOMAIN].n || s->set[SET_URL].n ||
		      s->set[SET_EMAIL].n) && sweep_is_log_name(base);
	w->sha256[0] = '\0';
	name_hit(w, base);
	read_file(w, j, base, is_log);
	flush(w, j->path);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	struct job j;
	while (pop(r, &j)) {
		scan_file(w, &j);
		free(j.path);
	}
	pthread_mutex_lock(&r->qm);
	r->live--;
	pthread_cond_signal(&r->done);
	pthread_mutex_unlock(&r->qm);
	return NULL;
}

static void worker_release(struct worker *w)
{
	if (w->ys)
		yr_scanner_destroy(w->ys);
	for (int i = 0; i < MD__COUNT; i++)
		EVP_MD_CTX_free(w->ctx[i]);
	logscan_release(&w->ls);
	free(w->buf);
	free(w->h);
	free(w->out);
	buf_release(&w->m);
}

static int worker_init(struct worker *w, struct run *r)
{
	memset(w, 0, sizeof(*w));
	w->r = r;
	buf_init(&w->m, (size_t)SWEEP_MAX_HITS_PER_FILE * (SWEEP_MAX_VALUE + 1));
	if (logscan_init(&w->ls, r->s, log_hit, w) != 0)
		return -1;
	for (int i = 0; i < MD__COUNT; i++)
		if (r->md[i] && (w->ctx[i] = EVP_MD_CTX_new()) == NULL)
			return -1;
	if (r->s->rules) {
		if (yr_scanner_create(r->s->rules, &w->ys) != ERROR_SUCCESS)
			return -1;
		yr_scanner_set_callback(w->ys, yara_hit, w);
		yr_scanner_set_timeout(w->ys, SWEEP_YARA_TIMEOUT_S);
	}
	return 0;
}

/* ---- the walk ---- */

struct dir {
	char *path;
};

struct seen_dir {
	dev_t dev;
	ino_t ino;
};

/* Directories entered, when following links: a loop ends, and a directory
 * reached by two links (or two given paths) is read once. */
struct seen {
	struct seen_dir *v;
	size_t n, cap;
};

struct walk {
	struct run *r;
	struct dir *v;
	size_t n, cap;
	dev_t dev;                 /* of the path given */
	struct seen *seen;
};

static int dir_push(struct walk *k, char *path)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		struct dir *v = realloc(k->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++].path = path;
	return 0;
}

/* 1 when (dev, ino) was entered before (and notes it otherwise). */
static int seen(struct seen *t, dev_t dev, ino_t ino)
{
	size_t h;
	if (t->n * 2 >= t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct seen_dir *nv = calloc(cap, sizeof(*nv));
		if (nv == NULL)
			return 1;   /* out of memory: do not go deeper */
		for (size_t i = 0; i < t->cap; i++) {
			if (t->v[i].ino == 0 && t->v[i].dev == 0)
				continue;
			h = (size_t)(t->v[i].ino * 0x9E3779B97F4A7C15ULL ^ t->v[i].dev) & (cap - 1);
			while (nv[h].ino || nv[h].dev)
				h = (h + 1) & (cap - 1);
			nv[h] = t->v[i];
		}
		free(t->v);
		t->v = nv;
		t->cap = cap;
	}
	h = (size_t)(ino * 0x9E3779B97F4A7C15ULL ^ dev) & (t->cap - 1);
	while (t->v[h].ino || t->v[h].dev) {
		if (t->v[h].ino == ino && t->v[h].dev == dev)
			return 1;
		h = (h + 1) & (t->cap - 1);
	}
	t->v[h].dev = dev;
	t->v[h].ino = ino;
	t->n++;
	return 0;
}

static char *join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	int slash = dl > 0 && dir[dl - 1] != '/';
	char *p = malloc(dl + slash + nl + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, dir, dl);
	if (slash)
		p[dl] = '/';
	memcpy(p + dl + slash, name, nl + 1);
	return p;
}

/* One entry of a directory; takes path. */
static void entry(struct walk *k, int dfd, const struct dirent *de, char *path)
{
	struct run *r = k->r;
	unsigned char t = de->d_type;
	if (t == DT_REG) {
		push(r, path, 0);
		return;
	}
	if (t == DT_LNK && !r->follow) {
		atomic_fetch_add(&r->links, 1);
		free(path);
		return;
	}
	if (t != DT_DIR && t != DT_UNKNOWN && t != DT_LNK) {
		atomic_fetch_add(&r->special, 1);
		free(path);
		return;
	}
	struct stat st;
	if (fstatat(dfd, de->d_name, &st, r->follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
		if (t == DT_LNK) {           /* a dangling link */
			atomic_fetch_add(&r->links, 1);
		} else {
			atomic_fetch_add(&r->errors, 1);
			problem(r, MSG_SWEEP_UNREADABLE, path, strerror(errno));
		}
		free(path);
		return;
	}
	if (S_ISREG(st.st_mode)) {
		push(r, path, t == DT_LNK);
	} else if (S_ISDIR(st.st_mode)) {
		if (!r->all_fs && st.st_dev != k->dev) {
			atomic_fetch_add(&r->mounts, 1);
			free(path);
		} else if (r->follow && seen(k->seen, st.st_dev, st.st_ino)) {
			free(path);
		} else if (dir_push(k, path) != 0) {
			atomic_fetch_add(&r->errors, 1);
			problem(r, MSG_SWEEP_UNREADABLE, path, strerror(ENOMEM));
			free(path);
		}
	} else {
		atomic_fetch_add(S_ISLNK(st.st_mode) ? &r->links : &r->special, 1);
		free(path);
	}
}

static void walk_dir(struct walk *k, char *path)
{
	struct run *r = k->r;
	DIR *d = opendir(path);
	if (d == NULL) {
		atomic_fetch_add(&r->errors, 1);
		problem(r, MSG_SWEEP_UNREADABLE, path, strerror(errno));
		free(path);
		return;
	}
	int dfd = dirfd(d);
	struct dirent *de;
	unsigned count = 0;
	while ((de = readdir(d)) != NULL) {
		const char *nm = de->d_name;
		if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0')))
			continue;
		char *child = join(path, nm);
		if (child == NULL)
			continue;
		entry(k, dfd, de, child);
		if (++count % 64 == 0)
			tick(r);
	}
	closedir(d);
	free(path);
	tick(r);
}

static void walk(struct run *r, struct seen *dirs, const char *root)
{
	struct stat st;
	if (stat(root, &st) != 0) {
		atomic_fetch_add(&r->errors, 1);
		problem(r, MSG_SWEEP_UNREADABLE, root, strerror(errno));
		return;
	}
	char *p = strdup(root);
	if (p == NULL)
		return;
	if (S_ISREG(st.st_mode)) {
		push(r, p, 1);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		atomic_fetch_add(&r->special, 1);
		free(p);
		return;
	}
	struct walk k = { .r = r, .dev = st.st_dev, .seen = dirs };
	if (r->follow && seen(dirs, st.st_dev, st.st_ino)) {
		free(p);
		return;
	}
	if (dir_push(&k, p) != 0) {
		free(p);
		return;
	}
	while (k.n > 0) {
		char *dir = k.v[--k.n].path;
		walk_dir(&k, dir);
	}
	free(k.v);
}

/* ---- the run ---- */

static int cores(void)
{
	cpu_set_t cs;
	if (sched_getaffinity(0, sizeof(cs), &cs) == 0 && CPU_COUNT(&cs) > 0)
		return CPU_COUNT(&cs);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static void run_release(struct run *r)
{
	for (int i = 0; i < MD__COUNT; i++)
		EVP_MD_free(r->md[i]);
	free(r->q);
	pthread_mutex_destroy(&r->qm);
	pthread_mutex_destroy(&r->out);
	pthread_cond_destroy(&r->can_pop);
	pthread_cond_destroy(&r->can_push);
	pthread_cond_destroy(&r->done);
}

int sweep_run(const struct sweep_set *s, const char *const *paths, size_t npaths,
	      const struct sweep_opts *o, const struct sweep_sink *sink,
	      struct sweep_stats *st, struct err *e)
{
	memset(st, 0, sizeof(*st));
	if (!s->finished)
		return err_set(e, E_INTERNAL, MSG_INTERNAL, "sweep_set_finish");
	struct run r;
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.sink = sink;
	r.max_size = o->max_size ? o->max_size : SWEEP_MAX_SIZE_DEFAULT;
	r.follow = o->follow_symlinks;
	r.all_fs = o->all_filesystems;
	pthread_mutex_init(&r.qm, NULL);
	pthread_mutex_init(&r.out, NULL);
	pthread_cond_init(&r.can_pop, NULL);
	pthread_cond_init(&r.can_push, NULL);
	pthread_cond_init(&r.done, NULL);
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	r.last = r.t0;
	r.q = malloc(QUEUE_CAP * sizeof(*r.q));
	r.eager = s->set[SET_MD5].n || s->set[SET_SHA1].n || s->set[SET_SHA256].n;
	for (int i = 0; i < MD__COUNT; i++)
		if ((i == MD_SHA256 || s->set[mds[i].set].n) &&
		    (r.md[i] = EVP_MD_fetch(NULL, mds[i].name, NULL)) == NULL) {
			run_release(&r);
			return err_set(e, E_INTERNAL, MSG_SWEEP_SCAN, mds[i].name);   /* OpenSSL lacks it (FIPS) */
		}
	int n = o->threads > 0 ? o->threads : cores();
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	struct worker *w = calloc((size_t)n, sizeof(*w));
	if (r.q == NULL || w == NULL) {
		free(w);
		run_release(&r);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	}
	int started = 0;
	for (; started < n; started++) {
		if (worker_init(&w[started], &r) != 0) {
			worker_release(&w[started]);
			break;
		}
		r.live++;
		if (pthread_create(&w[started].tid, NULL, worker_main, &w[started]) != 0) {
			r.live--;
			worker_release(&w[started]);
			break;
		}
	}
	if (started == 0) {
		free(w);
		run_release(&r);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	}
	struct seen dirs = { 0 };
	for (size_t i = 0; i < npaths; i++)
		walk(&r, &dirs, paths[i]);
	free(dirs.v);
	pthread_mutex_lock(&r.qm);
	r.closed = 1;
	pthread_cond_broadcast(&r.can_pop);
	while (r.live > 0) {
		struct timespec ts;
		deadline(&ts);
		if (pthread_cond_timedwait(&r.done, &r.qm, &ts) == ETIMEDOUT) {
			pthread_mutex_unlock(&r.qm);
			tick(&r);
			pthread_mutex_lock(&r.qm);
		}
	}
	pthread_mutex_unlock(&r.qm);
	for (int i = 0; i < started; i++) {
		pthread_join(w[i].tid, NULL);
		worker_release(&w[i]);
	}
	free(w);
	snapshot(&r, st);
	run_release(&r);
	return 0;
}
