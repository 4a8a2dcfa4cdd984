-- 018_sync_kinds: what other instances sent us (issue 16 item 3, h/sync-kinds).
-- An incident escalated from a child instance is mirrored here as an
-- incident of our own queue (incidents row) with where it came from in
-- sync_mirrors; the records of the other side that have no table of their
-- own here (hunt summaries, periodic reports, sightings of what we shared,
-- attachments named but not yet fetched) are kept as received in
-- sync_received. peer_id is the core's sync_peers.id (no foreign key: the
-- core's migration is its own).

CREATE TABLE sync_mirrors (
	incident_id TEXT PRIMARY KEY REFERENCES incidents(id),
	peer_id TEXT NOT NULL,
	remote_id TEXT NOT NULL,           -- the origin's incident id
	instance TEXT NOT NULL,            -- the peer's name: "từ cấp dưới: <instance>"
	org_code TEXT NOT NULL,            -- the origin's organisation
	org_name TEXT NOT NULL,
	shared TEXT NOT NULL,              -- the shareable part last received (JSON)
	updated_at BIGINT NOT NULL,
	UNIQUE (peer_id, remote_id)
);

CREATE TABLE sync_received (
	id TEXT PRIMARY KEY,
	peer_id TEXT NOT NULL,
	kind TEXT NOT NULL,                -- the envelope's kind (hunt.summary, periodic, ...)
	remote_id TEXT NOT NULL,           -- the origin's record id (what makes it idempotent)
	incident_id TEXT REFERENCES incidents(id),  -- the local incident it is about, if any
	payload TEXT NOT NULL,             -- as received (JSON)
	received_at BIGINT NOT NULL,
	withdrawn_at BIGINT,               -- a retraction arrived
	UNIQUE (peer_id, kind, remote_id)
);
CREATE INDEX sync_received_incident ON sync_received(incident_id, received_at);
CREATE INDEX sync_received_kind ON sync_received(kind, received_at);

-- A coordination direction is a comment of its own kind (shown apart).
ALTER TABLE comments ADD COLUMN kind TEXT NOT NULL DEFAULT 'comment';
