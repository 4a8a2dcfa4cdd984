-- 021_alerts: syslog intake (issue 17 item 6). Lines from the agencies'
-- firewalls and servers that hit an indicator or a configured rule become
-- alerts, one per source organisation and indicator (or rule) within a
-- window: the count and first/last seen grow, the last line is kept as a
-- sample. A coordinator promotes an alert to an incident or dismisses it.

CREATE TABLE alerts (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),   -- the source's organisation
	source TEXT NOT NULL,              -- the sender's address, as last seen
	host TEXT NOT NULL DEFAULT '',     -- HOSTNAME of the last line
	kind TEXT NOT NULL,                -- ip | domain | url | email | hash | rule
	match_key TEXT NOT NULL,           -- the indicator as stored, or the rule's name
	observed TEXT NOT NULL,            -- what the line held (an address inside a CIDR indicator)
	severity TEXT NOT NULL,            -- low | medium | high | critical
	sample TEXT NOT NULL,              -- the last matching line, at most 1,000 bytes
	count BIGINT NOT NULL,
	first_seen BIGINT NOT NULL,
	last_seen BIGINT NOT NULL,
	status TEXT NOT NULL,              -- open | promoting | promoted | dismissed
	incident_id TEXT REFERENCES incidents(id),
	reason TEXT NOT NULL DEFAULT '',   -- why it was dismissed
	decided_by TEXT REFERENCES users(id),
	decided_at BIGINT,
	version BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
-- the grouping lookup: an open alert of this organisation and match, recent
CREATE INDEX alerts_group ON alerts(org_id, kind, match_key, status, last_seen);
CREATE INDEX alerts_status ON alerts(status, last_seen);
