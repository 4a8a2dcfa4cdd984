-- pg/008_queue.sql - PostgreSQL's variant of 008_queue.sql (the same
-- tables and meaning; triggers in PL/pgSQL, search with tsvector + unaccent
-- instead of FTS5). Keep the two in step.
-- 008_queue.sql - the queue at a province's scale (issue 12): full-text
-- search, the next clock of each incident, dashboard counts kept as rows,
-- saved filters, duplicates. SQLite-specific parts (FTS5, triggers) are
-- marked; PostgreSQL will use tsvector + unaccent for the same columns.

-- A duplicate report is rejected (regulation.md §13: "xác minh" has no
-- separate state for it) and points at the incident it repeats.
ALTER TABLE incidents ADD COLUMN duplicate_of TEXT REFERENCES incidents(id);
-- The earliest clock that still runs, kept by the triggers below
-- (253402300799999, the last millisecond of 9999, when none runs): the
-- queue sorts by it and the overdue and due-soon filters are ranges over it
-- instead of scans. A clock runs while it is unmet and the incident open;
-- a closed incident's closing-report clock runs until Mẫu 04 is recorded as
-- sent (DL_RUNNING in incident_int.h says the same in queries). The "+" in
-- "d.met_at" keeps SQLite on the primary key (incident_id, kind): through
-- deadlines_open it would read every open clock of the instance.
ALTER TABLE incidents ADD COLUMN next_due BIGINT NOT NULL DEFAULT 253402300799999;

UPDATE incidents SET next_due = COALESCE((SELECT MIN(d.due_at) FROM deadlines d
		WHERE d.incident_id = incidents.id AND d.met_at IS NULL AND (incidents.status NOT IN
		('closed', 'rejected') OR (incidents.status = 'closed' AND d.kind = 'closing_report'))), 253402300799999);

CREATE INDEX incidents_next_due ON incidents(next_due, id);
-- Incidents by organisation and next clock: the dashboard's overdue count
-- is a few index ranges, not a visit of every overdue incident.
CREATE INDEX incidents_open_due ON incidents(org_id, next_due);
CREATE INDEX incidents_number ON incidents(number, id);
CREATE INDEX incidents_detected ON incidents(detected_at, id);
CREATE INDEX incidents_updated ON incidents(updated_at, id);
CREATE INDEX incidents_duplicate ON incidents(duplicate_of);
-- Not covering (to_org_id only): with incident_id in it the planner scans
-- it for the scope condition's EXISTS instead of support_requests_incident.
CREATE INDEX support_requests_to ON support_requests(to_org_id);
CREATE INDEX tasks_assignee ON tasks(assignee_id, done);

CREATE OR REPLACE FUNCTION ungcuu_next_due(inc text) RETURNS void LANGUAGE sql AS $$
	UPDATE incidents SET next_due = COALESCE((SELECT MIN(d.due_at) FROM deadlines d
		WHERE d.incident_id = incidents.id AND d.met_at IS NULL AND (incidents.status NOT IN
		('closed', 'rejected') OR (incidents.status = 'closed' AND d.kind = 'closing_report'))), 253402300799999)
	WHERE id = inc $$;
CREATE OR REPLACE FUNCTION ungcuu_deadlines_next() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM ungcuu_next_due(OLD.incident_id);
	ELSE
		PERFORM ungcuu_next_due(NEW.incident_id);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER deadlines_next AFTER INSERT OR UPDATE OR DELETE ON deadlines
	FOR EACH ROW EXECUTE FUNCTION ungcuu_deadlines_next();
CREATE OR REPLACE FUNCTION ungcuu_incidents_next_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM ungcuu_next_due(NEW.id);
	RETURN NULL;
END $$;
CREATE TRIGGER incidents_next_status AFTER UPDATE OF status ON incidents
	FOR EACH ROW EXECUTE FUNCTION ungcuu_incidents_next_status();

-- Full-text search: one row per incident, rowid = the incident's rowid (a
-- column here: PostgreSQL has no rowid). doc is the folded text
-- (ungcuu_fold: lower case, no marks, đ as d) as a tsvector with a GIN
-- index; MATCH in a query becomes doc @@ ungcuu_tsquery(...) (store_pg.c).
ALTER TABLE incidents ADD COLUMN rowid BIGSERIAL;
CREATE UNIQUE INDEX incidents_rowid ON incidents(rowid);
CREATE TABLE incident_fts (
	rowid BIGINT PRIMARY KEY,
	number TEXT,
	title TEXT,
	description TEXT,
	observables TEXT,
	comments TEXT,
	doc tsvector GENERATED ALWAYS AS (to_tsvector('simple', ungcuu_fold(number) || ' ' ||
		ungcuu_fold(title) || ' ' || ungcuu_fold(description) || ' ' ||
		ungcuu_fold(observables) || ' ' || ungcuu_fold(comments))) STORED
);
CREATE INDEX incident_fts_doc ON incident_fts USING gin (doc);
-- The planner's word frequencies from 100,000 lexemes, not the default
-- 1,000: with a million incidents a rare word (a number, an address, a
-- hash) is then estimated at a few rows, and its matches are read first
-- and sorted (12 ms) instead of the whole queue walked in order looking
-- for them (9 s; tests/bench/pg.sh). ANALYZE of the table takes longer.
ALTER TABLE incident_fts ALTER COLUMN doc SET STATISTICS 10000;

