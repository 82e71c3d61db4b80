import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultStackConfig } from "@/k8s/config";
import { validateConfig } from "@/server/stack/config-store";
import { checkHorizon, type InstanceApps, type PublicAnswer } from "../horizon";
import { horizonChangeSchema, withHorizonChange } from "../horizon-fix";
import { publicDomains } from "../report";

// Split Horizon against the public answers: what a 192.168.1.x client gets from each instance for the homelab's
// non-proxied names, and the fix for each way it goes wrong (the architecture document's hairpin-NAT section).

const translation = (map: Record<string, string>) => ({
  appPreference: 40,
  enableAddressTranslation: true,
  domainGroupMap: {},
  networkGroupMap: { "192.168.1.0/24": "lan" },
  groups: [{ name: "lan", enabled: true, translateReverseLookups: false, externalToInternalTranslation: map }],
});
const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
const rebinding = (domains: string[]) => ({ enableProtection: true, bypassNetworks: [], privateNetworks: PRIVATE, privateDomains: domains });
const GOOD = translation({ "176.12.22.76": "10.0.20.200" });
const desired = { splitHorizon: GOOD, rebinding: rebinding(["home.arpa", "viktorbarzin.me"]) };
const inst = (instance: string, sh = GOOD, rb = rebinding(["home.arpa", "viktorbarzin.me"])): InstanceApps => ({ instance, splitHorizon: sh, rebinding: rb });
const a = (name: string, ip: string): PublicAnswer => ({ name, rcode: "NOERROR", answers: [{ type: "A", data: ip }] });
const proxied = (name: string): PublicAnswer => ({ name, rcode: "NOERROR", answers: [{ type: "CNAME", data: "abc.cfargotunnel.com" }, { type: "A", data: "104.16.1.1" }] });
const run = (names: PublicAnswer[], instances: InstanceApps[]) => checkHorizon({ names, instances, desired, lanNetwork: "192.168.1.0/24", source: "test" });

test("all three instances translate the public IP for the LAN: ok, and proxied names are left alone", () => {
  const r = run([a("immich.viktorbarzin.me", "176.12.22.76"), a("ha-sofia.viktorbarzin.me", "176.12.22.76"), proxied("blog.viktorbarzin.me")], [inst("primary"), inst("secondary"), inst("tertiary")]);
  assert.equal(r.verdict, "ok");
  assert.deepEqual(r.publicIps, ["176.12.22.76"]);
  assert.deepEqual(r.names.map((n) => [n.name, n.kind]), [["immich.viktorbarzin.me", "non-proxied"], ["ha-sofia.viktorbarzin.me", "non-proxied"], ["blog.viktorbarzin.me", "proxied"]]);
  assert.deepEqual(r.names[0].lan?.secondary, { answers: ["10.0.20.200"], ok: true, steps: ["Split Horizon group lan: 176.12.22.76 → 10.0.20.200"] });
  assert.equal(r.client, "192.168.1.1");
});

test("an instance without the translation, another whose rebinding protection strips the answer: each named, fixed by a Split Horizon sync", () => {
  const r = run([a("immich.viktorbarzin.me", "176.12.22.76")], [inst("primary"), inst("secondary", GOOD, rebinding(["home.arpa"])), inst("tertiary", translation({}))]);
  assert.equal(r.verdict, "problems");
  assert.deepEqual(r.problems.map((p) => [p.kind, p.instance, p.fix?.kind]), [["stripped", "secondary", "split-horizon-sync"], ["not-translated", "tertiary", "split-horizon-sync"]]);
  assert.match(r.problems[1].detail, /tertiary answers LAN clients the public address 176\.12\.22\.76 for immich\.viktorbarzin\.me/);
  assert.match(r.problems[0].detail, /viktorbarzin\.me is not in its privateDomains/);
  assert.deepEqual(r.translated, { primary: ["176.12.22.76"], secondary: ["176.12.22.76"], tertiary: [] });
});

