-- prelude.sql - PostgreSQL only: the functions SQLite has built in that the
-- portable SQL uses, and the audit log's change capture. Run (idempotent)
-- before pending migrations, in their transaction (store_migrate).

CREATE EXTENSION IF NOT EXISTS unaccent;

-- instr(haystack, needle): 1-based position, 0 when absent.
CREATE OR REPLACE FUNCTION instr(a text, b text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT strpos(a, b)::bigint $$;

-- group_concat(value [, separator]): NULLs skipped, ',' by default.
CREATE OR REPLACE FUNCTION ungcuu_gc_step(acc text, v text, sep text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v ELSE acc || sep || v END $$;
CREATE OR REPLACE FUNCTION ungcuu_gc_step1(acc text, v text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT ungcuu_gc_step(acc, v, ',') $$;
CREATE OR REPLACE AGGREGATE group_concat(text, text) (SFUNC = ungcuu_gc_step, STYPE = text);
CREATE OR REPLACE AGGREGATE group_concat(text) (SFUNC = ungcuu_gc_step1, STYPE = text);

-- strftime(format, seconds, 'unixepoch') for the formats the code uses.
CREATE OR REPLACE FUNCTION strftime(f text, t bigint, m text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(to_timestamp(t) AT TIME ZONE 'UTC',
		replace(replace(replace(replace(replace(replace(f, '%Y', 'YYYY'), '%m', 'MM'),
			'%d', 'DD'), '%H', 'HH24'), '%M', 'MI'), '%S', 'SS')) $$;
CREATE OR REPLACE FUNCTION strftime(f text, t numeric, m text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT strftime(f, floor(t)::bigint, m) $$;

-- printf(format, integer) for one %d with an optional 0 flag and width.
CREATE OR REPLACE FUNCTION printf(f text, v bigint) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	m text[] := regexp_match(f, '%(0?)([0-9]*)d');
	s text := v::text;
BEGIN
	IF m IS NULL THEN
		RETURN replace(f, '%%', '%');
	END IF;
	IF m[2] <> '' AND length(s) < m[2]::int THEN
		s := lpad(s, m[2]::int, CASE WHEN m[1] = '0' THEN '0' ELSE ' ' END);
	END IF;
	RETURN replace(regexp_replace(f, '%0?[0-9]*d', s), '%%', '%');
END $$;

-- Two-argument min/max are SQLite's least/greatest.
CREATE OR REPLACE FUNCTION max(a bigint, b bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT greatest(a, b) $$;
CREATE OR REPLACE FUNCTION min(a bigint, b bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT least(a, b) $$;

-- pragma_table_info(table): columns by position from 0, as in SQLite.
CREATE OR REPLACE FUNCTION pragma_table_info(t text)
RETURNS TABLE (cid bigint, name text, type text, "notnull" bigint, dflt_value text, pk bigint)
LANGUAGE sql STABLE AS $$
	SELECT (row_number() OVER (ORDER BY a.attnum) - 1)::bigint, a.attname::text,
		format_type(a.atttypid, a.atttypmod), a.attnotnull::int::bigint, NULL::text,
		COALESCE((SELECT array_position(i.indkey::int2[], a.attnum)
			FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary), 0)::bigint
	FROM pg_attribute a WHERE a.attrelid = to_regclass(t) AND a.attnum > 0
		AND NOT a.attisdropped ORDER BY a.attnum $$;

-- Text folded for search as FTS5's unicode61 tokenizer sees it: lower case,
-- no marks, đ as d (unaccent does both), every run of characters that are
-- not letters or digits one space (so "PQ-2024-0001" or "10.0.0.1" are
-- words in a row, not the parser's signed numbers and host names).
-- IMMUTABLE so a generated column and an index may use it; the dictionary
-- is named, so the search path does not change its meaning.
CREATE OR REPLACE FUNCTION ungcuu_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT regexp_replace(lower(unaccent('unaccent'::regdictionary, COALESCE(t, ''))),
		'[^[:alnum:]]+', ' ', 'g') $$;

-- The search document (since pg/029): the folded text's words and, at the
-- position of its first word, every two words in a row as one lexeme
-- ".first.second" (no folded word holds a dot or begins with one, so no
-- word or word's prefix ('3':*) is mistaken for a pair). GIN keeps no
-- positions: a word of several parts ("10.7.3", a phrase '10' <-> '7' <->
-- '3':*) was found by reading and rechecking every row holding all its
-- parts, for an address nearly every incident. The same phrase said with
-- pairs ('.10.7' <-> '.7.3':*: ".10.7" at p, ".7.3x" at p + 1, exactly
-- when "10", "7", "3x" are at p, p + 1, p + 2) holds only rare lexemes the
-- index answers. One tsvector made from text, lexemes and positions (||
-- would shift the pairs' positions past the words'). The pairs stop at 256
-- KiB of their text, so that a huge document (thousands of pasted hashes in
-- comments) stays under a tsvector's 1 MB where its words alone did: past
-- that point a word of several parts is not found on PostgreSQL (as past
-- the 16,383rd word, where tsvector positions stop, already).
CREATE OR REPLACE FUNCTION ungcuu_fts_doc(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	WITH words AS (SELECT lexeme, unnest(positions) AS pos FROM unnest(to_tsvector('simple', t)))
	SELECT COALESCE(string_agg(quote_literal(x) || ':' || pos, ' '), '')::tsvector FROM (
		SELECT lexeme AS x, pos FROM words
		UNION ALL
		SELECT x, pos FROM (SELECT x, pos, sum(octet_length(x)) OVER (ORDER BY pos) AS size
			FROM (SELECT '.' || lexeme || '.' || lead(lexeme) OVER o AS x, pos,
				lead(pos) OVER o - pos AS gap FROM words WINDOW o AS (ORDER BY pos)) p
			WHERE gap = 1 AND octet_length(x) < 2047) q
		WHERE size <= 262144) b $$;

-- The incident queue's search text (incident_queue.c: each word a quoted
-- string, "" for a quote, the last one with * for a prefix) as a tsquery:
-- all words; a word of several parts the phrase of its pairs of parts
-- (ungcuu_fts_doc), the last pair with the word's prefix mark.
CREATE OR REPLACE FUNCTION ungcuu_tsquery(q text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	m text[];
	parts text[];
	w text;
	one text;
	n int;
	result tsquery;
	part tsquery;
BEGIN
	FOR m IN SELECT regexp_matches(COALESCE(q, ''), '"((?:[^"]|"")*)"(\*?)', 'g') LOOP
		w := ungcuu_fold(replace(m[1], '""', '"'));
		parts := ARRAY(SELECT x FROM regexp_split_to_table(w, ' ') x WHERE x <> '');
		n := array_length(parts, 1);
		IF n IS NULL THEN
			CONTINUE;
		END IF;
		one := '';
		FOR i IN 1 .. greatest(n - 1, 1) LOOP
			IF i > 1 THEN
				one := one || ' <-> ';
			END IF;
			one := one || quote_literal(CASE WHEN n = 1 THEN parts[1]
				ELSE '.' || parts[i] || '.' || parts[i + 1] END);
		END LOOP;
		IF m[2] = '*' THEN
			one := one || ':*';
		END IF;
		-- a word through the parser, as the document's words; pairs, which
		-- it would split at their dots, as they are
		part := CASE WHEN n = 1 THEN to_tsquery('simple', one) ELSE one::tsquery END;
		result := CASE WHEN result IS NULL THEN part ELSE result && part END;
	END LOOP;
	RETURN COALESCE(result, to_tsquery('simple', ''));
END $$;

-- Change capture for the audit log (store_pg.c, store_watch): the row's key
-- (its first TG_ARGV[0] columns as text) and, for an update, the mask of the
-- columns that changed (bit i = column i as pragma_table_info counts, 63 =
-- any beyond), into the session's ungcuu_changes when it has one. Updates
-- and deletes row by row (ungcuu_capture); inserts once per statement from
-- its transition table (ungcuu_capture_new, since 027: a statement that
-- inserts a batch of findings costs one query here, not one call per row).
CREATE OR REPLACE FUNCTION ungcuu_capture() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	nkey int := TG_ARGV[0]::int;
	cols text[];
	o jsonb;
	n jsonb;
	mask bigint := 0;
BEGIN
	IF to_regclass('pg_temp.ungcuu_changes') IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT array_agg(attname::text ORDER BY attnum) INTO cols FROM pg_attribute
		WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped;
	IF TG_OP <> 'INSERT' THEN
		o := to_jsonb(OLD);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		n := to_jsonb(NEW);
	END IF;
	IF TG_OP = 'INSERT' THEN
		INSERT INTO pg_temp.ungcuu_changes (tbl, k0, k1, changed) VALUES (TG_TABLE_NAME,
			n ->> cols[1], CASE WHEN nkey > 1 THEN n ->> cols[2] END, -1);
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO pg_temp.ungcuu_changes (tbl, k0, k1, changed) VALUES (TG_TABLE_NAME,
			o ->> cols[1], CASE WHEN nkey > 1 THEN o ->> cols[2] END, -1);
	ELSE
		FOR i IN 1 .. array_length(cols, 1) LOOP
			IF (o -> cols[i]) IS DISTINCT FROM (n -> cols[i]) THEN
				mask := mask | (1::bigint << least(i - 1, 63));
			END IF;
		END LOOP;
		IF mask = 0 THEN
			RETURN NULL;
		END IF;
		IF (o ->> cols[1]) IS DISTINCT FROM (n ->> cols[1]) OR
		   (nkey > 1 AND (o ->> cols[2]) IS DISTINCT FROM (n ->> cols[2])) THEN
			INSERT INTO pg_temp.ungcuu_changes (tbl, k0, k1, changed) VALUES (TG_TABLE_NAME,
				o ->> cols[1], CASE WHEN nkey > 1 THEN o ->> cols[2] END, -1);
			mask := -1;
		END IF;
		INSERT INTO pg_temp.ungcuu_changes (tbl, k0, k1, changed) VALUES (TG_TABLE_NAME,
			n ->> cols[1], CASE WHEN nkey > 1 THEN n ->> cols[2] END, mask);
	END IF;
	RETURN NULL;
END $$;

-- The keys of every row one INSERT statement wrote (its transition table
-- ungcuu_new), the same text ungcuu_capture writes for an inserted row.
CREATE OR REPLACE FUNCTION ungcuu_capture_new() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	nkey int := TG_ARGV[0]::int;
	cols text[];
BEGIN
	IF to_regclass('pg_temp.ungcuu_changes') IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT array_agg(attname::text ORDER BY attnum) INTO cols FROM pg_attribute
		WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped;
	EXECUTE format('INSERT INTO pg_temp.ungcuu_changes (tbl, k0, k1, changed) '
		'SELECT %L, to_jsonb(%I) #>> ''{}'', %s, -1 FROM ungcuu_new',
		TG_TABLE_NAME, cols[1],
		CASE WHEN nkey > 1 THEN format('to_jsonb(%I) #>> ''{}''', cols[2]) ELSE 'NULL' END);
	RETURN NULL;
END $$;
