import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import pg from "pg";
import { freshDatabase, type TestDatabase } from "@/server/testing/db";
import { MIGRATIONS_DIR, migrate } from "../migrate";

const dbs: TestDatabase[] = [];
after(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

async function empty(): Promise<TestDatabase> {
  const d = await freshDatabase({ migrated: false, prefix: "dnsdeck_mig" });
  dbs.push(d);
  return d;
}

async function rows(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`)).rows;
  } finally {
    await c.end();
  }
}

async function fixture(migrations: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "mig-"));
  for (const [name, sql] of Object.entries(migrations)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

test("fresh database: every migration applied and recorded exactly as prisma migrate deploy records it", async () => {
  const d = await empty();
  const r = await migrate(d.url);
  assert.ok(r.applied.length >= 1);
  const recorded = await rows(d.url);
  assert.deepEqual(recorded.map((x) => x.migration_name), r.applied);
  for (const row of recorded) {
    const sql = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, "migration.sql"), "utf8");
    assert.equal(row.checksum, createHash("sha256").update(sql).digest("hex"));
    assert.match(row.id, /^[0-9a-f-]{36}$/);
    assert.ok(row.finished_at instanceof Date);
    assert.equal(row.applied_steps_count, 1);
    assert.equal(row.rolled_back_at, null);
  }
  const c = new pg.Client({ connectionString: d.url });
  await c.connect();
  const cols = await c.query(
    `SELECT column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
  );
  await c.end();
  assert.deepEqual(
    cols.rows.map((x) => `${x.column_name}:${x.data_type}:${x.character_maximum_length ?? ""}:${x.is_nullable}`),
    [
      "id:character varying:36:NO",
      "checksum:character varying:64:NO",
      "finished_at:timestamp with time zone::YES",
      "migration_name:character varying:255:NO",
      "logs:text::YES",
      "rolled_back_at:timestamp with time zone::YES",
      "started_at:timestamp with time zone::NO",
      "applied_steps_count:integer::NO",
    ],
  );
});

test("already applied: a second run applies nothing and changes nothing", async () => {
  const d = await empty();
  await migrate(d.url);
  const before = await rows(d.url);
  const r = await migrate(d.url);
  assert.equal(r.applied.length, 0);
  assert.deepEqual(await rows(d.url), before);
});

test("a failed migration is recorded with its error and blocks the next run", async () => {
  const d = await empty();
  const dir = await fixture({
    "20260101000000_ok": `CREATE TABLE "a" ("id" INTEGER NOT NULL);`,
    "20260102000000_broken": `CREATE TABLE "b" ("id" INTEGER NOT NULL);\nSELECT * FROM "no_such_table";`,
    "20260103000000_later": `CREATE TABLE "c" ("id" INTEGER NOT NULL);`,
  });
  await assert.rejects(migrate(d.url, dir), /20260102000000_broken failed: .*no_such_table/);
  const recorded = await rows(d.url);
  const broken = recorded.find((x) => x.migration_name === "20260102000000_broken");
  assert.equal(broken.finished_at, null);
  assert.match(broken.logs, /no_such_table/);
  assert.ok(!recorded.some((x) => x.migration_name === "20260103000000_later"));
  await assert.rejects(migrate(d.url, dir), /20260102000000_broken failed earlier and blocks/);
  assert.ok(!(await rows(d.url)).some((x) => x.migration_name === "20260103000000_later"));
});

test("a failed migration marked rolled back (prisma migrate resolve) lets the next run retry it", async () => {
  const d = await empty();
  const dir = await fixture({ "20260101000000_broken": `SELECT * FROM "missing";` });
  await assert.rejects(migrate(d.url, dir));
  const c = new pg.Client({ connectionString: d.url });
  await c.connect();
  await c.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now()`);
  await c.end();
  await writeFile(path.join(dir, "20260101000000_broken", "migration.sql"), `CREATE TABLE "fixed" ("id" INTEGER);`);
  const r = await migrate(d.url, dir);
  assert.deepEqual(r.applied, ["20260101000000_broken"]);
});
