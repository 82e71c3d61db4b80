import { test } from "node:test";
import assert from "node:assert/strict";
import { clientView, type SplitHorizonApp } from "@/server/technitium/client-view";
import { buildLanView, type LanInstanceView } from "../lan-view";
import type { HopResult } from "../run";

// The homelab's configs as the twin seeds them (reference §3.5): primary translates and protects only public names;
// the secondary translates but its rebinding list lacks viktorbarzin.me; the tertiary's LAN group has no translation.
const split = (translate: boolean): SplitHorizonApp => ({
  enableAddressTranslation: true,
  domainGroupMap: {},
  networkGroupMap: { "192.168.1.0/24": "lan" },
  groups: [{ name: "lan", enabled: true, externalToInternalTranslation: translate ? { "176.12.22.76": "10.0.20.200" } : ({} as Record<string, string>) }],
});
const rebinding = (privateDomains: string[]) => ({ enableProtection: true, bypassNetworks: [], privateNetworks: ["10.0.0.0/8", "192.168.0.0/16"], privateDomains });
const computed = (i: LanInstanceView) => ("answers" in i.lanGets ? i.lanGets.answers : null);
const hop = (data: string): HopResult => ({ hop: "Technitium", stage: "techpods", server: "10.244.1.53", rcode: "NOERROR", answers: [{ name: "immich.viktorbarzin.me", type: "A", ttl: 300, data }], ttl: 300, latencyMs: 1, cached: null, error: null, matches: true, outcome: "answer", outcomeText: "answered" });

test("client view: translation by the client's network, then rebinding protection; a domainGroupMap entry wins for everyone", () => {
  const base = { qname: "immich.viktorbarzin.me", qtype: "A", rcode: "NOERROR", answers: [{ type: "A", data: "176.12.22.76" }], authoritative: false };
  assert.deepEqual(clientView({ ...base, client: "192.168.1.1", splitHorizon: split(true), rebinding: rebinding(["viktorbarzin.me"]) }).answers, [{ type: "A", data: "10.0.20.200" }]);
  assert.deepEqual(clientView({ ...base, client: "10.244.3.7", splitHorizon: split(true), rebinding: rebinding(["viktorbarzin.me"]) }).answers, [{ type: "A", data: "176.12.22.76" }], "a pod is outside the group");
  const stripped = clientView({ ...base, client: "192.168.1.1", splitHorizon: split(true), rebinding: rebinding([]) });
  assert.deepEqual(stripped.answers, []);
  assert.match(stripped.steps.join("; "), /rebinding protection removed A 10\.0\.20\.200/);
  const byDomain = { ...split(true), domainGroupMap: { "viktorbarzin.me": "lan" } };
  assert.deepEqual(clientView({ ...base, client: "10.244.3.7", splitHorizon: byDomain, rebinding: null }).answers, [{ type: "A", data: "10.0.20.200" }]);
  const cidr = { ...split(true), groups: [{ name: "lan", enabled: true, externalToInternalTranslation: { "176.12.22.0/24": "10.0.20.0/24" } }] };
  assert.deepEqual(clientView({ ...base, client: "192.168.1.1", splitHorizon: cidr, rebinding: null }).answers, [{ type: "A", data: "10.0.20.76" }], "host bits carried over");
});

test("LAN view: per instance what dnsdeck gets, what a LAN client gets, and the query log — disagreement flagged", () => {
  const v = buildLanView({
    name: "immich.viktorbarzin.me",
    type: "A",
    network: "192.168.1.0/24",
    authoritative: false,
    hops: ["primary", "secondary", "tertiary"].map((instance) => ({ instance, hop: hop("176.12.22.76") })),
    reference: hop("176.12.22.76"),
    instances: [
      { instance: "primary", server: "technitium", splitHorizon: split(true), rebinding: rebinding(["viktorbarzin.me"]) },
      { instance: "secondary", server: "technitium-secondary", splitHorizon: split(true), rebinding: rebinding([]) },
      { instance: "tertiary", server: "technitium-tertiary", splitHorizon: split(false), rebinding: rebinding(["viktorbarzin.me"]) },
    ],
    evidence: {
      since: "2026-12-02T00:00:00.000Z",
      servers: [
        { server: "technitium", answers: [{ answer: "A 10.0.20.200", rcode: 0, count: 41, last: "2026-12-03T10:00:00.000Z" }] },
        { server: "technitium-tertiary", answers: [{ answer: "A 10.0.20.200", rcode: 0, count: 3, last: "2026-12-03T09:00:00.000Z" }] },
      ],
    },
  });
  const by = new Map(v.instances.map((i) => [i.instance, i]));
  assert.equal(v.client, "192.168.1.1");
  assert.deepEqual(by.get("primary")!.dnsdeckGets.answers, ["A 176.12.22.76"], "(a) what dnsdeck sees from the cluster");
  assert.deepEqual(computed(by.get("primary")!), ["A 10.0.20.200"], "(b) computed for the LAN");
  assert.equal(by.get("primary")!.verdict, "agrees", "(c) the log agrees");
  assert.deepEqual(computed(by.get("secondary")!), [], "rebinding strips the translated address");
  assert.equal(by.get("secondary")!.verdict, "no-evidence");
  assert.equal(by.get("tertiary")!.verdict, "disagrees", "its config says public, its log says internal");
  assert.match(by.get("tertiary")!.note!, /"A 10\.0\.20\.200" ×3 .* gives A 176\.12\.22\.76/);
});

test("LAN view without a query log or with an unreadable config says so instead of guessing", () => {
  const v = buildLanView({
    name: "idrac.viktorbarzin.lan",
    type: "A",
    network: "192.168.1.0/24",
    authoritative: true,
    hops: [{ instance: "primary", hop: hop("192.168.1.4") }],
    reference: undefined,
    instances: [
      { instance: "primary", server: "technitium", splitHorizon: split(true), rebinding: rebinding([]) },
      { instance: "secondary", splitHorizon: null, rebinding: null, configError: "secondary: timed out" },
    ],
    evidence: { error: "QUERYLOG_DATABASE_URL is not set" },
  });
  assert.equal(v.evidenceError, "QUERYLOG_DATABASE_URL is not set");
  const [p, s] = v.instances;
  assert.deepEqual(computed(p), ["A 192.168.1.4"], "authoritative answers pass rebinding protection");
  assert.equal(p.verdict, "no-evidence");
  assert.equal(s.verdict, "unknown");
  assert.match("error" in s.lanGets ? s.lanGets.error : "", /cannot read the instance's app configs: secondary: timed out/);
  assert.equal(s.dnsdeckGets.error, "not asked (no pod IP)");
});
