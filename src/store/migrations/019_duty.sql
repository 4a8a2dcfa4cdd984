-- 019_duty: the standing duty (issue 17, h/notify): the on-duty roster of
-- the organisations that receive reports, the notifications each person
-- receives, their choice of channels, and the outgoing deliveries (email,
-- webhook) with their attempts. Portable SQL: TEXT UUIDv7 ids, BIGINT UTC ms.

-- A shift: weekly (days: bit 0 = Monday .. bit 6 = Sunday, local times in
-- minutes from midnight Asia/Ho_Chi_Minh; end_min <= start_min runs past
-- midnight into the next day) or an exception (kind 'exception': the span
-- starts_at..ends_at, UTC ms, replaces the weekly shifts while it runs).
CREATE TABLE duty_shifts (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,                    -- weekly | exception
	days INTEGER NOT NULL DEFAULT 0,
	start_min INTEGER NOT NULL DEFAULT 0,
	end_min INTEGER NOT NULL DEFAULT 0,
	starts_at BIGINT NOT NULL DEFAULT 0,
	ends_at BIGINT NOT NULL DEFAULT 0,
	primary_id TEXT NOT NULL REFERENCES users(id),
	backup_id TEXT REFERENCES users(id),
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX duty_shifts_org ON duty_shifts(org_id);

-- One notification per event and person: event_key names what happened
-- once ("incident.new:<id>", "clock.near:<id>:ack"), so the same event can
-- never reach the same person twice.
CREATE TABLE notifications (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	event TEXT NOT NULL,
	event_key TEXT NOT NULL,
	record_kind TEXT NOT NULL,
	record_id TEXT NOT NULL,
	title TEXT NOT NULL,                   -- what the person may see (TLP, scope)
	body TEXT NOT NULL,
	link TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	read_at BIGINT,
	UNIQUE (event_key, user_id)
);
CREATE INDEX notifications_user ON notifications(user_id, id);

-- A person's channels per event ("web,email"); a missing row: the default.
CREATE TABLE notify_prefs (
	user_id TEXT NOT NULL REFERENCES users(id),
	event TEXT NOT NULL,
	channels TEXT NOT NULL,
	PRIMARY KEY (user_id, event)
);

-- A person's webhook (the chat or SMS gateway of the agency): the URL and
-- the HMAC-SHA256 key its receiver checks.
CREATE TABLE notify_webhooks (
	user_id TEXT PRIMARY KEY REFERENCES users(id),
	url TEXT NOT NULL,
	secret TEXT NOT NULL,
	updated_at BIGINT NOT NULL
);

-- One outgoing delivery per notification and channel (never twice), sent
-- by the worker of `ungcuu serve` with retry and exponential backoff.
CREATE TABLE deliveries (
	id TEXT PRIMARY KEY,
	notification_id TEXT NOT NULL REFERENCES notifications(id),
	channel TEXT NOT NULL,                 -- email | webhook
	target TEXT NOT NULL,                  -- the address or URL at queue time
	subject TEXT NOT NULL,                 -- the text sent, filtered for the
	body TEXT NOT NULL,                    -- channel (TLP) at queue time
	status TEXT NOT NULL,                  -- queued | sent | failed
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at BIGINT NOT NULL,
	last_error TEXT,
	sent_at BIGINT,
	created_at BIGINT NOT NULL,
	UNIQUE (notification_id, channel)
);
CREATE INDEX deliveries_due ON deliveries(status, next_at);
