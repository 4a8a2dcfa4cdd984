-- 014_plan_risk: the risk register of each information system, the
-- resources an organisation can call on (equipment, tools, services,
-- contractors, people) and its budget lines by year, which the district's
-- finance office rolls up (issue 15 items 1 and 5).

-- One threat to one system: likelihood and impact 1-5; the score
-- (likelihood x impact) and its band are computed, never stored.
CREATE TABLE risks (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	system_id TEXT NOT NULL REFERENCES systems(id),
	threat TEXT NOT NULL,            -- an incident type (regulation.md §7) | fault | operator_error | disaster
	likelihood INTEGER NOT NULL,
	impact INTEGER NOT NULL,
	controls TEXT NOT NULL DEFAULT '',
	treatment TEXT NOT NULL DEFAULT '',
	owner TEXT NOT NULL DEFAULT '',
	review_at BIGINT NOT NULL,       -- next review (T10 by the system's level, by default)
	version BIGINT NOT NULL,
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (system_id, threat)
);
CREATE INDEX risks_org ON risks(org_id);

CREATE TABLE resources (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,              -- equipment | tool | service | contractor | person
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	quantity INTEGER,
	skills TEXT NOT NULL DEFAULT '', -- a person's skills
	scope TEXT NOT NULL DEFAULT '',  -- a service's or contractor's scope of work
	contact TEXT NOT NULL DEFAULT '',
	contract_from BIGINT,
	contract_to BIGINT,
	retired_at BIGINT,
	version BIGINT NOT NULL,
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX resources_org ON resources(org_id, kind);

-- Amounts in whole VND. A line is the organisation's own until it is
-- submitted to the finance office; a submitted amount is corrected only
-- with a reason, kept in the audit log.
CREATE TABLE budget_lines (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	year INTEGER NOT NULL,
	category TEXT NOT NULL,          -- the plan's budget categories (domain/plan/budget.c)
	description TEXT NOT NULL DEFAULT '',
	planned BIGINT NOT NULL,
	spent BIGINT NOT NULL DEFAULT 0,
	status TEXT NOT NULL,            -- draft | submitted
	submitted_at BIGINT,
	submitted_by TEXT REFERENCES users(id),
	version BIGINT NOT NULL,
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX budget_lines_org ON budget_lines(org_id, year);
CREATE INDEX budget_lines_year ON budget_lines(year, status);

-- The organisations that are a finance office (Phòng Kinh tế - Tài chính):
-- each reads the submitted budget lines of its parent's subtree (the
-- district it belongs to). Set with `ungcuu admin finance-office`.
CREATE TABLE finance_offices (
	org_id TEXT PRIMARY KEY REFERENCES orgs(id),
	created_at BIGINT NOT NULL
);
