-- 024_duty_approval: the standing duty's remainder (issue 17, h/duty).
-- A periodic report (Mẫu 05) is submitted for approval between draft and
-- sent: the leader approves (it is sent) or returns it with a reason. Each
-- step is a row here, so who submitted, approved or returned a report and
-- when is kept (the report's status says where it stands). The replies to
-- reports by email wait in mail_outbox for the server's delivery worker,
-- which retries them with backoff: next_at is when it tries again.

CREATE TABLE report_approvals (
	id TEXT PRIMARY KEY,
	report_id TEXT NOT NULL REFERENCES periodic_reports(id),
	action TEXT NOT NULL,              -- submit | approve | return
	reason TEXT NOT NULL DEFAULT '',   -- why it was returned
	by_id TEXT REFERENCES users(id),   -- NULL: the instance (CLI)
	at BIGINT NOT NULL
);
CREATE INDEX report_approvals_report ON report_approvals(report_id, at);

ALTER TABLE mail_outbox ADD COLUMN next_at BIGINT NOT NULL DEFAULT 0;
-- the worker looks for due replies every poll
CREATE INDEX mail_outbox_due ON mail_outbox(status, next_at);
