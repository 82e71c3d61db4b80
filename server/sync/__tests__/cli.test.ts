import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { db } from "@/server/db/client";
import { resetEnvForTests } from "@/server/env";
import { cronJobName, main } from "@/server/cli";
import { renderZoneSyncMetrics } from "../metrics";
import { dropDatabase, startHarness } from "./harness";

after(dropDatabase);

async function pushgateway() {
  const got: { method: string; url: string; type: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      got.push({ method: req.method!, url: req.url!, type: String(req.headers["content-type"]), body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function sample(body: string, name: string, labels = ""): number | undefined {
  const line = body.split("\n").find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(" ")[1]) : undefined;
}

test("the CronJob run of zone-sync: exit code, run + audit rows as cronjob:<name>, metrics PUT to the Pushgateway", async () => {
  const h = await startHarness();
  const pg = await pushgateway();
  try {
    const p = h.twin.instances[0];
    Object.assign(process.env, {
      TECHNITIUM_PRIMARY_TRANSFER_ADDRESS: `${p.dnsHost}:${p.dnsPort}`,
      PUSHGATEWAY_URL: `${pg.url}/`,
      DNSDECK_TRIGGER: "cronjob",
      DNSDECK_CRONJOB_NAME: "technitium-zone-sync",
    });
    resetEnvForTests();
    const out: string[] = [];
    const code = await main(["zone-sync"], process.env, (s) => out.push(s), (s) => out.push(s));
    const text = out.join("\n");
    assert.equal(code, 0, text);
    assert.match(text, /zones sync run #\d+: OK/);
    assert.match(text, /0\.168\.192\.in-addr\.arpa\s+secondary\s+created/);

    assert.equal(pg.got.length, 1);
    const push = pg.got[0];
    assert.equal(push.method, "PUT");
    assert.equal(push.url, "/metrics/job/technitium-zone-sync");
    assert.match(push.type, /^text\/plain; version=0\.0\.4/);
    assert.equal(sample(push.body, "technitium_zone_sync_status"), 0);
    assert.equal(sample(push.body, "technitium_zone_sync_failures"), 0);
    const last = sample(push.body, "technitium_zone_sync_last_run")!;
    assert.ok(Math.abs(last - Date.now() / 1000) < 60, `last_run ${last}`);
    assert.equal(sample(push.body, "technitium_zone_count", '{instance="primary"}'), 7);
    assert.equal(sample(push.body, "technitium_zone_count", '{instance="secondary"}'), 7);
    assert.equal(sample(push.body, "technitium_zone_count", '{instance="tertiary"}'), 8, "the orphan is still counted");
    assert.match(push.body, /# TYPE technitium_zone_sync_status gauge/);

    const run = await db().syncRun.findFirst({ orderBy: { id: "desc" } });
    assert.equal(run?.trigger, "cronjob");
    assert.equal(run?.createdBy, "cronjob:technitium-zone-sync");
    const audit = await db().auditEvent.findFirst({ where: { action: "sync.zones" }, orderBy: { id: "desc" } });
    assert.equal(audit?.user, "cronjob:technitium-zone-sync");
    assert.equal(audit?.via, "cli");
    assert.equal(audit?.result, "ok");

    // a zone sync from the page or the API feeds the same alerts
    const { runSync } = await import("../service");
    const viaButton = await runSync("zones", { trigger: "button", user: "oscar", context: h.ctx });
    assert.equal(viaButton.metrics?.pushedTo, `${pg.url}/metrics/job/technitium-zone-sync`);
    assert.equal(pg.got.length, 2);
    assert.equal(sample(pg.got[1].body, "technitium_zone_sync_status"), 0);
    pg.got.splice(1);

    // a failing run: status 1, failures counted, exit code 2
    await h.twin.setFault("primary", { down: true });
    const code2 = await main(["zone-sync"], process.env, () => {}, () => {});
    assert.equal(code2, 2);
    assert.equal(sample(pg.got[1].body, "technitium_zone_sync_status"), 1);
    assert.ok(sample(pg.got[1].body, "technitium_zone_sync_failures")! >= 1);
    assert.equal(sample(pg.got[1].body, "technitium_zone_count", '{instance="primary"}'), undefined, "no count for an instance that did not answer");
  } finally {
    for (const k of ["PUSHGATEWAY_URL", "DNSDECK_TRIGGER", "DNSDECK_CRONJOB_NAME", "TECHNITIUM_PRIMARY_TRANSFER_ADDRESS"]) delete process.env[k];
    await pg.close();
    await h.stop();
  }
});

test("usage errors exit 64; the cronjob name is derived from the pod name when not given", async () => {
  const out: string[] = [];
  assert.equal(await main(["frobnicate"], {}, (s) => out.push(s), (s) => out.push(s)), 64);
  assert.match(out.join("\n"), /unknown command "frobnicate"/);
  assert.equal(await main(["zone-sync", "--force"], {}, () => {}, () => {}), 64);
  assert.equal(cronJobName({ HOSTNAME: "technitium-zone-sync-29412345-abcde" }, "zone-sync"), "technitium-zone-sync");
  assert.equal(cronJobName({ HOSTNAME: "technitium-dns-optimization-manual-x1y2z-k8s9q" }, "resolver-settings"), "technitium-dns-optimization");
});

test("metric text escapes label values and leaves out unknown counts", () => {
  const t = renderZoneSyncMetrics({ status: 1, failures: 2, lastRunUnixSeconds: 1700000000.9, zoneCounts: { primary: 7, 'we"ird': 1, down: null } });
  assert.match(t, /^technitium_zone_sync_last_run 1700000000$/m);
  assert.match(t, /^technitium_zone_count\{instance="we\\"ird"\} 1$/m);
  assert.ok(!t.includes('instance="down"'));
});
