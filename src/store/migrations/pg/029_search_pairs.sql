-- pg/029_search_pairs.sql - PostgreSQL's variant of 029_search_pairs.sql:
-- the search document becomes ungcuu_fts_doc (prelude.sql): the words as
-- before and, at the first one's position, every two words in a row as one
-- lexeme (".10.7"), so that ungcuu_tsquery's phrase of pairs ('.10.7' <->
-- '.7.3':*) finds an address prefix through the GIN index, by rare
-- lexemes, instead of rechecking every row holding '10', '7' and '3':*.
-- PostgreSQL 15 cannot change a generated column's expression: the column
-- is made again (the table rewritten), with its index and statistics
-- target (pg/008).
DROP INDEX incident_fts_doc;
ALTER TABLE incident_fts DROP COLUMN doc;
ALTER TABLE incident_fts ADD COLUMN doc tsvector GENERATED ALWAYS AS (ungcuu_fts_doc(
	ungcuu_fold(number) || ' ' || ungcuu_fold(title) || ' ' || ungcuu_fold(description) || ' ' ||
	ungcuu_fold(observables) || ' ' || ungcuu_fold(comments))) STORED;
CREATE INDEX incident_fts_doc ON incident_fts USING gin (doc);
ALTER TABLE incident_fts ALTER COLUMN doc SET STATISTICS 10000;
