import assert from "node:assert/strict";
import { after, test } from "node:test";
import { runSync } from "@/server/sync/service";
import { dropDatabase, startHarness } from "@/server/sync/__tests__/harness";
import { stripSecrets } from "../client";
import { technitiumStatus } from "../status";

after(dropDatabase);

test("convergence view: per-zone verdicts from the API and from SOA over DNS, disagreements named; converged after the syncs", async () => {
  const h = await startHarness();
  try {
    const s = await technitiumStatus({ context: h.ctx });
    assert.equal(s.instances.length, 3);
    assert.ok(s.instances.every((i) => i.up && i.version === "15.2"));
    assert.equal(s.converged, false);
    const lan = s.zones.find((z) => z.zone === "viktorbarzin.lan")!;
    assert.equal(lan.converged, false);
    assert.ok(lan.reasons.some((r) => /secondary API serial 2026111405 ≠ primary 2026111901/.test(r)), lan.reasons.join(" | "));
    assert.equal(lan.perInstance.primary.dnsSerial, 2026111901, "serial asked over DNS");
    assert.equal(lan.perInstance.secondary.dnsSerial, 2026111405);
    const missing = s.zones.find((z) => z.zone === "0.168.192.in-addr.arpa")!;
    assert.ok(missing.reasons.includes("missing on secondary"));
    const orphan = s.zones.find((z) => z.zone === "30.0.10.in-addr.arpa")!;
    assert.ok(orphan.reasons.some((r) => r.startsWith("not on the primary")));
    assert.ok(s.disagreements.some((d) => /tertiary Split Horizon differs/.test(d)));
    assert.ok(s.disagreements.some((d) => /secondary DNS Rebinding Protection differs/.test(d)));
    assert.ok(s.disagreements.some((d) => /zone counts differ/.test(d)));
    assert.ok(!s.disagreements.some((d) => /tertiary DNS Rebinding Protection/.test(d)), "a comment is not drift");
    assert.ok(s.disagreements.includes("stub zone emrsn.org missing on secondary (Apply resolver settings creates it)"), s.disagreements.join(" | "));

    await runSync("zones", { trigger: "api", user: "t", context: h.ctx, removeOrphans: true, waitTimeoutMs: 8000 });
    await runSync("split-horizon", { trigger: "api", user: "t", context: h.ctx });
    await runSync("resolver-settings", { trigger: "api", user: "t", context: h.ctx });
    const after2 = await technitiumStatus({ context: h.ctx });
    assert.deepEqual(after2.disagreements, []);
    assert.ok(after2.converged && after2.zones.every((z) => z.converged));
  } finally {
    await h.stop();
  }
});

test("a down instance is shown down with its reason and every zone names it", async () => {
  const h = await startHarness();
  try {
    await h.twin.setFault("tertiary", { down: true });
    const s = await technitiumStatus({ context: h.ctx });
    const t = s.instances.find((i) => i.name === "tertiary")!;
    assert.equal(t.up, false);
    assert.match(t.error ?? "", /tertiary: cannot reach/);
    assert.ok(s.zones.find((z) => z.zone === "viktorbarzin.lan")!.reasons.includes("tertiary is down"));
  } finally {
    await h.stop();
  }
});

test("settings secrets never leave the server", () => {
  const s = stripSecrets({ tsigKeys: [{ keyName: "k", sharedSecret: "c2VjcmV0", algorithmName: "hmac-sha256" }], proxy: { address: "p", password: "pw" }, webServiceTlsCertificatePassword: "x", cacheMinimumRecordTtl: 60 });
  const text = JSON.stringify(s);
  assert.ok(!text.includes("c2VjcmV0") && !text.includes('"pw"') && !text.includes('"x"'), text);
  assert.match(text, /"keyName":"k"/);
  assert.equal((s as { cacheMinimumRecordTtl: number }).cacheMinimumRecordTtl, 60);
});
