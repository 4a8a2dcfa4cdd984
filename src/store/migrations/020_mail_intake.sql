-- 020_mail_intake: reports that arrive by email (issue 17 item 5, h/mail).
-- Every message read is recorded once (mail_messages: what became of it,
-- and the Message-ID a reply's In-Reply-To/References find); a message from
-- an unknown sender waits in mail_triage (the raw message kept, bounded, so
-- that accepting it files exactly what was sent); a refused message is kept
-- in mail_quarantine with its reason; the acknowledgement to the sender is
-- queued in mail_outbox. Portable SQL: TEXT ids (UUIDv7), BIGINT UTC ms.

CREATE TABLE mail_messages (
	id TEXT PRIMARY KEY,
	message_id TEXT NOT NULL,          -- the Message-ID (ours for replies we sent)
	direction TEXT NOT NULL,           -- in | out
	sender TEXT NOT NULL DEFAULT '',   -- the From address, lower case
	subject TEXT NOT NULL DEFAULT '',
	sha256 TEXT NOT NULL DEFAULT '',   -- of the raw message
	outcome TEXT NOT NULL,             -- incident | comment | triage | quarantine | reply
	incident_id TEXT REFERENCES incidents(id),
	triage_id TEXT,
	created_at BIGINT NOT NULL
);
CREATE INDEX mail_messages_mid ON mail_messages(message_id);
CREATE INDEX mail_messages_sha ON mail_messages(sha256);
CREATE INDEX mail_messages_incident ON mail_messages(incident_id);

CREATE TABLE mail_triage (
	id TEXT PRIMARY KEY,
	sender TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	form TEXT NOT NULL DEFAULT '{}',   -- the Mẫu 03 fields read (JSON)
	attachments TEXT NOT NULL DEFAULT '[]', -- [{name, size, sha256}] (JSON)
	raw BLOB NOT NULL,
	status TEXT NOT NULL,              -- open | accepted | rejected
	incident_id TEXT REFERENCES incidents(id),
	reason TEXT NOT NULL DEFAULT '',
	decided_by TEXT REFERENCES users(id),
	decided_at BIGINT,
	created_at BIGINT NOT NULL
);
CREATE INDEX mail_triage_status ON mail_triage(status, created_at);

CREATE TABLE mail_quarantine (
	id TEXT PRIMARY KEY,
	reason TEXT NOT NULL,              -- a code: too_large, bad_mime, charset, ...
	detail TEXT NOT NULL DEFAULT '',
	sender TEXT NOT NULL DEFAULT '',
	subject TEXT NOT NULL DEFAULT '',
	size BIGINT NOT NULL,
	sha256 TEXT NOT NULL,
	raw BLOB NOT NULL,                 -- at most the first LIMIT_MAIL_QUARANTINE bytes
	created_at BIGINT NOT NULL
);

CREATE TABLE mail_outbox (
	id TEXT PRIMARY KEY,
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	message_id TEXT NOT NULL,
	in_reply_to TEXT NOT NULL DEFAULT '',
	incident_id TEXT REFERENCES incidents(id),
	status TEXT NOT NULL,              -- queued | sent | failed
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	sent_at BIGINT
);
CREATE INDEX mail_outbox_status ON mail_outbox(status, created_at);
