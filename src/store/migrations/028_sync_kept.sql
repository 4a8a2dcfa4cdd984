-- 028_sync_kept: instances of different versions keep exchanging (issue 16,
-- h/fed-compat; docs/SYNC.md "Versions"). An envelope from a registered
-- peer, well-formed, signed, addressed to us and in sequence, whose kind
-- this version does not know (a newer sender) is kept here as received and
-- acknowledged, so the envelopes behind it are applied; after an upgrade
-- that knows the kind it is applied once, in seq order, through the kind's
-- apply function, and marked applied (its bytes dropped). Bounded per peer
-- (LIMIT_SYNC_KEPT rows, LIMIT_SYNC_KEPT_BYTES bytes waiting): past that the
-- envelope is refused and waits at the sender, as before. Audited like
-- sync_outbox (audit.c: the envelope as a digest): it holds what a peer sent
-- until it becomes records.
CREATE TABLE sync_kept (
	id TEXT PRIMARY KEY,       -- the envelope's id (idempotent by origin, id)
	peer_id TEXT NOT NULL,     -- sync_peers.id (removed with the peer)
	seq BIGINT NOT NULL,       -- its seq from that peer
	kind TEXT NOT NULL,        -- the kind unknown when it came
	envelope TEXT,             -- the whole envelope, canonical JSON; NULL once applied
	size BIGINT NOT NULL,      -- bytes of the envelope as kept
	kept_at BIGINT NOT NULL,
	applied_at BIGINT,         -- applied after an upgrade
	error TEXT,                -- the last apply that failed, in English
	error_at BIGINT,
	UNIQUE (peer_id, seq)
);
CREATE INDEX sync_kept_waiting ON sync_kept(peer_id, applied_at, seq);
