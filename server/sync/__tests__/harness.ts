// Test support: the Technitium twin + a throw-away dnsdeck database + a SyncContext pointing at both.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defaultStackConfig, type StackConfig } from "@/k8s/config";
import { resetEnvForTests } from "@/server/env";
import { TechnitiumApi, TechnitiumClient } from "@/server/technitium/client";
import { freshDatabase, type TestDatabase } from "@/server/testing/db";
import { startTechnitiumTwin, type TechnitiumTwin } from "@/twin/technitium/index";
import type { SyncContext } from "../context";

export interface Harness {
  twin: TechnitiumTwin;
  ctx: SyncContext;
  apis: TechnitiumApi[];
  /** Every API path called, per instance, in order. */
  calls: Record<string, string[]>;
  setDesired(t: StackConfig["technitium"]): void;
  stop(): Promise<void>;
}

let database: TestDatabase | undefined;

/** One database per test file (db() keeps one client per process). */
export async function sharedDatabase(): Promise<TestDatabase> {
  if (database) return database;
  database = await freshDatabase({ prefix: "dnsdeck_sync" });
  return database;
}

export async function dropDatabase(): Promise<void> {
  if (!database) return;
  const { db } = await import("@/server/db/client");
  await db().$disconnect();
  await database.drop();
  database = undefined;
}

export async function startHarness(opts: { transferDelayMs?: number } = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dnsdeck-sync-"));
  const twin = await startTechnitiumTwin({ stateDir: dir, transferDelayMs: opts.transferDelayMs ?? 50, retryMs: 300 });
  const db = await sharedDatabase();
  Object.assign(process.env, {
    NODE_ENV: "test",
    AUTH_MODE: "demo",
    DATABASE_URL: db.url,
    TECHNITIUM_INSTANCES: twin.instances.map((i) => `${i.name}=${i.url}`).join(","),
    ...Object.fromEntries(twin.instances.map((i) => [`TECHNITIUM_TOKEN_${i.name.toUpperCase()}`, i.token])),
  });
  resetEnvForTests();
  const calls: Record<string, string[]> = {};
  const apis = twin.instances.map((i, idx) => {
    const client = new TechnitiumClient({ name: i.name, url: i.url, primary: idx === 0 }, i.token, 1500);
    const orig = client.call.bind(client);
    calls[i.name] = [];
    client.call = ((p: string, params?: Record<string, string | number | boolean | undefined>, o?: Parameters<typeof orig>[2]) => {
      calls[i.name].push(p);
      return orig(p, params, o);
    }) as typeof client.call;
    return new TechnitiumApi(client);
  });
  let desired = structuredClone(defaultStackConfig.technitium);
  const primary = twin.instances[0];
  const ctx: SyncContext = {
    apis,
    async dnsAddress(name) {
      const i = twin.instances.find((x) => x.name === name);
      return i ? { server: i.dnsHost, port: i.dnsPort } : null;
    },
    async primaryTransferAddresses() {
      return [`${primary.dnsHost}:${primary.dnsPort}`];
    },
    async desired() {
      return desired;
    },
  };
  return {
    twin,
    ctx,
    apis,
    calls,
    setDesired(t) {
      desired = t;
    },
    async stop() {
      await twin.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function zoneMap(zones: { name: string; type: string; soaSerial?: number; internal?: boolean }[]) {
  return Object.fromEntries(zones.filter((z) => !z.internal).map((z) => [z.name, `${z.type}:${z.soaSerial}`]));
}
