-- 026_sync_parts: an attachment larger than one envelope travels in parts
-- (issue 16, h/fed-rest; docs/SYNC.md attachment.part). The receiver keeps
-- the parts of each (peer, SHA-256) here until every byte is there and the
-- whole matches its hash; then the attachment is stored (attachments,
-- attachment_data: audited there) and its parts deleted. A staging buffer
-- of the transport, like sync_inbox, not a record: no audit trigger.
CREATE TABLE sync_attachment_parts (
	peer_id TEXT NOT NULL,     -- sync_peers.id (removed with the peer)
	sha256 TEXT NOT NULL,
	total BIGINT NOT NULL,     -- the whole attachment's size, bytes
	offset_at BIGINT NOT NULL, -- where this part starts
	size BIGINT NOT NULL,      -- its length, 1 .. LIMIT_SYNC_PART
	data BLOB NOT NULL,
	received_at BIGINT NOT NULL,
	PRIMARY KEY (peer_id, sha256, offset_at)
);
