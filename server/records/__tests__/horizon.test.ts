import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHorizon, type InstanceApps, type PublicAnswer } from "../horizon";
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
