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
-- "+d.met_at" keeps SQLite on the primary key (incident_id, kind): through
-- deadlines_open it would read every open clock of the instance.
ALTER TABLE incidents ADD COLUMN next_due BIGINT NOT NULL DEFAULT 253402300799999;

UPDATE incidents SET next_due = COALESCE((SELECT MIN(d.due_at) FROM deadlines d
		WHERE d.incident_id = incidents.id AND +d.met_at IS NULL AND (incidents.status NOT IN
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

CREATE TRIGGER deadlines_next_ai AFTER INSERT ON deadlines BEGIN
	UPDATE incidents SET next_due = COALESCE((SELECT MIN(d.due_at) FROM deadlines d
		WHERE d.incident_id = incidents.id AND +d.met_at IS NULL AND (incidents.status NOT IN
		('closed', 'rejected') OR (incidents.status = 'closed' AND d.kind = 'closing_report'))), 253402300799999)
	WHERE id = NEW.incident_id;
END;
CREATE TRIGGER deadlines_next_au AFTER UPDATE ON deadlines BEGIN
	UPDATE incidents SET next_due = COALESCE((SELECT MIN(d.due_at) FROM deadlines d
		WHERE d.incident_id = incidents.id AND +d.met_at IS NULL AND (incidents.status NOT IN
		('closed', 'rejected') OR (incidents.status = 'closed' AND d.kind = 'closing_report'))), 253402300799999)
	WHERE id = NEW.incident_id;
END;
CREATE TRIGGER deadlines_next_ad AFTER DELETE ON deadlines BEGIN
	UPDATE incidents SET next_due = COALESCE((SELECT MIN(d.due_at) FROM deadlines d
		WHERE d.incident_id = incidents.id AND +d.met_at IS NULL AND (incidents.status NOT IN
		('closed', 'rejected') OR (incidents.status = 'closed' AND d.kind = 'closing_report'))), 253402300799999)
	WHERE id = OLD.incident_id;
END;
-- Closing or rejecting an incident stops its clocks (but the closing
-- report's); reopening starts them again.
CREATE TRIGGER incidents_next_status AFTER UPDATE OF status ON incidents BEGIN
	UPDATE incidents SET next_due = COALESCE((SELECT MIN(d.due_at) FROM deadlines d
		WHERE d.incident_id = incidents.id AND +d.met_at IS NULL AND (incidents.status NOT IN
		('closed', 'rejected') OR (incidents.status = 'closed' AND d.kind = 'closing_report'))), 253402300799999)
	WHERE id = NEW.id;
END;

-- Full-text search (SQLite FTS5). One row per incident, rowid = the
-- incident's rowid. unicode61 with remove_diacritics 2 folds case and
-- marks ("giao dien" finds "giao diện") but keeps đ/Đ as letters of their
-- own: they are folded to d/D here and in the query (incident_search.c).
CREATE VIRTUAL TABLE incident_fts USING fts5(number, title, description,
	observables, comments, tokenize = 'unicode61 remove_diacritics 2');

INSERT INTO incident_fts (rowid, number, title, description, observables, comments)
SELECT i.rowid, i.number,
	replace(replace(i.title, 'đ', 'd'), 'Đ', 'D'),
	replace(replace(i.description, 'đ', 'd'), 'Đ', 'D'),
	COALESCE((SELECT group_concat(replace(replace(ob.value, 'đ', 'd'), 'Đ', 'D'), ' ')
		FROM observables ob WHERE ob.incident_id = i.id), ''),
	COALESCE((SELECT group_concat(replace(replace(cm.body, 'đ', 'd'), 'Đ', 'D'), ' ')
		FROM comments cm WHERE cm.incident_id = i.id), '')
FROM incidents i;

CREATE TRIGGER incidents_fts_ai AFTER INSERT ON incidents BEGIN
	INSERT INTO incident_fts (rowid, number, title, description, observables, comments)
	VALUES (NEW.rowid, NEW.number,
		replace(replace(NEW.title, 'đ', 'd'), 'Đ', 'D'),
		replace(replace(NEW.description, 'đ', 'd'), 'Đ', 'D'), '', '');
END;
CREATE TRIGGER incidents_fts_au AFTER UPDATE OF number, title, description ON incidents BEGIN
	UPDATE incident_fts SET number = NEW.number,
		title = replace(replace(NEW.title, 'đ', 'd'), 'Đ', 'D'),
		description = replace(replace(NEW.description, 'đ', 'd'), 'Đ', 'D')
	WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER incidents_fts_ad AFTER DELETE ON incidents BEGIN
	DELETE FROM incident_fts WHERE rowid = OLD.rowid;
END;

CREATE TRIGGER observables_fts_ai AFTER INSERT ON observables BEGIN
	UPDATE incident_fts SET observables = COALESCE((SELECT group_concat(
		replace(replace(ob.value, 'đ', 'd'), 'Đ', 'D'), ' ') FROM observables ob
		WHERE ob.incident_id = NEW.incident_id), '')
	WHERE rowid = (SELECT rowid FROM incidents WHERE id = NEW.incident_id);
END;
CREATE TRIGGER observables_fts_au AFTER UPDATE ON observables BEGIN
	UPDATE incident_fts SET observables = COALESCE((SELECT group_concat(
		replace(replace(ob.value, 'đ', 'd'), 'Đ', 'D'), ' ') FROM observables ob
		WHERE ob.incident_id = NEW.incident_id), '')
	WHERE rowid = (SELECT rowid FROM incidents WHERE id = NEW.incident_id);
END;
CREATE TRIGGER observables_fts_ad AFTER DELETE ON observables BEGIN
	UPDATE incident_fts SET observables = COALESCE((SELECT group_concat(
		replace(replace(ob.value, 'đ', 'd'), 'Đ', 'D'), ' ') FROM observables ob
		WHERE ob.incident_id = OLD.incident_id), '')
	WHERE rowid = (SELECT rowid FROM incidents WHERE id = OLD.incident_id);
END;
CREATE TRIGGER comments_fts_ai AFTER INSERT ON comments BEGIN
	UPDATE incident_fts SET comments = COALESCE((SELECT group_concat(
		replace(replace(cm.body, 'đ', 'd'), 'Đ', 'D'), ' ') FROM comments cm
		WHERE cm.incident_id = NEW.incident_id), '')
	WHERE rowid = (SELECT rowid FROM incidents WHERE id = NEW.incident_id);
END;
CREATE TRIGGER comments_fts_au AFTER UPDATE ON comments BEGIN
	UPDATE incident_fts SET comments = COALESCE((SELECT group_concat(
		replace(replace(cm.body, 'đ', 'd'), 'Đ', 'D'), ' ') FROM comments cm
		WHERE cm.incident_id = NEW.incident_id), '')
	WHERE rowid = (SELECT rowid FROM incidents WHERE id = NEW.incident_id);
END;
CREATE TRIGGER comments_fts_ad AFTER DELETE ON comments BEGIN
	UPDATE incident_fts SET comments = COALESCE((SELECT group_concat(
		replace(replace(cm.body, 'đ', 'd'), 'Đ', 'D'), ' ') FROM comments cm
		WHERE cm.incident_id = OLD.incident_id), '')
	WHERE rowid = (SELECT rowid FROM incidents WHERE id = OLD.incident_id);
END;

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

CREATE TRIGGER incidents_counts_ai AFTER INSERT ON incidents BEGIN
	INSERT INTO incident_counts (org_id, status, severity, type, month, n)
	VALUES (NEW.org_id, NEW.status, COALESCE(NEW.severity, ''), NEW.type,
		strftime('%Y-%m', NEW.created_at / 1000 + 25200, 'unixepoch'), 1)
	ON CONFLICT (org_id, status, severity, type, month) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER incidents_counts_au AFTER UPDATE OF org_id, status, severity, type, created_at
ON incidents BEGIN
	UPDATE incident_counts SET n = n - 1 WHERE org_id = OLD.org_id AND status = OLD.status
		AND severity = COALESCE(OLD.severity, '') AND type = OLD.type
		AND month = strftime('%Y-%m', OLD.created_at / 1000 + 25200, 'unixepoch');
	INSERT INTO incident_counts (org_id, status, severity, type, month, n)
	VALUES (NEW.org_id, NEW.status, COALESCE(NEW.severity, ''), NEW.type,
		strftime('%Y-%m', NEW.created_at / 1000 + 25200, 'unixepoch'), 1)
	ON CONFLICT (org_id, status, severity, type, month) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER incidents_counts_ad AFTER DELETE ON incidents BEGIN
	UPDATE incident_counts SET n = n - 1 WHERE org_id = OLD.org_id AND status = OLD.status
		AND severity = COALESCE(OLD.severity, '') AND type = OLD.type
		AND month = strftime('%Y-%m', OLD.created_at / 1000 + 25200, 'unixepoch');
END;

-- A person's saved views of the queue: a name and the query string.
CREATE TABLE saved_filters (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	name TEXT NOT NULL,
	query TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (user_id, name)
);
