-- 001_init: organisations, people, sessions, incidents and their records,
-- deadlines, the audit chain. Portable SQL: $n placeholders, BIGINT times
-- (UTC ms), TEXT ids (UUIDv7) and JSON.

CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE orgs (
	id TEXT PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	parent_id TEXT REFERENCES orgs(id),
	path TEXT NOT NULL,            -- /root-id/.../own-id/ for subtree scope
	response_team INTEGER NOT NULL DEFAULT 0, -- runs an incident response team
	address TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL
);
CREATE INDEX orgs_path ON orgs(path);
CREATE INDEX orgs_parent ON orgs(parent_id);

CREATE TABLE users (
	id TEXT PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	roles TEXT NOT NULL,           -- comma-separated role names
	full_name TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	pw_hash TEXT NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0,
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);

CREATE TABLE tokens (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	kind TEXT NOT NULL,            -- api | session
	hash TEXT NOT NULL UNIQUE,     -- sha256 of the token; the token is never stored
	csrf TEXT,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,    -- 0: never
	revoked_at BIGINT
);
CREATE INDEX tokens_user ON tokens(user_id);

CREATE TABLE contacts (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	name TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	network_role TEXT NOT NULL DEFAULT '',
	on_duty INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_org ON contacts(org_id);

CREATE TABLE counters (
	name TEXT PRIMARY KEY,
	value BIGINT NOT NULL
);

CREATE TABLE incidents (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	title TEXT NOT NULL,
	description TEXT NOT NULL,
	type TEXT NOT NULL,
	severity TEXT,
	serious INTEGER NOT NULL DEFAULT 0,
	escalate INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL,
	version BIGINT NOT NULL,         -- grows with each change of the record (If-Match)
	rev BIGINT NOT NULL DEFAULT 1,    -- grows with any change on the incident (caches)
	tlp TEXT NOT NULL,
	confidential INTEGER NOT NULL DEFAULT 0,
	form TEXT NOT NULL DEFAULT '{}',   -- the optional groups of Mẫu 03
	reject_reason TEXT,
	closing_report TEXT,               -- Mẫu 04 as JSON
	detected_at BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id)
);
CREATE INDEX incidents_org ON incidents(org_id, id);
CREATE INDEX incidents_status ON incidents(status, id);

CREATE TABLE assignees (
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	user_id TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX assignees_user ON assignees(user_id);

CREATE TABLE deadlines (
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	kind TEXT NOT NULL,               -- ack | notification | initial_report | closing_report
	due_at BIGINT NOT NULL,
	met_at BIGINT,
	PRIMARY KEY (incident_id, kind)
);
CREATE INDEX deadlines_open ON deadlines(met_at, due_at);

CREATE TABLE events (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	at BIGINT NOT NULL,
	actor_id TEXT,
	kind TEXT NOT NULL,
	data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_incident ON events(incident_id, id);

CREATE TABLE support_requests (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	to_org_id TEXT NOT NULL REFERENCES orgs(id),
	summary TEXT NOT NULL,
	help_needed TEXT NOT NULL DEFAULT '',
	urgency TEXT NOT NULL DEFAULT 'normal',
	due_at BIGINT,
	status TEXT NOT NULL,             -- sent | accepted | declined | done
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX support_requests_incident ON support_requests(incident_id);

CREATE TABLE reports (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	kind TEXT NOT NULL,
	recipient TEXT NOT NULL DEFAULT '',
	channel TEXT NOT NULL DEFAULT 'system',
	reference TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	sent_at BIGINT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX reports_incident ON reports(incident_id);

CREATE TABLE tasks (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	title TEXT NOT NULL,
	assignee_id TEXT REFERENCES users(id),
	due_at BIGINT,
	done INTEGER NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX tasks_incident ON tasks(incident_id);

CREATE TABLE observables (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	tlp TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX observables_incident ON observables(incident_id);
CREATE INDEX observables_value ON observables(kind, value);

CREATE TABLE comments (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	body TEXT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX comments_incident ON comments(incident_id);

CREATE TABLE attachments (
	id TEXT PRIMARY KEY,
	incident_id TEXT NOT NULL REFERENCES incidents(id),
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	sha256 TEXT NOT NULL,
	created_by TEXT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX attachments_incident ON attachments(incident_id);

-- The bytes live apart so listing attachments never reads them.
CREATE TABLE attachment_data (
	id TEXT PRIMARY KEY REFERENCES attachments(id),
	data BLOB NOT NULL
);

-- Append-only, hash-chained: hash = sha256 over every field and prev_hash.
CREATE TABLE audit_log (
	seq BIGINT PRIMARY KEY,
	at BIGINT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	entity TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	before TEXT,
	after TEXT,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
