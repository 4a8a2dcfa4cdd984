-- 027_capture_batches.sql - nothing changes on SQLite (its change capture
-- is the pre-update hook). PostgreSQL's variant (pg/027) replaces the
-- audit capture's row trigger for inserts with a statement trigger, so the
-- matcher can write a batch of findings in one statement (issue 18).
SELECT 1;
