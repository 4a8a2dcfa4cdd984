/*
 * limits.h - every limit of ungcuu in one place, each with why it has its value.
 */
#ifndef UNGCUU_LIMITS_H
#define UNGCUU_LIMITS_H

/* A JSON request body: the largest legitimate one is an initial report with a
 * long description; 1 MiB leaves room and stops memory abuse. */
#define LIMIT_JSON_BODY (1024 * 1024)
/* Before a caller is authenticated only a login fits: 16 KiB is plenty. */
#define LIMIT_ANON_BODY (16 * 1024)
/* Default attachment limit (configurable with --max-attachment). */
#define LIMIT_ATTACHMENT_DEFAULT (20 * 1024 * 1024)
/* An agent's inventory: 100,000 packages of ~80 bytes each fit. */
#define LIMIT_INVENTORY (16 * 1024 * 1024)
/* Feeds and scanner reports uploaded through the API. */
#define LIMIT_IMPORT (64 * 1024 * 1024)
/* JSON nesting: our documents are at most 3 deep; 16 refuses stack games. */
#define LIMIT_JSON_DEPTH 16
/* Strings: a title is a line, a description a few pages. Counted in bytes. */
#define LIMIT_SHORT_TEXT 300
#define LIMIT_LONG_TEXT 20000
/* List items in one field (IPs, domains of a system ...). */
#define LIMIT_ARRAY_ITEMS 100
/* Organisation tree depth: national > province > district > agency > unit,
 * with room to spare. Paths are stored as /id/id/.../ strings. */
#define LIMIT_ORG_DEPTH 8
#define LIMIT_ORG_PATH (LIMIT_ORG_DEPTH * 37 + 2)
/* Page size for lists. */
#define LIMIT_PAGE_DEFAULT 50
#define LIMIT_PAGE_MAX 200
/* Page size of the registry, finding, warning and hunt lists (domain/page.h). */
#define LIMIT_LIST_MAX 500
/* The sort key a list cursor carries: an organisation path and a name. */
#define LIMIT_PAGE_KEY 2048
/* Request-scoped arena: headers, parsed JSON copies, small buffers. */
#define LIMIT_REQ_ARENA (256 * 1024)
/* Response body cap: a full incident with a long timeline fits easily. */
#define LIMIT_RESPONSE (8 * 1024 * 1024)
/* An agent's clock may differ from the server's by this much, either way
 * ([agents] clock_skew): enough for an island's drifting clocks, short
 * enough that a captured upload is soon useless. A week at most. */
#define LIMIT_AGENT_SKEW_DEFAULT (5LL * 60 * 1000)
#define LIMIT_AGENT_SKEW_MAX (7LL * 86400 * 1000)
/* An agent upload's sequence number: 1 .. 2^53 - 1, the integers every JSON
 * reader keeps exactly (one a second lasts 285 million years). */
#define LIMIT_AGENT_SEQ ((1LL << 53) - 1)
/* Failed logins: slowed from the 3rd, locked for LOCK_SECONDS from the 5th. */
#define LIMIT_LOGIN_SLOW_AFTER 3
#define LIMIT_LOGIN_LOCK_AFTER 5
#define LIMIT_LOGIN_LOCK_SECONDS (15 * 60)
/* Sessions expire after 12 idle-free hours: a night shift. */
#define LIMIT_SESSION_SECONDS (12 * 3600)
/* Timeline events returned with one incident. */
#define LIMIT_TIMELINE 2000
/* Passwords: at least 12 characters (counted in Unicode characters; NIST
 * SP 800-63B asks 8 at least, 12 makes a phrase the easy way), Argon2id
 * input bounded in bytes so hashing cost is bounded. */
#define LIMIT_PASSWORD_MIN 12
#define LIMIT_PASSWORD_MAX 256
/* Second factor: the challenge between the password and the code lives 5
 * minutes and takes 5 codes; wrong codes also count as failed logins. */
#define LIMIT_OTP_CHALLENGE_SECONDS (5 * 60)
#define LIMIT_OTP_ATTEMPTS 5
/* Header and query values, checked before anything runs: libmicrohttpd's
 * 16 KiB per-connection memory bounds headers anyway; a query value is a
 * filter or a file name, 2 KiB is generous. */
#define LIMIT_HEADER_VALUE (8 * 1024)
#define LIMIT_QUERY_VALUE 2048
/* Connections (configurable in [server]): a commune office behind one NAT
 * address with ~20 browsers of 6 connections fits under 128; one address
 * holding idle sockets cannot take the whole 1024. Idle ones end after 30 s. */
#define LIMIT_CONNECTIONS 1024
#define LIMIT_CONNECTIONS_PER_IP 128
#define LIMIT_CONNECTION_TIMEOUT 30
/* Login attempts refused before any Argon2id work: per address 30 a minute
 * with a burst of 20 (a shared office logs in together in the morning), per
 * username 10 a minute (the lock-out counts failures, this counts tries). */
