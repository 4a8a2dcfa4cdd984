-- 027_capture_batches.sql - the matcher in batches (issue 18): it reads,
-- and updates the last_seen of, a batch's findings of one origin ("match",
-- a scanner's) by host, so the host index has the origin second. The
-- status stays in it (lists of a host's open findings), and the number of
-- indexes a finding's insert pays is unchanged.
-- PostgreSQL's variant (pg/027) also moves the audit capture of inserts to
-- a statement trigger; on SQLite the capture is the pre-update hook.
DROP INDEX findings_host;
CREATE INDEX findings_host_origin ON findings(host_id, origin, status);
