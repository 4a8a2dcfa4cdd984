/*
 * syslog_line.h - reading syslog as firewalls and servers send it: one
 * message (RFC 5424, or the BSD format of RFC 3164), and the framing of a
 * TCP stream (RFC 6587: octet counting "LEN SP MSG", or one message a line).
 *
 * Pure functions on bytes: no I/O, no allocation in the parser; the framer
 * owns one buffer of at most max_line bytes. Any input is safe: a line the
 * parser refuses says why (enum syslog_refusal) and nothing is half read.
 */
#ifndef UNGCUU_DUTY_SYSLOG_LINE_H
#define UNGCUU_DUTY_SYSLOG_LINE_H

#include <stddef.h>
#include <stdint.h>

/* Longest message by default (RFC 5424 §6.1: receivers should take 2048;
 * firewalls send longer); the configuration may raise it to SYSLOG_LINE_MAX. */
#define SYSLOG_LINE_DEFAULT 8192
#define SYSLOG_LINE_MAX (64 * 1024)

enum syslog_refusal {
	SYSLOG_OK = 0,
	SYSLOG_EMPTY,        /* nothing but spaces */
	SYSLOG_TOO_LONG,     /* longer than the limit */
	SYSLOG_BAD_PRI,      /* "<" without a number 0..191 and ">" */
	SYSLOG_BAD_HEADER,   /* RFC 5424 header fields malformed */
	SYSLOG_BAD_UTF8,     /* not UTF-8 text (or a NUL byte) */
	SYSLOG__REFUSALS
};

/* What was read; strings point into the input (not NUL-terminated). */
struct syslog_msg {
	int facility, severity;   /* from PRI; 1 and 5 (user.notice) when absent (RFC 3164 §4.3.3) */
	int version;              /* 1: RFC 5424, 0: BSD */
	int64_t time_ms;          /* 0: none or not understood (BSD times carry no year) */
	const char *host; size_t host_len;
	const char *app; size_t app_len;
	const char *msg; size_t msg_len;   /* the free text (RFC 5424: after the structured data) */
	const char *sd; size_t sd_len;     /* RFC 5424 structured data, "-" when none */
};

/* Reads one message of n bytes (a final CR LF or LF is ignored). */
int syslog_parse(const char *p, size_t n, size_t max_line, struct syslog_msg *m);
/* A short English name of a refusal ("bad_pri"), for counters and logs. */
const char *syslog_refusal_name(int r);

/* The TCP framer: bytes in, whole messages out. A frame starting with a
 * digit is octet-counted, any other is ended by LF (or NUL). A frame longer
 * than max_line is dropped whole (the callback sees SYSLOG_TOO_LONG once,
 * with no bytes); an octet count that is not a number closes the stream. */
typedef void (*syslog_frame_fn)(void *ctx, const char *p, size_t n, int refusal);

struct syslog_framer {
	char *buf;
	size_t len, max_line;
	int state;           /* enum in syslog_line.c */
	size_t want;         /* octet counting: bytes still to come */
	size_t count_digits;
};

int syslog_framer_init(struct syslog_framer *f, size_t max_line);
void syslog_framer_release(struct syslog_framer *f);
/* Feeds bytes; returns 0, or -1 when the stream is broken and must be closed. */
int syslog_framer_feed(struct syslog_framer *f, const char *p, size_t n, syslog_frame_fn fn,
		       void *ctx);
/* The stream ended: a last unterminated line is delivered. */
void syslog_framer_end(struct syslog_framer *f, syslog_frame_fn fn, void *ctx);

#endif
