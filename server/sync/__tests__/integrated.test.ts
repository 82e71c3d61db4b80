// The whole homelab twin (twin/main.ts: Kubernetes API + Technitium + DNS chain) with dnsdeck's production wiring:
// instance DNS addresses from the Technitium pods' IPs, the transfer address from the technitium-primary Service,
// DNS_ADDRESS_MAP from the twin. Skipped when twin/main.ts is not present.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { resetEnvForTests } from "@/server/env";
import { freshDatabase, type TestDatabase } from "@/server/testing/db";

const twinMain = path.resolve(import.meta.dirname, "../../../twin/main.ts");
const present = existsSync(twinMain);
let twin: { appEnv: Record<string, string>; stop(): Promise<void> } | undefined;
let dir = "";
let database: TestDatabase | undefined;

before(async () => {
  if (!present) return;
  dir = mkdtempSync(path.join(os.tmpdir(), "dnsdeck-int-"));
  const mod = await import(twinMain);
  twin = await mod.startTwin({ stateDir: dir, speed: 8 });
  database = await freshDatabase({ prefix: "dnsdeck_sync_int" });
  Object.assign(process.env, { NODE_ENV: "test", AUTH_MODE: "demo", DATABASE_URL: database.url, ...twin!.appEnv });
  resetEnvForTests();
});
after(async () => {
  if (!present) return;
  const { db } = await import("@/server/db/client");
  await db().$disconnect();
  await database?.drop();
  await twin?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("production wiring on the whole twin: zone sync converges and the status agrees over the API and over DNS", { skip: !present && "twin/main.ts not present" }, async () => {
  const { runSync } = await import("../service");
  const { technitiumStatus } = await import("@/server/technitium/status");
  const { productionContext } = await import("../context");
  const ctx = productionContext();
  const addr = await ctx.dnsAddress("primary");
  assert.ok(addr && /^10\./.test(addr.server) && addr.port === 53, JSON.stringify(addr));
  const transfer = await ctx.primaryTransferAddresses();
  assert.match(transfer[0] ?? "", /^10\.\d+\.\d+\.\d+$/, "the technitium-primary Service's ClusterIP");

  const run = await runSync("zones", { trigger: "api", user: "int", waitTimeoutMs: 15_000 });
  assert.equal(run.status, "ok", `${run.summary}\n${run.error}`);
  await runSync("split-horizon", { trigger: "api", user: "int" });
  await runSync("resolver-settings", { trigger: "api", user: "int", waitTimeoutMs: 15_000 });
  const s = await technitiumStatus();
  const lan = s.zones.find((z) => z.zone === "viktorbarzin.lan")!;
  for (const n of ["primary", "secondary", "tertiary"]) assert.equal(lan.perInstance[n].dnsSerial, lan.primarySerial, `${n} over DNS: ${JSON.stringify(lan)}`);
});
