-- pg/027_capture_batches.sql - PostgreSQL's variant of 027: the host
-- index of findings with the origin second, as on SQLite; and the audit
-- capture of inserts once per statement (prelude.sql, ungcuu_capture_new,
-- which this migration's run of the prelude brings to an existing
-- database). Each table with the row trigger of before (inserts, updates
-- and deletes) gets the pair the store now makes (store_pg.c,
-- install_triggers): the row trigger for updates and deletes, the
-- statement trigger for inserts, with the same key count.
DROP INDEX findings_host;
CREATE INDEX findings_host_origin ON findings(host_id, origin, status);

DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT tgrelid::regclass::text AS t,
			split_part(encode(tgargs, 'escape'), '\000', 1)::int AS nkey
		FROM pg_trigger WHERE tgname = 'ungcuu_capture' AND NOT EXISTS (SELECT 1
			FROM pg_trigger n WHERE n.tgname = 'ungcuu_capture_new'
			AND n.tgrelid = pg_trigger.tgrelid) LOOP
		EXECUTE format('DROP TRIGGER ungcuu_capture ON %s', r.t);
		EXECUTE format('CREATE TRIGGER ungcuu_capture AFTER UPDATE OR DELETE ON %s '
			'FOR EACH ROW EXECUTE FUNCTION ungcuu_capture(%s)', r.t, r.nkey);
		EXECUTE format('CREATE TRIGGER ungcuu_capture_new AFTER INSERT ON %s '
			'REFERENCING NEW TABLE AS ungcuu_new FOR EACH STATEMENT '
			'EXECUTE FUNCTION ungcuu_capture_new(%s)', r.t, r.nkey);
	END LOOP;
END $$;

-- An entry's row images are compressed with lz4 rather than pglz where the
-- server has it (Debian's PostgreSQL does): a batch of the matcher seals
-- 10,000 findings, about 4.5 MB of JSON, which pglz took some 50 ms to
-- compress under the writers' lock and lz4 about 10.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'
		   AND 'lz4' = ANY(enumvals)) THEN
		ALTER TABLE audit_log ALTER COLUMN rows SET COMPRESSION lz4;
	END IF;
END $$;