test("the ISP changed the public IP: said once with the stack-config change to make (the sync alone cannot fix it)", () => {
  const r = run([a("immich.viktorbarzin.me", "176.12.22.99"), a("mail.viktorbarzin.me", "176.12.22.99"), proxied("blog.viktorbarzin.me")], [inst("primary"), inst("secondary"), inst("tertiary")]);
  assert.equal(r.verdict, "problems");
  assert.equal(r.problems.length, 1, JSON.stringify(r.problems));
  const p = r.problems[0];
  assert.equal(p.kind, "ip-changed");
  assert.deepEqual(p.names, ["immich.viktorbarzin.me", "mail.viktorbarzin.me"]);
  assert.match(p.detail, /now resolve to 176\.12\.22\.99 on the Internet, but the Split Horizon translation maps 176\.12\.22\.76/);
  assert.deepEqual(p.fix, {
    kind: "stack-config",
    label: "Change the translation in the stack config, then run Split Horizon sync",
    field: "technitium.splitHorizon.groups[].externalToInternalTranslation",
    suggestion: '{"176.12.22.99":"10.0.20.200"} (replacing "176.12.22.76")',
    change: { translation: { external: "176.12.22.99", internal: "10.0.20.200", replace: "176.12.22.76" } },
  });
});

test("an instance whose configs cannot be read makes the verdict unknown, not ok; no names checked is unknown too", () => {
  const r = run([a("immich.viktorbarzin.me", "176.12.22.76")], [inst("primary"), { instance: "secondary", splitHorizon: null, rebinding: null, error: "timed out after 3000 ms" }]);
  assert.equal(r.verdict, "unknown");
  assert.match(r.problems[0].detail, /secondary: its Split Horizon \/ rebinding configs cannot be read \(timed out after 3000 ms\)/);
  assert.equal(run([proxied("blog.viktorbarzin.me")], [inst("primary")]).verdict, "unknown");
});

test("public domains are rebinding protection's privateDomains less the homelab's own and special-use names", () => {
  assert.deepEqual(publicDomains(["home.arpa", "viktorbarzin.me", "viktorbarzin.lan", "corp.local", "example.org."], "viktorbarzin.lan"), ["viktorbarzin.me", "example.org"]);
});

test("the stack-config fix: the new public IP replaces the old one in the LAN's group, or the domain joins privateDomains; the result passes the save schema", () => {
  const cfg = defaultStackConfig;
  const r = withHorizonChange(cfg, { translation: { external: "176.12.22.99", internal: "10.0.20.200", replace: "176.12.22.76" } }, "192.168.1.0/24");
  assert.ok("config" in r);
  assert.deepEqual(r.config.technitium.splitHorizon.groups[0].externalToInternalTranslation, { "176.12.22.99": "10.0.20.200" });
  assert.equal(r.note, "Split Horizon: 176.12.22.99 → 10.0.20.200 (was 176.12.22.76) in group lan — from the consistency report");
  assert.doesNotThrow(() => validateConfig(r.config));
  // the original is untouched
  assert.deepEqual(cfg.technitium.splitHorizon.groups[0].externalToInternalTranslation, { "176.12.22.76": "10.0.20.200" });
  // without replace: added to the group the LAN falls in
  const added = withHorizonChange(cfg, { translation: { external: "176.12.22.99", internal: "10.0.20.200" } }, "192.168.1.0/24");
  assert.ok("config" in added);
  assert.deepEqual(Object.keys(added.config.technitium.splitHorizon.groups[0].externalToInternalTranslation), ["176.12.22.76", "176.12.22.99"]);
  // nothing serves the network, or nothing translates the address to replace: said, nothing changed
  assert.deepEqual(withHorizonChange(cfg, { translation: { external: "1.2.3.4", internal: "10.0.20.200" } }, "10.9.0.0/16"), { error: "no Split Horizon group serves 10.9.0.0/16; edit technitium.splitHorizon in the stack config by hand" });
  assert.match((withHorizonChange(cfg, { translation: { external: "1.2.3.4", internal: "10.0.20.200", replace: "9.9.9.9" } }, "192.168.1.0/24") as { error: string }).error, /no Split Horizon group translates 9\.9\.9\.9/);
  const dom = withHorizonChange(cfg, { privateDomain: "example.org" }, "192.168.1.0/24");
  assert.ok("config" in dom);
  assert.deepEqual(dom.config.technitium.rebindingProtection.privateDomains, ["home.arpa", "viktorbarzin.me", "example.org"]);
  assert.match((withHorizonChange(cfg, { privateDomain: "viktorbarzin.me" }, "192.168.1.0/24") as { error: string }).error, /already in rebinding protection's privateDomains/);
  // bad input is refused by the schema before anything is read
  assert.equal(horizonChangeSchema.safeParse({ baseRevision: null }).success, false);
  assert.equal(horizonChangeSchema.safeParse({ translation: { external: "176.12.22.999", internal: "10.0.20.200" }, baseRevision: null }).success, false);
});
