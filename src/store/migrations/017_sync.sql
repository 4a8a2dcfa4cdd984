-- 017_sync: federation between instances (issue 16, h/sync-core). The peers
-- this instance exchanges signed envelopes with, the organisations each
-- hosts, the outbox (per peer, seq from 1 without gaps), the envelopes
-- applied from each peer, the refusals (for sync status) and the map from a
-- peer's records to their local mirrors. Portable SQL: TEXT ids (UUIDv7),
-- BIGINT UTC ms, JSON as TEXT.

CREATE TABLE sync_peers (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	instance TEXT NOT NULL UNIQUE,      -- SHA-256 of the raw public key, hex
	public_key TEXT NOT NULL,           -- Ed25519, hex
	url TEXT NOT NULL DEFAULT '',       -- '' when only bundles reach it
	relation INTEGER NOT NULL,          -- 1 parent (above us), 2 child (below)
	created_by TEXT,
	created_at BIGINT NOT NULL,
	-- counters (not audited: they move with every exchange)
	out_seq BIGINT NOT NULL DEFAULT 0,  -- last seq queued for it
	out_acked BIGINT NOT NULL DEFAULT 0,-- last seq it acknowledged
	in_seq BIGINT NOT NULL DEFAULT 0,   -- last seq applied from it
	in_seen BIGINT NOT NULL DEFAULT 0,  -- highest seq it offered (gaps wait)
	last_contact_at BIGINT,
	refused BIGINT NOT NULL DEFAULT 0,
	last_error TEXT,
	last_error_at BIGINT,
	pings BIGINT NOT NULL DEFAULT 0     -- "ping" envelopes applied (tests)
);

CREATE TABLE sync_peer_orgs (
	peer_id TEXT NOT NULL REFERENCES sync_peers(id),
	org_code TEXT NOT NULL,
	PRIMARY KEY (peer_id, org_code)
);
CREATE INDEX sync_peer_orgs_code ON sync_peer_orgs(org_code);

CREATE TABLE sync_outbox (
	id TEXT PRIMARY KEY,                -- the envelope id
	peer_id TEXT NOT NULL REFERENCES sync_peers(id),
	seq BIGINT NOT NULL,
	kind TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	envelope TEXT NOT NULL,             -- the signed envelope, canonical JSON
	UNIQUE (peer_id, seq)
);

CREATE TABLE sync_inbox (
	id TEXT PRIMARY KEY,                -- the envelope id
	peer_id TEXT NOT NULL REFERENCES sync_peers(id),
	seq BIGINT NOT NULL,
	kind TEXT NOT NULL,
	digest TEXT NOT NULL,               -- SHA-256 of its canonical bytes
	applied_at BIGINT NOT NULL,
	UNIQUE (peer_id, seq)
);

CREATE TABLE sync_refused (
	id TEXT PRIMARY KEY,
	peer_id TEXT,                       -- NULL: no registered peer
	origin TEXT,
	envelope_id TEXT,
	seq BIGINT,
	reason TEXT NOT NULL,               -- unknown_peer | bad_signature | ...
	n BIGINT NOT NULL DEFAULT 1,        -- envelopes it stands for (replays and
	                                    -- gaps of one batch are one row)
	detail TEXT NOT NULL DEFAULT '',
	at BIGINT NOT NULL
);
CREATE INDEX sync_refused_peer ON sync_refused(peer_id, at);

CREATE TABLE sync_map (
	id TEXT PRIMARY KEY,
	peer_id TEXT NOT NULL REFERENCES sync_peers(id),
	type TEXT NOT NULL,
	remote_id TEXT NOT NULL,
	local_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (peer_id, type, remote_id)
);
CREATE INDEX sync_map_local ON sync_map(type, local_id);