#define LIMIT_LOGIN_PER_MIN 30
#define LIMIT_LOGIN_USER_PER_MIN 10
#define LIMIT_LOGIN_BURST 20
/* Addresses and usernames the login gate remembers (a fixed table). */
#define LIMIT_LOGIN_GATE_SLOTS 4096

/* The queue (issue 12). A search takes at most 16 words: each is an FTS5
 * term, so the cost of a query stays bounded (more is refused, not cut). */
#define LIMIT_SEARCH_TERMS 16
/* A CSV export is a view, not a dump: at most 10,000 rows (more: 413). */
#define LIMIT_EXPORT_ROWS 10000
/* Saved views a person keeps: enough for every useful view, bounded. */
#define LIMIT_SAVED_FILTERS 50

/* A budget line's amount in whole VND (h/risk): a thousand billion is more
 * than any district spends on one line, and well inside the integers a
 * browser reads exactly (2^53). */
#define LIMIT_VND_AMOUNT 1000000000000000LL
/* Response plans (issue 15, h/plans). An outline has a dozen sections in
 * the law; 40 leaves room for an instance's own without unbounded lists. */
#define LIMIT_PLAN_SECTIONS 40
/* A section's text: a few pages (the scenarios are structured apart). */
#define LIMIT_PLAN_SECTION_TEXT 20000
/* A scenario's checklist: each step becomes a task on an incident, so a
 * step is a task title ("N. " + text within LIMIT_SHORT_TEXT) and a
 * checklist a screenful of them. */
#define LIMIT_PLAN_STEPS 30
#define LIMIT_PLAN_STEP_TEXT (LIMIT_SHORT_TEXT - 20)
/* A decision's number ("15/QĐ-UBND"). */
#define LIMIT_PLAN_DECISION 64

/* Reports by email (issue 17 item 5, h/mail). A message whole: a 20 MiB
 * attachment in base64 and its text. */
#define LIMIT_MAIL_RAW (32 * 1024 * 1024)
/* MIME parts of one message, and how deep multiparts nest: a report with
 * its logs and screenshots is a few dozen. */
#define LIMIT_MAIL_PARTS 200
#define LIMIT_MAIL_DEPTH 10
#define LIMIT_MAIL_ATTACHMENTS 50
/* What a quarantined message keeps of itself (the start, for a person to
 * look at; its SHA-256 names the whole). */
#define LIMIT_MAIL_QUARANTINE (1024 * 1024)
/* An email address (RFC 5321: 254) and a Message-ID kept. */
#define LIMIT_MAIL_ADDRESS 254
#define LIMIT_MAIL_MESSAGE_ID 998
/* Triage and quarantine lists: the newest this many. */
#define LIMIT_MAIL_LIST 200
#define LIMIT_MAIL_LIST_SQL "200"
/* -- federation transport (issue 16, h/sync-net) -- */
/* A sync request's body (a batch of envelopes) and the answer a client
 * reads: bounded both ways; a batch too large for it is sent in halves. */
#define LIMIT_SYNC_BODY (4 * 1024 * 1024)
#define LIMIT_SYNC_BATCH 500
#define LIMIT_SYNC_BATCH_DEFAULT 200
/* A signed request's X-Sync-Time against the server's clock, either way. */
#define LIMIT_SYNC_SKEW (10LL * 60 * 1000)
/* The loop: rounds every 30 s by default; a failing peer is retried after
 * 1 s, doubling, at most 5 min; a round stops after this many batches. */
#define LIMIT_SYNC_INTERVAL_DEFAULT (30LL * 1000)
#define LIMIT_SYNC_BACKOFF_MAX (5LL * 60 * 1000)
#define LIMIT_SYNC_ROUND_BATCHES 1000
/* -- federation kinds (issue 16, h/fed-kinds) -- */
/* An attachment's bytes travel in one envelope (attachment.data, base64:
 * 4/3 of this), which must fit a request body (LIMIT_SYNC_BODY) with room
 * to spare; a larger attachment is announced but stays home. */
#define LIMIT_SYNC_ATTACHMENT (2 * 1024 * 1024)
/* A larger one (up to the attachment limit, [server] max_attachment, of
 * both sides) travels in parts of this size (attachment.part, h/fed-rest):
 * 1.4 MB of base64 each, so a request body carries two and a bundle
 * document (SYNC_BUNDLE_DOC_MAX) a score. */
#define LIMIT_SYNC_PART (1024 * 1024)
/* Attachments asked for in one apply (a payload naming more waits for the
 * next update of the incident). */
#define LIMIT_SYNC_WANTS 100
/* -- federation across versions (issue 16, h/fed-compat) -- */
/* Envelopes of a kind this version does not know, kept per peer until an
 * upgrade applies them: at most this many waiting and this many bytes of
 * them; past either the envelope is refused and waits at its sender. */
#define LIMIT_SYNC_KEPT 1000
#define LIMIT_SYNC_KEPT_BYTES (64LL * 1024 * 1024)
/* A warning's withdrawal reason. */
#define LIMIT_WITHDRAW_REASON 2000

#endif
