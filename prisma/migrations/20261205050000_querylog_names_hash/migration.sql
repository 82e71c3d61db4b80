-- The names dictionary found a name by a unique btree on the text (a third of the dictionary's size: ~84 MB of 303 MB
-- at 27M dns_logs rows). It is now found by a btree on hashtext(name) — a 4-byte key, ~2.6× smaller — and compared
-- whole after it (server/querylogs/dictionary.ts). Uniqueness is kept by the only writer: names are inserted under the
-- rollup lock, and only when that lookup does not find them.
DROP INDEX IF EXISTS "querylog_names_name_key";
CREATE INDEX "querylog_names_hash_idx" ON "querylog_names" ((hashtext("name")));
