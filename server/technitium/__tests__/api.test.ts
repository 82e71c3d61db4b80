import assert from "node:assert/strict";
import { after, test } from "node:test";
import { dropDatabase, startHarness } from "@/server/sync/__tests__/harness";
import { technitiumStatus } from "../status";

after(dropDatabase);

test("typed helpers on the twin: version detection, zones, apps, settings without secrets; status JSON leaks no secret", async () => {
  const h = await startHarness();
  try {
    const [p, s] = h.apis;
    const v = await p.version();
    assert.equal(v.version, "15.2");
    assert.equal(v.major, 15);
    assert.equal(v.dnsServerDomain, "technitium");
    const zones = await p.listZones();
    assert.ok(zones.some((z) => z.name === "viktorbarzin.lan" && z.type === "Primary" && typeof z.soaSerial === "number"));
    assert.ok(zones.some((z) => z.internal === true), "internal zones are listed (and filtered by the sync)");
    assert.equal(await p.appNameFor("SplitHorizon.AddressTranslation"), "Split Horizon");
    assert.equal(await p.appNameFor("DnsRebindingProtection.App"), "DNS Rebinding Protection");
    const settings = JSON.stringify(await s.getSettings());
    assert.ok(!settings.includes("proxy-secret-do-not-leak"), "proxy password stripped");
    assert.ok(!settings.includes("c2VjcmV0LXRzaWcta2V5LWRvLW5vdC1sZWFr"), "TSIG secret stripped");
    assert.match(settings, /zone-sync-key/, "key names stay visible");
    const status = JSON.stringify(await technitiumStatus({ context: h.ctx }));
    for (const secret of ["proxy-secret-do-not-leak", "c2VjcmV0LXRzaWcta2V5LWRvLW5vdC1sZWFr", "seed-password-not-secret", ...h.twin.instances.map((i) => i.token)])
      assert.ok(!status.includes(secret), `status leaks ${secret.slice(0, 8)}…`);
  } finally {
    await h.stop();
  }
});

test("an invalid token and a down instance: errors name the instance and never contain the token", async () => {
  const h = await startHarness();
  try {
    await h.twin.setFault("secondary", { tokenInvalid: true });
    await assert.rejects(h.apis[1].listZones(), (e: Error) => {
      assert.match(e.message, /^secondary: the API token was refused/);
      assert.ok(!e.message.includes(h.twin.instances[1].token));
      return true;
    });
    await h.twin.setFault("tertiary", { down: true });
    await assert.rejects(h.apis[2].version({ timeoutMs: 500 }), (e: Error) => /^tertiary: cannot reach/.test(e.message));
  } finally {
    await h.stop();
  }
});
