import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { defaultStackConfig } from "@/k8s/config";
import { archConfigFrom } from "@/server/architecture/stack-config";
import { parseAddressMap, query, type QueryOptions } from "@/server/dns";
import { planTrace } from "../plan";
import { runTrace, type QueryFn } from "../run";
import { traceInputSchema } from "../schemas";
import { traceName, type TraceDeps } from "../trace";
import { dnsServer, type Fixture } from "./dns-fixture";

const cfg = archConfigFrom(defaultStackConfig);
const NAME = "immich.viktorbarzin.me";
const LIVE = {
  nodeLocalDeployed: true,
  upstreamClusterIp: "10.96.99.1",
  coreDnsPods: [{ name: "coredns-a", ip: "10.244.1.10" }, { name: "coredns-b", ip: "10.244.2.10" }],
  technitiumPods: [
    { instance: "primary", primary: true, podName: "technitium-0", ip: "10.244.1.53" },
    { instance: "secondary", primary: false, podName: "technitium-secondary-0", ip: "10.244.2.53" },
  ],
};

let good: Fixture, silent: Fixture, stale: Fixture, wrong: Fixture;
before(async () => {
  good = await dnsServer("127.0.0.71", { [NAME]: { ip: "176.12.22.76", ttl: 300 } });
  silent = await dnsServer("127.0.0.72", "silent");
  stale = await dnsServer("127.0.0.73", { [NAME]: { ip: "176.12.22.76", ttl: 42 } });
  wrong = await dnsServer("127.0.0.74", { [NAME]: { ip: "6.6.6.6", ttl: 300 } });
});
after(async () => Promise.all([good, silent, stale, wrong].map((f) => f.close())));

/** Real DNS client; each stack address goes to a fixture (unlisted ones to `fallback`). */
function realQuery(routes: Record<string, Fixture>, fallback: Fixture): QueryFn {
  const host = (fx: Fixture) => `127.0.0.${fx === good ? 71 : fx === silent ? 72 : fx === stale ? 73 : 74}:${fx.port}`;
  const all = ["169.254.20.10@k8s-node1", "10.96.99.1", "10.244.1.10", "10.244.2.10", "10.0.20.1", "8.8.8.8", "1.1.1.1"];
  const map = parseAddressMap(all.map((a) => `${a}=${host(routes[a] ?? fallback)}`).join(","));
  return (o: QueryOptions) => query({ ...o, addressMap: map });
}

test("the pod → public plan follows the config: NodeLocal on the node, kube-dns-upstream, each CoreDNS pod, the forwarders", () => {
  const p = planTrace(cfg, "pod-public", NAME, "k8s-node2", LIVE);
  assert.deepEqual(p.hops.map((h) => [h.hop, h.server, h.via ?? ""]), [
    ["NodeLocal on k8s-node2", "169.254.20.10", "k8s-node2"],
    ["kube-dns-upstream 10.96.99.1", "10.96.99.1", ""],
    ["CoreDNS coredns-a", "10.244.1.10", ""],
    ["CoreDNS coredns-b", "10.244.2.10", ""],
    ["pfSense dnsmasq 10.0.20.1", "10.0.20.1", ""],
    ["forwarder 8.8.8.8", "8.8.8.8", ""],
    ["forwarder 1.1.1.1", "1.1.1.1", ""],
  ]);
  assert.equal(p.hops[p.reference].server, "1.1.1.1");
  const noNl = planTrace(cfg, "pod-public", NAME, "k8s-node2", { ...LIVE, nodeLocalDeployed: false });
  assert.equal(noNl.hops[0].server, "10.96.0.10");
  assert.equal(noNl.hops[0].via, undefined);
});

test("a hop that does not answer times out after the bounded wait and the trace goes on", async () => {
  const plan = planTrace(cfg, "pod-public", NAME, "k8s-node1", LIVE);
  const q = realQuery({ "10.244.1.10": silent, "10.244.2.10": stale, "8.8.8.8": wrong }, good);
  const t0 = performance.now();
  const r = await runTrace(plan, { query: q, timeoutMs: 400 });
  const took = performance.now() - t0;
  assert.ok(took < 400 + 1500, `took ${took} ms`);
  const by = new Map(r.hops.map((h) => [h.server, h]));
  const dead = by.get("10.244.1.10")!;
  assert.equal(dead.errorKind, "timeout");
  assert.match(dead.error!, /did not answer within 400 ms/);
  assert.ok(dead.latencyMs! >= 390 && dead.latencyMs! < 1000);
  assert.equal(silent.received >= 1, true);
  // the hops after the silent one were still asked
  assert.equal(by.get("10.244.2.10")!.rcode, "NOERROR");
  assert.equal(by.get("10.244.2.10")!.cached, true); // TTL 42 < authoritative 300
  assert.equal(by.get("1.1.1.1")!.cached, false);
  assert.equal(by.get("8.8.8.8")!.matches, false);
  assert.deepEqual(by.get("1.1.1.1")!.answers.map((a) => a.data), ["176.12.22.76"]);
  assert.equal(r.firstBadHop?.hop, "CoreDNS coredns-a");
  assert.match(r.firstBadHop!.reason, /no answer within 400 ms/);
});

