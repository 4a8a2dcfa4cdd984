-- 011_stix_objects: STIX 2.1 exchange fidelity (issue 13).
-- stix_objects: every object of an imported STIX file (the latest version of
-- each id), kept as it came: its JSON text, its id and its created/modified
-- text at full precision. The indicators table stays the one row per
-- (org, kind, value) used for matching; each STIX object that stands for
-- such a row (an indicator, an observable an infrastructure consists of) is
-- linked to it in stix_object_indicators, so indicators of several
-- producers with one value are several objects pointing at one row.
-- stix_made: the objects ungcuu makes on export (indicators of rows no
-- STIX object stands for, named objects, relationships), by what they stand
-- for: one id (UUIDv4) and one created for good, modified moved only when
-- their content (digest) changes.

CREATE TABLE stix_objects (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),   -- owner: the organisation imported into
	stix_id TEXT NOT NULL,             -- "indicator--..."
	type TEXT NOT NULL,
	tlp TEXT NOT NULL,                 -- its TLP markings, else the import's default label
	created TEXT NOT NULL DEFAULT '',  -- as received
	modified TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,                -- the object's JSON as received
	batch TEXT NOT NULL,               -- the import that last wrote it (its context)
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (org_id, stix_id)
);
CREATE INDEX stix_objects_batch ON stix_objects(batch);

CREATE TABLE stix_object_indicators (
	object_id TEXT NOT NULL REFERENCES stix_objects(id),
	indicator_id TEXT NOT NULL REFERENCES indicators(id),
	PRIMARY KEY (object_id, indicator_id)
);
CREATE INDEX stix_object_indicators_indicator ON stix_object_indicators(indicator_id);

CREATE TABLE stix_made (
	key TEXT PRIMARY KEY,              -- "indicator:<row id>", "malware:Poison Ivy", "relationship:indicates:<src>:<dst>"
	stix_id TEXT NOT NULL UNIQUE,
	created TEXT NOT NULL,
	modified TEXT NOT NULL,
	digest TEXT NOT NULL,              -- SHA-256 of the content without id and times
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
