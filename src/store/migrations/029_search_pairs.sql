-- 029_search_pairs.sql - an address prefix in the queue's search (issue
-- 18). Nothing to do on SQLite: FTS5 keeps positions and reads a phrase
-- ("10.7.3") from its index. PostgreSQL's variant (pg/029) adds to the
-- search document every two words in a row as one lexeme, and a word of
-- several parts becomes the phrase of its pairs, which its GIN index,
-- keeping no positions, answers by rare lexemes instead of reading every
-- row that holds the phrase's words (docs/DESIGN.md, the queue).
SELECT 1;