test("a LAN trace asks every hop from dnsdeck's own address (no ECS) and compares with the untranslated answer", async () => {
  const plan = planTrace(cfg, "lan", NAME, undefined, LIVE);
  assert.equal(plan.lanNetwork, "192.168.1.0/24");
  const sent: QueryOptions[] = [];
  const publicAnswer: QueryFn = async (o) => {
    sent.push(o);
    return { rcode: "NOERROR", answers: [{ name: NAME, type: "A", ttl: 300, data: "176.12.22.76" }], authority: [], additional: [], flags: { aa: false, tc: false, rd: true, ra: true }, latencyMs: 1, transport: "udp", server: `${o.server}:53`, sentTo: "stub" };
  };
  const r = await runTrace(plan, { query: publicAnswer });
  assert.ok(sent.every((o) => o.ecs === undefined), "no EDNS Client Subnet: Technitium would ignore it");
  assert.equal(r.firstBadHop, undefined);
  assert.deepEqual(r.expected?.answers, ["A 176.12.22.76"], "what dnsdeck can see, not a translation it cannot observe");
});

test("bad input is refused with a message and nothing is sent", async () => {
  const bad = [
    { name: "not a name!", clientClass: "lan" },
    { name: "a..b", clientClass: "lan" },
    { name: `${"x".repeat(64)}.com`, clientClass: "lan" },
    { name: "github.com", clientClass: "toaster" },
  ];
  for (const b of bad) assert.equal(traceInputSchema.safeParse(b).success, false, JSON.stringify(b));
  const msg = traceInputSchema.safeParse({ name: "github.com", clientClass: "toaster" });
  assert.match(JSON.stringify(msg.error?.issues), /unknown client class; use one of pod-internal/);

  let sent = 0;
  const deps: TraceDeps = {
    config: async () => cfg,
    nodes: async () => ({ ok: true, value: ["k8s-master", "k8s-node1"] }),
    addresses: async () => LIVE,
    query: async () => {
      sent++;
      throw new Error("must not be called");
    },
  };
  await assert.rejects(traceName(traceInputSchema.parse({ name: "github.com", clientClass: "pod-public", node: "k8s-node9" }), deps), (e: Error & { code?: string }) => {
    assert.equal(e.code, "bad_request");
    assert.match(e.message, /unknown node "k8s-node9"; nodes: k8s-master, k8s-node1/);
    return true;
  });
  assert.equal(sent, 0);
});

test("a pod trace without a node uses the first node; a hop outside the address map is not sent", async () => {
  const asked: string[] = [];
  const deps: TraceDeps = {
    config: async () => cfg,
    nodes: async () => ({ ok: true, value: ["k8s-master", "k8s-node1"] }),
    addresses: async () => LIVE,
    query: async (o) => {
      asked.push(o.server);
      throw Object.assign(new Error("x did not answer"), { kind: "timeout" });
    },
    mayQuery: (h) => (h.server === "8.8.8.8" ? "no map entry" : null),
    timeoutMs: 10,
  };
  const r = await traceName(traceInputSchema.parse({ name: "github.com", clientClass: "pod-public" }), deps);
  assert.equal(r.node, "k8s-master");
  assert.ok(!asked.includes("8.8.8.8"));
  assert.equal(r.hops.find((h) => h.server === "8.8.8.8")!.errorKind, "skipped");
});

/** A fake DNS estate: every stack address answers the authoritative record except the listed silent/wrong ones. */
function fakeEstate(silentAt: string[], wrongAt: string[] = []): QueryFn {
  return async (o) => {
    const at = `${o.server}${o.via ? `@${o.via}` : ""}`;
    if (silentAt.includes(at)) throw Object.assign(new Error("timeout"), { kind: "timeout" });
    const data = wrongAt.includes(at) ? "6.6.6.6" : "10.0.20.10";
    return { rcode: "NOERROR", answers: [{ name: o.name, type: "A", ttl: 300, data, class: "IN" }], authority: [], additional: [], flags: { aa: true, tc: false, rd: true, ra: true }, latencyMs: 1, transport: "udp", server: at, sentTo: at } as never;
  };
}

test("the headline names the root cause: with the Technitium ClusterIP silent, the ClusterIP, not NodeLocal before it", async () => {
  const plan = planTrace(cfg, "pod-internal", "idrac.viktorbarzin.lan", "k8s-master", LIVE);
  // NodeLocal forwards the internal zone to the ClusterIP, so it goes silent with it
  const silentChain = [cfg.technitiumClusterIp, "169.254.20.10@k8s-master"];
  const r = await runTrace(plan, { query: fakeEstate(silentChain), timeoutMs: 50 });
  assert.equal(r.firstBadHop?.hop, "NodeLocal on k8s-master"); // the first wrong hop is only a symptom
  assert.ok(r.rootCause, "a root cause");
  assert.equal(r.hops[r.rootCause.index].server, cfg.technitiumClusterIp);
  assert.match(r.rootCause.reason, /no answer within 50 ms/);
  assert.deepEqual(r.rootCause.symptoms.map((s) => s.hop), ["NodeLocal on k8s-master"]);
  assert.deepEqual(r.rootCause.also, []);
  // a stale replica beside the silent ClusterIP is a root of its own, listed under "also", not the headline
  const r2 = await runTrace(plan, { query: fakeEstate(silentChain, ["10.244.2.53"]), timeoutMs: 50 });
  assert.equal(r2.hops[r2.rootCause!.index].server, cfg.technitiumClusterIp);
  assert.deepEqual(r2.rootCause!.also.map((s) => s.hop), ["Technitium secondary (technitium-secondary-0)"]);
});

test("NodeLocal silent on one node is its own root cause when the hops behind it answer", async () => {
  const plan = planTrace(cfg, "pod-public", NAME, "k8s-node2", LIVE);
  const r = await runTrace(plan, { query: fakeEstate(["169.254.20.10@k8s-node2"]), timeoutMs: 50 });
  assert.equal(r.rootCause?.hop, "NodeLocal on k8s-node2");
  assert.deepEqual(r.rootCause?.symptoms, []);
  const ok = await runTrace(plan, { query: fakeEstate([]), timeoutMs: 50 });
  assert.equal(ok.rootCause, undefined);
});
