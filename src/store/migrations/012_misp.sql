-- 012_misp: MISP events kept as MISP sent them (issue 13 item 3), so that an
-- event imported and sent on is the same event: its metadata, objects,
-- attributes (also the types ungcuu cannot match: link, comment, text,
-- regkey, port...: kept as context), their tags exactly as received (one
-- tlp: tag at most) and sightings. The indicators made from the attributes
-- stay in `indicators` (matching, TLP, hunts); misp_attribute_indicators
-- links each attribute to the indicators it gave.
--
-- doc columns hold the element as received, as JSON text, less what has a
-- table of its own (an event's Attribute and Object lists, an object's
-- Attribute list, an attribute's Sighting list). position keeps the order
-- of the source, so that an export is the same on every run.

CREATE TABLE misp_events (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),  -- the importing organisation: owns the context
	uuid TEXT NOT NULL,                -- the event's MISP uuid, as received
	info TEXT NOT NULL DEFAULT '',
	tlp TEXT NOT NULL,                 -- its tlp: tag, else the import's default label
	doc TEXT NOT NULL,
	version BIGINT NOT NULL,
	created_by TEXT REFERENCES users(id),  -- NULL: the instance (command line import)
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (org_id, uuid)
);

CREATE TABLE misp_objects (
	id TEXT PRIMARY KEY,
	event_id TEXT NOT NULL REFERENCES misp_events(id),
	uuid TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',     -- the template: ip-port, domain-ip, file...
	position INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX misp_objects_event ON misp_objects(event_id, position);

CREATE TABLE misp_attributes (
	id TEXT PRIMARY KEY,
	event_id TEXT NOT NULL REFERENCES misp_events(id),
	object_id TEXT REFERENCES misp_objects(id),   -- NULL: an attribute of the event itself
	uuid TEXT NOT NULL DEFAULT '',
	type TEXT NOT NULL,
	value TEXT NOT NULL,
	tlp TEXT NOT NULL,                 -- its own tlp: tag, else the event's label
	position INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX misp_attributes_event ON misp_attributes(event_id, position);

CREATE TABLE misp_attribute_indicators (
	attribute_id TEXT NOT NULL REFERENCES misp_attributes(id),
	indicator_id TEXT NOT NULL REFERENCES indicators(id),
	PRIMARY KEY (attribute_id, indicator_id)
);
CREATE INDEX misp_attribute_indicators_indicator ON misp_attribute_indicators(indicator_id);

CREATE TABLE misp_sightings (
	id TEXT PRIMARY KEY,
	attribute_id TEXT NOT NULL REFERENCES misp_attributes(id),
	uuid TEXT NOT NULL DEFAULT '',
	position INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX misp_sightings_attribute ON misp_sightings(attribute_id, position);
