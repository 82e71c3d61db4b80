import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../embedded-pg";

// The demo's PGlite behind pglite-socket, used the way dnsdeck uses it: a pool of connections sending parameterised
// queries at the same time (each one Parse/Bind/Describe/Execute/Sync), with transactions in between.
let db: EmbeddedPostgres;
let pool: pg.Pool;

before(async () => {
  db = await startEmbeddedPostgres({ port: 0 });
  pool = new pg.Pool({ connectionString: db.url, max: 8 });
  await pool.query(`CREATE TABLE t (id int PRIMARY KEY, a text, b int)`);
  await pool.query(`INSERT INTO t SELECT i, 'x' || i, i % 7 FROM generate_series(1, 500) i`);
});

after(async () => {
  await pool?.end();
  await db?.stop();
});

test("concurrent parameterised queries on several connections each get their own answer", async () => {
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < 200; i++) {
    const k = i % 4;
    // Different statements with different numbers of parameters, all unnamed, interleaved across connections.
    if (k === 0) jobs.push(pool.query(`SELECT count(*)::int AS n FROM t WHERE b = $1`, [i % 7]).then((r) => assert.equal(r.rows[0].n, [71, 72, 72, 72, 71, 71, 71][i % 7])));
    if (k === 1) jobs.push(pool.query(`SELECT a FROM t WHERE id = $1 AND b = $2 AND a LIKE $3`, [i + 1, (i + 1) % 7, "x%"]).then((r) => assert.deepEqual(r.rows, [{ a: `x${i + 1}` }])));
    if (k === 2) jobs.push(pool.query(`SELECT $1::int + $2::int + $3::int + $4::int + $5::int + $6::int + $7::int + $8::int + $9::int AS s`, [1, 2, 3, 4, 5, 6, 7, 8, i]).then((r) => assert.equal(r.rows[0].s, 36 + i)));
    if (k === 3)
      jobs.push(
        (async () => {
          const c = await pool.connect();
          try {
            await c.query("BEGIN");
            const r = await c.query(`SELECT id FROM t WHERE id BETWEEN $1 AND $2 ORDER BY id`, [i, i + 2]);
            await c.query("COMMIT");
            assert.deepEqual(r.rows.map((x) => x.id), [i, i + 1, i + 2]);
          } finally {
            c.release();
          }
        })(),
      );
  }
  await Promise.all(jobs);
});

test("a failing statement on one connection does not break the others", async () => {
  const results = await Promise.allSettled([
    pool.query(`SELECT 1 / $1::int AS x`, [0]),
    ...Array.from({ length: 30 }, (_, i) => pool.query(`SELECT $1::int * 2 AS y`, [i])),
  ]);
  assert.equal(results[0].status, "rejected");
  results.slice(1).forEach((r, i) => assert.deepEqual(r.status === "fulfilled" ? r.value.rows : r.reason, [{ y: i * 2 }]));
});
