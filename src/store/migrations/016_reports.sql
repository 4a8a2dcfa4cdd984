-- 016_reports: drills (exercises, their injects and corrective actions) and
-- the periodic reports to VNCERT/CC (Mẫu 05) kept as records: computed from
-- the incidents, edited before they are sent, never after (issue 15, items
-- 4 and 6). Portable SQL: TEXT ids (UUIDv7), BIGINT UTC ms, JSON as TEXT.

CREATE TABLE drills (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	title TEXT NOT NULL,
	kind TEXT NOT NULL,                 -- tabletop | live
	status TEXT NOT NULL,               -- planned | held | cancelled
	scenario TEXT NOT NULL DEFAULT '',  -- free text (h/plans' scenarios link here later)
	planned_at BIGINT NOT NULL,
	held_at BIGINT,
	systems TEXT NOT NULL DEFAULT '[]', -- ids of systems exercised (JSON)
	participants TEXT NOT NULL DEFAULT '',
	injects TEXT NOT NULL DEFAULT '[]', -- [{at, text}] the timeline (JSON)
	went_wrong TEXT NOT NULL DEFAULT '',
	lessons TEXT NOT NULL DEFAULT '',   -- the after-action report's findings
	version BIGINT NOT NULL,
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX drills_org ON drills(org_id, planned_at);

CREATE TABLE drill_actions (
	id TEXT PRIMARY KEY,
	drill_id TEXT NOT NULL REFERENCES drills(id),
	title TEXT NOT NULL,
	owner_id TEXT NOT NULL REFERENCES users(id),
	due_at BIGINT NOT NULL,
	done INTEGER NOT NULL DEFAULT 0,
	done_at BIGINT,
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX drill_actions_drill ON drill_actions(drill_id);
CREATE INDEX drill_actions_owner ON drill_actions(owner_id, done, due_at);

CREATE TABLE periodic_reports (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	form TEXT NOT NULL,                 -- mau05
	period TEXT NOT NULL,               -- half | year
	year INTEGER NOT NULL,
	period_from BIGINT NOT NULL,
	period_to BIGINT NOT NULL,          -- exclusive
	due_at BIGINT NOT NULL,
	member_code TEXT NOT NULL DEFAULT '',
	cells TEXT NOT NULL,                -- the table as counted, corrections applied (JSON)
	computed TEXT NOT NULL,             -- the table as counted from the incidents (JSON)
	helpers TEXT NOT NULL DEFAULT '',   -- domestic and foreign helpers (free text)
	recommendations TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,               -- draft | sent
	sent_at BIGINT,
	sent_by TEXT REFERENCES users(id),
	version BIGINT NOT NULL,
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (org_id, form, period, year)
);
