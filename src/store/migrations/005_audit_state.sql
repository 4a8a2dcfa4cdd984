-- 005_audit_state: the audit log proves the state, not only itself.
-- v: 1 = an entry hashed with plain SHA-256 (before this migration),
--    2 = keyed (HMAC-SHA-256 with a key derived from the instance key,
--        which lives in <db>.key, never in the database).
-- rows: the after-image of every row of an audited table the entry's
-- transaction wrote, as JSON [[table, key, {column: value} | null], ...]
-- (domain/directory/audit.c lists the audited tables and columns).
ALTER TABLE audit_log ADD COLUMN v INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN rows TEXT;