INSERT INTO incident_fts (rowid, number, title, description, observables, comments)
SELECT i.rowid, i.number, i.title, i.description,
	COALESCE((SELECT string_agg(ob.value, ' ') FROM observables ob WHERE ob.incident_id = i.id), ''),
	COALESCE((SELECT string_agg(cm.body, ' ') FROM comments cm WHERE cm.incident_id = i.id), '')
FROM incidents i;

CREATE OR REPLACE FUNCTION ungcuu_incidents_fts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO incident_fts (rowid, number, title, description, observables, comments)
		VALUES (NEW.rowid, NEW.number, NEW.title, NEW.description, '', '');
	ELSIF TG_OP = 'UPDATE' THEN
		UPDATE incident_fts SET number = NEW.number, title = NEW.title,
			description = NEW.description WHERE rowid = NEW.rowid;
	ELSE
		DELETE FROM incident_fts WHERE rowid = OLD.rowid;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER incidents_fts_ai AFTER INSERT ON incidents
	FOR EACH ROW EXECUTE FUNCTION ungcuu_incidents_fts();
CREATE TRIGGER incidents_fts_au AFTER UPDATE OF number, title, description ON incidents
	FOR EACH ROW EXECUTE FUNCTION ungcuu_incidents_fts();
CREATE TRIGGER incidents_fts_ad AFTER DELETE ON incidents
	FOR EACH ROW EXECUTE FUNCTION ungcuu_incidents_fts();

CREATE OR REPLACE FUNCTION ungcuu_fts_related() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	inc text;
BEGIN
	inc := CASE WHEN TG_OP = 'DELETE' THEN OLD.incident_id ELSE NEW.incident_id END;
	IF TG_TABLE_NAME = 'observables' THEN
		UPDATE incident_fts SET observables = COALESCE((SELECT string_agg(ob.value, ' ')
			FROM observables ob WHERE ob.incident_id = inc), '')
		WHERE rowid = (SELECT rowid FROM incidents WHERE id = inc);
	ELSE
		UPDATE incident_fts SET comments = COALESCE((SELECT string_agg(cm.body, ' ')
			FROM comments cm WHERE cm.incident_id = inc), '')
		WHERE rowid = (SELECT rowid FROM incidents WHERE id = inc);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER observables_fts AFTER INSERT OR UPDATE OR DELETE ON observables
	FOR EACH ROW EXECUTE FUNCTION ungcuu_fts_related();
CREATE TRIGGER comments_fts AFTER INSERT OR UPDATE OR DELETE ON comments
	FOR EACH ROW EXECUTE FUNCTION ungcuu_fts_related();

-- Dashboard counts as rows: one per (organisation, state, severity, type,
-- month of filing in Asia/Ho_Chi_Minh), so the statistics read a few
-- hundred rows instead of every incident. severity '' = not yet classified.
CREATE TABLE incident_counts (
	org_id TEXT NOT NULL REFERENCES orgs(id),
	status TEXT NOT NULL,
	severity TEXT NOT NULL,
	type TEXT NOT NULL,
	month TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (org_id, status, severity, type, month)
);

INSERT INTO incident_counts (org_id, status, severity, type, month, n)
SELECT org_id, status, COALESCE(severity, ''), type,
	strftime('%Y-%m', created_at / 1000 + 25200, 'unixepoch'), COUNT(*)
FROM incidents GROUP BY 1, 2, 3, 4, 5;

CREATE OR REPLACE FUNCTION ungcuu_incidents_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE incident_counts SET n = n - 1 WHERE org_id = OLD.org_id AND status = OLD.status
			AND severity = COALESCE(OLD.severity, '') AND type = OLD.type
			AND month = strftime('%Y-%m', OLD.created_at / 1000 + 25200, 'unixepoch');
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO incident_counts AS c (org_id, status, severity, type, month, n)
		VALUES (NEW.org_id, NEW.status, COALESCE(NEW.severity, ''), NEW.type,
			strftime('%Y-%m', NEW.created_at / 1000 + 25200, 'unixepoch'), 1)
		ON CONFLICT (org_id, status, severity, type, month) DO UPDATE SET n = c.n + 1;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER incidents_counts_ai AFTER INSERT ON incidents
	FOR EACH ROW EXECUTE FUNCTION ungcuu_incidents_counts();
CREATE TRIGGER incidents_counts_au AFTER UPDATE OF org_id, status, severity, type, created_at
	ON incidents FOR EACH ROW EXECUTE FUNCTION ungcuu_incidents_counts();
CREATE TRIGGER incidents_counts_ad AFTER DELETE ON incidents
	FOR EACH ROW EXECUTE FUNCTION ungcuu_incidents_counts();

-- A person's saved views of the queue: a name and the query string.
CREATE TABLE saved_filters (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	name TEXT NOT NULL,
	query TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (user_id, name)
);
