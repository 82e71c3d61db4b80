import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import type { TestDatabase } from "@/server/testing/db";
import { stackTestEnv } from "@/server/stack/__tests__/helpers";

let dbh: TestDatabase;
let lease: typeof import("../lease");
let runs: typeof import("@/server/sync/runs");
let leader: typeof import("@/server/db/leader");
let client: typeof import("@/server/db/client");

before(async () => {
  dbh = await stackTestEnv({ DNSDECK_LEASE_SECONDS: "2" });
  lease = await import("../lease");
  runs = await import("@/server/sync/runs");
  leader = await import("@/server/db/leader");
  client = await import("@/server/db/client");
});
after(async () => {
  await leader.resign(leader.ROLLUP_WORKER_LOCK);
  await client.db().$disconnect();
  await dbh.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a live process keeps its lease past the lease length (heartbeat); a dead one's expires within it", async () => {
  const mine = lease.qualify("alice#1");
  assert.match(mine, /^alice#1#[^#]+\/\d+\/[0-9a-f]{6}$/, "holder = user#token#host/pid/random");
  assert.equal((await lease.tryAcquire("test:a", mine, "work")).ok, true);
  // another process's holder, never renewed (its process is gone)
  const dead = "bob#2#otherpod/1/abcdef";
  await client.db().$executeRaw`INSERT INTO "locks" ("name", "holder", "operation", "expires_at") VALUES ('test:b', ${dead}, 'work', now() + interval '2 seconds')`;
  await sleep(3000);
  const rows = await client.db().lock.findMany({ where: { expiresAt: { gt: new Date() } } });
  assert.deepEqual(
    rows.map((r) => r.name),
    ["test:a"],
    "only the renewed lease is alive",
  );
  const t = await lease.tryAcquire("test:b", lease.qualify("carol#3"), "takeover");
  assert.equal(t.ok, true);
  assert.equal(t.previous?.holder, dead, "the taker learns whose lease it took over");
  await lease.release("test:a", mine);
  await lease.release("test:b", lease.qualify("carol#3"));
});

test("sync runs: one per kind across holders (409 naming the run); a dead holder's run reads interrupted with its steps, and a new run starts", async () => {
  const { db } = client;
  const first = await runs.startRun({ kind: "zones", trigger: "api", createdBy: "oscar" });
  await assert.rejects(
    () => runs.startRun({ kind: "zones", trigger: "api", createdBy: "olga" }),
    (err: any) => err.code === "conflict" && err.details?.runningId === first.id && new RegExp(`run #${first.id}`).test(err.message) && /lock held by oscar/.test(err.message),
  );
  const other = await runs.startRun({ kind: "split-horizon", trigger: "api", createdBy: "olga" });
  await runs.finishRun(other.id, { status: "ok", steps: [] });
  await runs.finishRun(first.id, { status: "ok", steps: [] });

  // a run of a process that died mid-step: its lease (another process's holder) is not renewed
  const dead = "oscar#5#dnsdeck-7f/1/beef01";
  await db().$executeRaw`UPDATE "locks" SET "holder" = ${dead}, "expires_at" = now() + interval '2 seconds' WHERE "name" = 'sync:zones'`;
  await db().$executeRaw`INSERT INTO "locks" ("name", "holder", "operation", "expires_at") VALUES ('sync:zones', ${dead}, 'zones sync', now() + interval '2 seconds') ON CONFLICT DO NOTHING`;
  const orphan = await db().syncRun.create({
    data: {
      kind: "zones",
      trigger: "button",
      createdBy: "oscar",
      status: "running",
      steps: [
        { name: "list zones on primary", status: "ok", startedAt: new Date().toISOString(), finishedAt: new Date().toISOString() },
        { name: "sync secondary", status: "running", startedAt: new Date().toISOString() },
      ],
    },
  });
  assert.equal((await runs.getRun(orphan.id)).status, "running", "while its lease lives");
  await sleep(2300);
  const v = await runs.getRun(orphan.id);
  assert.equal(v.status, "interrupted");
  assert.deepEqual(
    v.steps.map((s) => s.status),
    ["ok", "interrupted"],
  );
  assert.match(v.error!, /lock held by oscar, dnsdeck process dnsdeck-7f\/1\/beef01/);
  const next = await runs.startRun({ kind: "zones", trigger: "api", createdBy: "olga" });
  assert.equal(next.status, "running");
  await runs.finishRun(next.id, { status: "ok", steps: [] });
  assert.equal(await db().lock.count({ where: { expiresAt: { gt: new Date() } } }), 0, "finished runs release their lease");
});

test("a new holder taking over an expired lease marks the dead holder's running run interrupted before its own starts", async () => {
  const { db } = client;
  await db().$executeRaw`INSERT INTO "locks" ("name", "holder", "operation", "expires_at") VALUES ('sync:resolver-settings', 'rita#1#pod-x/1/aaaaaa', 'x', now() - interval '1 second')
    ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "expires_at" = EXCLUDED."expires_at"`;
  const orphan = await db().syncRun.create({ data: { kind: "resolver-settings", trigger: "cli", createdBy: "rita", status: "running", steps: [] } });
  const next = await runs.startRun({ kind: "resolver-settings", trigger: "api", createdBy: "olga" });
  const old = await db().syncRun.findUniqueOrThrow({ where: { id: orphan.id } });
  assert.equal(old.status, "interrupted");
  assert.match(old.error!, /rita, dnsdeck process pod-x/);
  await runs.finishRun(next.id, { status: "ok", steps: [] });
});

test("the rollup worker's advisory lock: one holder at a time, taken over when the holder's connection dies", async () => {
  const other = new pg.Client({ connectionString: dbh.url });
  await other.connect();
  const r = await other.query("SELECT pg_try_advisory_lock($1::int, $2::int) AS ok", [leader.LOCK_CLASS, leader.ROLLUP_WORKER_LOCK]);
  assert.equal(r.rows[0].ok, true);
  assert.equal(await leader.isLeader(leader.ROLLUP_WORKER_LOCK, dbh.url), false, "another process holds it: skip");
  await other.end(); // that process died
  assert.equal(await leader.isLeader(leader.ROLLUP_WORKER_LOCK, dbh.url), true, "taken over on the next tick");
  assert.equal(await leader.isLeader(leader.ROLLUP_WORKER_LOCK, dbh.url), true, "and kept");
  const third = new pg.Client({ connectionString: dbh.url });
  await third.connect();
  const t = await third.query("SELECT pg_try_advisory_lock($1::int, $2::int) AS ok", [leader.LOCK_CLASS, leader.ROLLUP_WORKER_LOCK]);
  assert.equal(t.rows[0].ok, false, "while held, nobody else gets it");
  await third.end();
});
