/*
 * mail.h - reports that arrive by email (issue 17 item 5): the message
 * reader (MIME through GMime 3, mail_parse.c), the Mẫu 03 heading reader
 * (mau03.c) and the intake that turns a message into an incident, a
 * comment, a triage item or a quarantined message (intake.c).
 */
#ifndef UNGCUU_DUTY_MAIL_H
#define UNGCUU_DUTY_MAIL_H

#include <stddef.h>

#include <jansson.h>

#include "../domain.h"

struct mail_att {
	char name[256];          /* UTF-8, no '/', '\\' or control characters */
	char content_type[101];
	unsigned char *data;
	size_t n;
};

#define MAIL_MAX_REFS 20

/* A message as the intake reads it: every text UTF-8 (NFC), bounded. */
struct mail_msg {
	char from[LIMIT_MAIL_ADDRESS + 1];  /* the From mailbox, lower case */
	char from_name[201];
	char *subject;                      /* "" when none */
	char message_id[LIMIT_MAIL_MESSAGE_ID + 1];  /* without <>, "" when none */
	char in_reply_to[LIMIT_MAIL_MESSAGE_ID + 1];
	char *refs[MAIL_MAX_REFS];          /* References, newest last */
	int nrefs;
	char *body;                         /* the text (text/plain, else html as text) */
	struct mail_att *att;
	size_t natt;
};

/* Why a message is refused: the code kept in mail_quarantine.reason. */
enum mail_refusal {
	MAIL_OK = 0,
	MAIL_R_TOO_LARGE,        /* too_large */
	MAIL_R_PARTS,            /* too_many_parts */
	MAIL_R_MIME,             /* bad_mime */
	MAIL_R_CHARSET,          /* charset */
	MAIL_R_HEADER,           /* bad_header */
	MAIL_R_NO_SENDER,        /* no_sender */
	MAIL_R_ATTACHMENT,       /* attachment_too_large */
	MAIL_R_ATTACHMENTS,      /* too_many_attachments */
	MAIL_R_INVALID,          /* invalid_report: read, but not a report ungcuu can file */
};
const char *mail_refusal_code(int r);

/*
 * Reads the n bytes of raw as an RFC 5322 message. 0 and m filled (free
 * with mail_msg_release), or a refusal (enum mail_refusal) with e set to
 * the message that says why (m released). Never more than
 * LIMIT_MAIL_RAW bytes, LIMIT_MAIL_PARTS parts nested LIMIT_MAIL_DEPTH
 * deep, LIMIT_MAIL_ATTACHMENTS attachments of at most max_attachment
 * bytes each. Text in another charset is converted to UTF-8; text in an
 * unknown charset, or not valid in its charset, is refused.
 */
int mail_parse(const void *raw, size_t n, size_t max_attachment, struct mail_msg *m,
	       struct err *e);
void mail_msg_release(struct mail_msg *m);

/*
 * The Mẫu 03 heading reader: the fields of the initial report found where
 * the sender used the form's headings ("Họ và tên:", "Đơn vị vận hành hệ
 * thống:", "5. Tình trạng sự cố", "☒ Đã xử lý", ...; case, diacritics,
 * "(*)" and numbering ignored) as a JSON object in the shape of POST
 * /incidents (reporter, contact, system, handling_status,
 * detection_method, notified, details, confidential, support_needed,
 * title, description, detected_at "YYYY-MM-DDTHH:MM:00+07:00"). Only what
 * was found is there: an empty object for free text. Never NULL.
 */
json_t *mau03_read(const char *text);

/* An address in the form the directory compares: trimmed, lower case;
 * 0, or -1 when it is not one mailbox (local@domain, printable ASCII or
 * UTF-8, at most LIMIT_MAIL_ADDRESS bytes). */
int mail_address_norm(const char *in, char *out, size_t n);

/* Whether subject carries "[TBSC]" (any case), the form's email prefix. */
int mail_subject_tbsc(const char *subject);
/* An incident number (PQ-2026-0007 with the instance's prefix) in the
 * subject into out; 0 found, -1 not. */
int mail_subject_number(const char *subject, const char *prefix, char *out, size_t n);

/*
 * The intake (intake.c), acting as the instance (system actor):
 * mail_intake files the raw message: a received incident of the known
 * sender's organisation, a comment on the incident a reply belongs to, a
 * triage item, or a quarantined message with its reason; all of it, the
 * reply to the sender queued in mail_outbox, and the record of the message
 * in one transaction. A message already read (same Message-ID, or same
 * bytes) is not filed twice. Returns the outcome {outcome, incident_id,
 * number, triage_id, quarantine_id, reason, reply_id} or NULL on a storage
 * error. intake_address: the address replies come from ("" for none).
 * n is the message's real size: when it exceeds LIMIT_MAIL_RAW, raw holds
 * only its first LIMIT_MAIL_RAW + 1 bytes (the CLI reads no more) and the
 * message is quarantined as too large.
 */
json_t *mail_intake(struct ctx *c, const void *raw, size_t n, const char *intake_address,
		    struct err *e);

/* The replies are queued in mail_outbox in the intake's transaction and
 * sent by the server's delivery worker (src/notify/, notify_deliver_replies):
 * retried with backoff, each attempt recorded on the row. */

/* Triage (policy ACT_MAIL_TRIAGE: coordinators of the instance's home
 * organisation, whose intake address it is). Items {id, sender, subject,
 * body, form, attachments, status, incident_id, number, reason,
 * decided_at, created_at}, newest first, at most LIMIT_MAIL_LIST. */
json_t *mail_triage_list(struct ctx *c, const char *status, struct err *e);
json_t *mail_triage_get(struct ctx *c, const char *id, struct err *e);
/* {org_code}: files the message as it came (read again from the kept raw
 * bytes) as a received incident of that organisation (in the actor's
 * scope), with its attachments, filed by the actor; the sender gets the
 * acknowledgement; later replies in the thread find the incident. 409 once
 * decided (two coordinators cannot both accept). */
json_t *mail_triage_accept(struct ctx *c, const char *id, json_t *body, struct err *e);
/* {reason}: closes it without an incident. */
json_t *mail_triage_reject(struct ctx *c, const char *id, json_t *body, struct err *e);
/* The quarantined messages with their reasons (no bytes). */
json_t *mail_quarantine_list(struct ctx *c, struct err *e);

#endif
