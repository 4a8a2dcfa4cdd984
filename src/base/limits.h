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
/* Request-scoped arena: headers, parsed JSON copies, small buffers. */
#define LIMIT_REQ_ARENA (256 * 1024)
/* Response body cap: a full incident with a long timeline fits easily. */
#define LIMIT_RESPONSE (8 * 1024 * 1024)
/* Failed logins: slowed from the 3rd, locked for LOCK_SECONDS from the 5th. */
#define LIMIT_LOGIN_SLOW_AFTER 3
#define LIMIT_LOGIN_LOCK_AFTER 5
#define LIMIT_LOGIN_LOCK_SECONDS (15 * 60)
/* Sessions expire after 12 idle-free hours: a night shift. */
#define LIMIT_SESSION_SECONDS (12 * 3600)
/* Timeline events returned with one incident. */
#define LIMIT_TIMELINE 2000
/* Passwords: Argon2id input bounded so hashing cost is bounded. */
#define LIMIT_PASSWORD_MIN 8
#define LIMIT_PASSWORD_MAX 256

/* The queue (issue 12). A search takes at most 16 words: each is an FTS5
 * term, so the cost of a query stays bounded (more is refused, not cut). */
#define LIMIT_SEARCH_TERMS 16
/* A CSV export is a view, not a dump: at most 10,000 rows (more: 413). */
#define LIMIT_EXPORT_ROWS 10000
/* Saved views a person keeps: enough for every useful view, bounded. */
#define LIMIT_SAVED_FILTERS 50

#endif
