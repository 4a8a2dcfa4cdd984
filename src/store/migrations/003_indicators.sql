-- 003_indicators: the indicator store (IOC) with TLP 2.0, the incidents an
-- indicator came from, sightings (where and when it was seen), and hunts
-- (regulation.md §10: hunting at least every six months) with their targets
-- and the runs each target sent back.

CREATE TABLE indicators (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),   -- owner (TLP decides who else sees it)
	kind TEXT NOT NULL,                -- ioc_kind_name: ipv4 | ipv6 | cidr | domain | url | sha256 ...
	value TEXT NOT NULL,               -- normal form (ioc_normalise); a YARA rule's text
	pattern_type TEXT NOT NULL DEFAULT '',
	why TEXT NOT NULL DEFAULT '',      -- a pattern kept as text: what could not be converted
	name TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT '',
	file_name TEXT NOT NULL DEFAULT '',
	tlp TEXT NOT NULL,                 -- CLEAR | GREEN | AMBER | AMBER+STRICT | RED
	confidence INTEGER,                -- 0..100, NULL unknown
	to_ids INTEGER NOT NULL DEFAULT 1,
	valid_from BIGINT,
	valid_until BIGINT,
	tags TEXT NOT NULL DEFAULT '[]',
	related TEXT NOT NULL DEFAULT '[]',    -- [{"type","name"}]
	share_with TEXT NOT NULL DEFAULT '[]', -- organisation ids named for TLP:AMBER
	origin_id TEXT NOT NULL DEFAULT '',
	version BIGINT NOT NULL,
	created_by TEXT REFERENCES users(id),  -- NULL: the instance (command line import)
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (org_id, kind, value)
);
CREATE INDEX indicators_value ON indicators(kind, value);
CREATE INDEX indicators_org ON indicators(org_id, created_at);

CREATE TABLE indicator_incidents (
	indicator_id TEXT NOT NULL REFERENCES indicators(id),
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	PRIMARY KEY (indicator_id, incident_id)
);
CREATE INDEX indicator_incidents_incident ON indicator_incidents(incident_id);

CREATE TABLE hunts (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),   -- the issuer
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	deadline BIGINT NOT NULL,
	status TEXT NOT NULL,              -- open | closed
	selection TEXT NOT NULL DEFAULT '{}',
	version BIGINT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX hunts_org ON hunts(org_id);

CREATE TABLE hunt_indicators (
	hunt_id TEXT NOT NULL REFERENCES hunts(id),
	indicator_id TEXT NOT NULL REFERENCES indicators(id),
	PRIMARY KEY (hunt_id, indicator_id)
);

CREATE TABLE hunt_targets (
	hunt_id TEXT NOT NULL REFERENCES hunts(id),
	org_id TEXT NOT NULL REFERENCES orgs(id),
	PRIMARY KEY (hunt_id, org_id)
);
CREATE INDEX hunt_targets_org ON hunt_targets(org_id);

CREATE TABLE hunt_runs (
	id TEXT PRIMARY KEY,
	hunt_id TEXT NOT NULL REFERENCES hunts(id),
	org_id TEXT NOT NULL REFERENCES orgs(id),
	host_id TEXT REFERENCES hosts(id),
	hostname TEXT NOT NULL DEFAULT '',
	via TEXT NOT NULL,                 -- agent | upload
	files BIGINT NOT NULL DEFAULT 0,
	bytes BIGINT NOT NULL DEFAULT 0,
	errors BIGINT NOT NULL DEFAULT 0,
	hits BIGINT NOT NULL DEFAULT 0,
	incident_id TEXT REFERENCES incidents(id),  -- the incident the hits were filed under
	submitted_by TEXT REFERENCES users(id),     -- NULL: the host's agent
	ran_at BIGINT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX hunt_runs_hunt ON hunt_runs(hunt_id, org_id);
CREATE INDEX hunt_runs_org ON hunt_runs(org_id, ran_at);

CREATE TABLE sightings (
	id TEXT PRIMARY KEY,
	indicator_id TEXT NOT NULL REFERENCES indicators(id),
	org_id TEXT NOT NULL REFERENCES orgs(id),   -- where it was seen
	source TEXT NOT NULL,              -- observable | hunt | manual
	host_id TEXT REFERENCES hosts(id),
	incident_id TEXT REFERENCES incidents(id),
	observable_id TEXT REFERENCES observables(id),
	hunt_id TEXT REFERENCES hunts(id),
	run_id TEXT REFERENCES hunt_runs(id),
	path TEXT NOT NULL DEFAULT '',
	line BIGINT,
	seen_at BIGINT NOT NULL,
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX sightings_indicator ON sightings(indicator_id, seen_at);
CREATE INDEX sightings_hunt ON sightings(hunt_id);
CREATE INDEX sightings_org ON sightings(org_id, seen_at);
