import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { z } from "zod";
import { freshDatabase, type TestDatabase } from "@/server/testing/db";

// Every verb in server/ is found from the tree (a new verb is covered without anyone listing it) and held to the
// rule: no minted context, no call; a role below the verb's, 403 with an audit row and nothing run.

const root = path.resolve(import.meta.dirname, "..");
function verbFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "__tests__" && e.name !== "testing") out.push(...verbFiles(p));
    } else if (/\.tsx?$/.test(e.name) && /\bverb\(\s*\{/.test(readFileSync(p, "utf8")) && p !== path.join(root, "verb.ts")) out.push(p);
  }
  return out;
}

let database: TestDatabase;
before(async () => {
  database = await freshDatabase({ prefix: "dnsdeck_verbs" });
  Object.assign(process.env, { DATABASE_URL: database.url, AUTH_MODE: "demo", TECHNITIUM_TOKEN_PRIMARY: "t", TECHNITIUM_TOKEN_SECONDARY: "t", TECHNITIUM_TOKEN_TERTIARY: "t" });
  (await import("@/server/env")).resetEnvForTests();
});
after(async () => {
  await (await import("@/server/db/client")).db().$disconnect();
  await database.drop();
});

async function allVerbs() {
  const files = verbFiles(root);
  assert.ok(files.length >= 10, `found only ${files.length} files with verbs`);
  const found: { file: string; name: string; fn: ((ctx: unknown, raw?: unknown) => Promise<unknown>) & { spec: { name: string; role: string; audit?: boolean } } }[] = [];
  for (const f of files) {
    const mod = (await import(f)) as Record<string, unknown>;
    for (const [name, v] of Object.entries(mod)) if (typeof v === "function" && "spec" in v) found.push({ file: path.relative(root, f), name, fn: v as never });
  }
  return found;
}

test("every verb refuses a hand-built context, even one claiming admin", async () => {
  const verbs = await allVerbs();
  assert.ok(verbs.length >= 25, `found ${verbs.length} verbs`);
  const forged = { identity: { user: "mallory", groups: ["dns-admins"], role: "admin", source: "headers" }, via: "route", requestId: "x" };
  for (const v of verbs) await assert.rejects(v.fn(forged, {}), (e: Error & { code?: string }) => e.code === "internal" && /without a caller context/.test(e.message), `${v.file} ${v.name}`);
});

test("every verb above viewer refuses a viewer: 403, an audit row, nothing run", async () => {
  const { testContext } = await import("@/server/auth/ctx");
  const { db } = await import("@/server/db/client");
  const viewer = testContext({ user: "victor", role: "viewer" });
  const guarded = (await allVerbs()).filter((v) => v.fn.spec.role !== "viewer");
  assert.ok(guarded.length >= 8, guarded.map((v) => v.name).join());
  for (const v of guarded) {
    await assert.rejects(v.fn(viewer, {}), (e: Error & { code?: string }) => e.code === "forbidden", v.name);
    const row = await db().auditEvent.findFirst({ where: { action: v.fn.spec.name, user: "victor" }, orderBy: { id: "desc" } });
    assert.equal(row?.result, "refused", v.name);
    assert.equal(row?.httpStatus, 403, v.name);
  }
  // every mutation is audited (a verb that changes something without audit: true would be a hole)
  const mutations = (await allVerbs()).filter((v) => v.fn.spec.role !== "viewer").map((v) => v.fn.spec.audit === true);
  assert.ok(mutations.every(Boolean), "every verb needing operator or admin is audited");
});

test("a mutation writes its intent before acting, its outcome after (partial kept as partial); NUL in input still audited", async () => {
  const { verb } = await import("@/server/verb");
  const { testContext } = await import("@/server/auth/ctx");
  const { db } = await import("@/server/db/client");
  const seen: (string | undefined)[] = [];
  const doIt = verb({ name: "test.partial", role: "operator", audit: true, input: z.object({ n: z.number() }) }, async () => {
    seen.push((await db().auditEvent.findFirst({ where: { action: "test.partial" }, orderBy: { id: "desc" } }))?.result);
    return { status: "partial" };
  }, { outcome: (r) => r.status as "partial" });
  await doIt(testContext({ user: "oscar", role: "operator" }), { n: 1, note: "a\u0000b" });
  assert.deepEqual(seen, ["pending"], "the intent row existed while the work ran");
  const row = await db().auditEvent.findFirst({ where: { action: "test.partial" }, orderBy: { id: "desc" } });
  assert.equal(row?.result, "partial");
  assert.match(JSON.stringify(row?.input), /a\\\\u0000b/);
});

test("when the intent cannot be written, nothing runs and the caller gets 503", async () => {
  const { verb } = await import("@/server/verb");
  const { testContext } = await import("@/server/auth/ctx");
  let ran = false;
  const doIt = verb({ name: "test.db-down", role: "operator", audit: true }, async () => {
    ran = true;
  });
  const g = globalThis as { __dnsdeckPrisma?: unknown };
  const saved = g.__dnsdeckPrisma;
  const url = process.env.DATABASE_URL;
  g.__dnsdeckPrisma = undefined;
  process.env.DATABASE_URL = "postgresql://postgres@127.0.0.1:1/none";
  (await import("@/server/env")).resetEnvForTests();
  try {
    await assert.rejects(doIt(testContext({ user: "oscar", role: "operator" })), (e: Error & { code?: string }) => e.code === "unavailable" && /audit trail cannot be written.*nothing was done/.test(e.message));
    assert.equal(ran, false);
  } finally {
    g.__dnsdeckPrisma = saved;
    process.env.DATABASE_URL = url;
    (await import("@/server/env")).resetEnvForTests();
  }
});

test("a flood of refusals without identity makes one row per source and reason per minute, with a count", async () => {
  const { flushRefusals, recordRefusal } = await import("@/server/audit/record");
  const { db } = await import("@/server/db/client");
  const before = await db().auditEvent.count();
  for (let i = 0; i < 20; i++) {
    await Promise.all(Array.from({ length: 50 }, () => recordRefusal({ source: "10.9.9.9", reason: "flood test", action: "whoami", via: "route", httpStatus: 401 })));
    if (i % 7 === 0) await flushRefusals(); // rows are written in batches; later batches add to the same row
  }
  await flushRefusals();
  const rows = await db().auditEvent.findMany({ where: { error: "flood test" } });
  assert.ok(rows.length <= 2, `${rows.length} rows (a minute boundary may split them in two)`);
  assert.equal(rows.reduce((n, r) => n + r.count, 0), 1000);
  assert.ok((await db().auditEvent.count()) - before <= 2);
});
