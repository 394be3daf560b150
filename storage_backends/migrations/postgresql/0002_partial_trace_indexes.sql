-- Most traces are allowed, and nobody pages through them by effect or code: the list filters
-- that matter are denials, holds and their codes. Indexing only the rest skips two of the
-- seven index inserts for most traces. PostgreSQL proves `code = 'dlp_blocked'` implies
-- `code <> 'allowed'` on its own; the store's query builder names the term anyway (SQLite
-- needs it). A filter on `allow`/`allowed` itself walks the primary key and skips the rest,
-- cheap while allows are the common case.
DROP INDEX traces_effect_ix;
DROP INDEX traces_code_ix;
CREATE INDEX traces_effect_ix ON traces (tenant_id, effect, id) WHERE effect <> 'allow';
CREATE INDEX traces_code_ix ON traces (tenant_id, code, id) WHERE code <> 'allowed';
