-- tests/bench/pg_incidents.sql - :n synthetic incidents beside the demo
-- district on PostgreSQL (tests/bench/pg.sh): spread over the district's
-- organisations, types, severities and states, one a minute from November
-- 2023; titles and descriptions in Vietnamese with an address and a hash
-- per incident (rare words). The row triggers are off for the load (the
-- table's owner may do that) and their work is done once for all rows, as
-- 008_queue.sql does for existing incidents.
SET synchronous_commit = off;
ALTER TABLE incidents DISABLE TRIGGER USER;
DROP INDEX incident_fts_doc;
WITH d AS (SELECT array_agg(DISTINCT org_id) AS orgs, min(created_by) AS who,
	array_agg(DISTINCT type) AS types FROM incidents)
INSERT INTO incidents (id, number, org_id, title, description, type, severity, status,
	version, rev, tlp, form, detected_at, created_at, updated_at, created_by)
SELECT '01900000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'), 'BN-' || lpad(i::text, 7, '0'),
	d.orgs[1 + i % cardinality(d.orgs)],
	'Sự cố ' || (ARRAY['mã độc tống tiền', 'tấn công từ chối dịch vụ', 'lừa đảo qua thư',
		'thay đổi giao diện trang', 'dò quét mật khẩu', 'rò rỉ dữ liệu',
		'khai thác lỗ hổng web', 'đường truyền bị gián đoạn'])[1 + i % 8]
		|| ' số ' || i,
	'Phát hiện tại máy 10.' || (i % 250) || '.' || ((i / 250) % 250) || '.' || ((i / 62500) % 250)
		|| ' của ' || (ARRAY['UBND xã', 'trung tâm y tế', 'trường học', 'bưu điện',
		'kho bạc', 'công an xã'])[1 + (i / 8) % 6] || ', mã nhật ký ' || md5(i::text),
	d.types[1 + i % cardinality(d.types)],
	(ARRAY[NULL, 'low', 'medium', 'high', 'critical'])[1 + i % 5],
	(ARRAY['received', 'verified', 'containing', 'recovering', 'closed', 'closed', 'closed',
		'rejected'])[1 + (i / 3) % 8],
	1, 1, 'AMBER', '{}',
	1700000000000 + i::bigint * 60000, 1700000000000 + i::bigint * 60000 + 600000,
	1700000000000 + i::bigint * 60000 + 900000, d.who
FROM generate_series(1, :n) i, d;
ALTER TABLE incidents ENABLE TRIGGER USER;
DELETE FROM incident_fts;
INSERT INTO incident_fts (rowid, number, title, description, observables, comments)
SELECT i.rowid, i.number, i.title, i.description,
	COALESCE((SELECT string_agg(ob.value, ' ') FROM observables ob WHERE ob.incident_id = i.id), ''),
	COALESCE((SELECT string_agg(cm.body, ' ') FROM comments cm WHERE cm.incident_id = i.id), '')
FROM incidents i;
CREATE INDEX incident_fts_doc ON incident_fts USING gin (doc);
DELETE FROM incident_counts;
INSERT INTO incident_counts (org_id, status, severity, type, month, n)
SELECT org_id, status, COALESCE(severity, ''), type,
	strftime('%Y-%m', created_at / 1000 + 25200, 'unixepoch'), COUNT(*)
FROM incidents GROUP BY 1, 2, 3, 4, 5;
