-- 025_leader: several `ungcuu serve` nodes on one PostgreSQL database
-- (issue 18 item 2). The background work (notification scan and delivery,
-- the sync loop) runs on one node at a time: the one holding a session
-- advisory lock on its own connection (src/store/leader.c). Each node that
-- takes the lock bumps the epoch here in a write transaction; the leader's
-- background connections carry the epoch they were granted and their write
-- transactions check it right after taking the writers' lock, so a deposed
-- leader's late write is refused. One row; on SQLite nothing bumps it (one
-- process is always the leader). Not audited: it names no record, only which
-- process runs the background work (the log says when it moves).
CREATE TABLE leadership (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	epoch INTEGER NOT NULL,
	node TEXT NOT NULL,            -- who took it: host:pid and listen address
	since INTEGER NOT NULL         -- ms UTC
);
INSERT INTO leadership (id, epoch, node, since) VALUES (1, 0, '', 0);

-- A queued delivery claimed by the leader's worker: the epoch it was claimed
-- in (NULL = not claimed). The claim also moves next_at forward by a lease;
-- a new leader takes at once what an older epoch claimed and never
-- recorded (the old leader died between claim and outcome), not waiting
-- for the lease. Cleared with the outcome.
ALTER TABLE deliveries ADD COLUMN claim_epoch INTEGER;
