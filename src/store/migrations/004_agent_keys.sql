-- 004_agent_keys: every key an agent was ever enrolled with, bound for good
-- to one host (issue 11: enrolling a key that another host holds or held is
-- refused, never moved), and the last upload sequence number each key
-- signed (an upload whose number is not above it is a replay: refused).
-- hosts.agent_key stays the host's current key (what X-Agent-Key resolves).

CREATE TABLE agent_keys (
	public_key TEXT PRIMARY KEY,        -- Ed25519, lowercase hex
	host_id TEXT NOT NULL REFERENCES hosts(id),
	last_seq BIGINT NOT NULL DEFAULT 0, -- highest "sequence" accepted from this key
	enrolled_at BIGINT NOT NULL,
	retired_at BIGINT                   -- NULL: the host's current key
);
CREATE INDEX agent_keys_host ON agent_keys(host_id);

INSERT INTO agent_keys (public_key, host_id, last_seq, enrolled_at)
	SELECT agent_key, id, 0, updated_at FROM hosts WHERE agent_key IS NOT NULL;

-- When the host's stored inventory was collected (never later than when it
-- was stored): an inventory file (a Windows collector's) older than it
-- replaces nothing, so importing last month's file again cannot reopen
-- what was fixed since.
ALTER TABLE hosts ADD COLUMN inventory_at BIGINT;
