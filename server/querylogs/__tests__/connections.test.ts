import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { ADMIN_URL, freshDatabase, type TestDatabase } from "@/server/testing/db";
import { surviveConnectionErrors } from "../db-types";

// The server ends connections (restart, failover, a database dropped): the process must not die of it, the statement
// that meets the broken connection must fail with the server's reason, and the pool must go on with new connections.
let db: TestDatabase;
before(async () => {
  db = await freshDatabase({ prefix: "dnsdeck_conn", migrated: false });
});
after(() => db?.drop());

const terminate = async (pid: number) => {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`SELECT pg_terminate_backend($1)`, [pid]);
  } finally {
    await admin.end();
  }
};
const settle = () => new Promise((r) => setTimeout(r, 300));

test("a connection the server ends, idle or inside a transaction, fails its statement and not the process", async () => {
  const heard: string[] = [];
  const pool = surviveConnectionErrors(new pg.Pool({ connectionString: db.url, max: 2 }), (err) => heard.push(err.message));
  try {
    // inside a transaction, between two statements (a rollup step holds its connection like this)
    const held = await pool.connect();
    await held.query("BEGIN");
    const pid = (await held.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid as number;
    await terminate(pid);
    await settle();
    await assert.rejects(held.query("SELECT 1"), /not queryable|terminat/i);
    held.release();

    // idle in the pool
    const idlePid = (await pool.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid as number;
    await terminate(idlePid);
    await settle();

    assert.ok(heard.some((m) => /terminating connection due to administrator command/.test(m)), `heard: ${heard.join(" | ")}`);
    const next = (await pool.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid as number;
    assert.notEqual(next, pid);
    assert.notEqual(next, idlePid);
  } finally {
    await pool.end();
  }
});
