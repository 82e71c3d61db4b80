import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import * as dnsPacket from "dns-packet";
import { query, DnsTimeoutError, parseAddressMap, mapDestination, type AddressMap } from "../../../server/dns/index";
import { SEED_COREFILE, SEED_NODELOCAL_COREFILE } from "../index";
import { staticSnapshot } from "../cluster";
import { startChain, from } from "./helpers";

let chain: Awaited<ReturnType<typeof startChain>>;
let map: AddressMap;
const ask = (name: string, server: string, o: { type?: string; via?: string; ecs?: string; timeoutMs?: number; source?: string } = {}) =>
  query({ name, type: o.type ?? "A", server, via: o.via, ecs: o.ecs, addressMap: map, timeoutMs: o.timeoutMs ?? 3000, localAddress: o.source ? from(o.source) : undefined });

/** Poll until `fn` holds (bounded): reloads and TTLs are observed, never waited for with a fixed sleep. */
async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const reloads = (before: number) => until("the Corefile reload", () => chain.dns.status().corefileVersion > before);
const nodeLocalReloads = (before: number) => until("the NodeLocal Corefile reload", () => chain.dns.status().nodeLocalVersion > before);

/** A raw dns-packet query over UDP (independent of the production codec). */
function rawUdp(name: string, type: string, server: string, via?: string): Promise<dnsPacket.Packet> {
  const dest = [...map.exact.entries()].find(([k]) => k === `${server}@${via}`)?.[1] ?? { host: server.replace(/^10\./, "127."), port: chain.dns.port };
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket("udp4");
    const t = setTimeout(() => (s.close(), reject(new Error("timeout"))), 3000);
    s.on("message", (m) => {
      clearTimeout(t);
      s.close();
      resolve(dnsPacket.decode(m));
    });
    s.send(dnsPacket.encode({ id: 4242, type: "query", flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as "A", class: "IN" }] }), dest.port ?? chain.dns.port, dest.host);
  });
}

before(async () => {
  chain = await startChain();
  map = parseAddressMap(chain.dns.addressMap);
});
after(async () => {
  await chain?.stop();
});

test("the address map covers cluster IPs by CIDR and NodeLocal per node", () => {
  const m = chain.dns.addressMap;
  assert.match(m, new RegExp(`^10\\.0\\.0\\.0/8=127\\.0\\.0\\.0/8:${chain.dns.port}`));
  assert.match(m, /169\.254\.20\.10@k8s-node1=127\.254\.20\.2:/);
  assert.match(m, /1\.1\.1\.1=127\.255\.1\.1:/);
  const inst = chain.tech.instances[0];
  assert.deepEqual(mapDestination(map, { address: inst.dnsHost, port: inst.dnsPort }), { host: inst.dnsHost, port: inst.dnsPort, rule: "127.0.0.0/8=127.0.0.0/8" }, "loopback is left alone");
  assert.equal(mapDestination(map, { address: "203.0.113.9" }).host, "127.255.255.254", "public addresses never leave loopback");
  const hops = chain.dns.hops().map((h) => h.hop);
  for (const h of ["kube-dns", "technitium-internal", "technitium-lb", "pfsense", "upstream", "nodelocal:k8s-node1"]) assert.ok(hops.includes(h), h);
});

test("the viktorbarzin.lan template answers NXDOMAIN for 2+ labels and lets single labels through to Technitium", async () => {
  const junk = await ask("www.cloudflare.com.viktorbarzin.lan", "10.96.0.10");
  assert.equal(junk.rcode, "NXDOMAIN");
  assert.deepEqual(junk.answers, []);
  const raw = await rawUdp("a.b.viktorbarzin.lan", "AAAA", "10.244.2.10");
  assert.equal((raw as { rcode?: string }).rcode, "NXDOMAIN", "raw dns-packet client agrees");
  const ok = await ask("idrac.viktorbarzin.lan", "10.96.0.10");
  assert.equal(ok.rcode, "NOERROR");
  assert.deepEqual(ok.answers.map((a) => a.data), ["192.168.1.4"]);
  assert.equal(ok.sentTo, `127.96.0.10:${chain.dns.port}`);
  assert.equal(ok.server, "10.96.0.10:53");
});

test("CoreDNS caches count TTLs down (and cap them at the Corefile's success TTL)", async () => {
  const first = await ask("github.com", "10.244.1.10");
  assert.equal(first.answers[0].data, "140.82.121.3");
  assert.equal(first.answers[0].ttl, 60);
  const second = await until("the cached TTL to count down", async () => {
    const r = await ask("github.com", "10.244.1.10");
    return r.answers[0].ttl < 60 && r;
  });
  assert.ok(second.answers[0].ttl >= 55, `TTL counted down by the clock, not reset: ${second.answers[0].ttl}`);
  assert.equal(second.flags.aa, true, "plugin/cache marks every reply it builds authoritative");
  const lan = await ask("proxmox.viktorbarzin.lan", "10.244.3.10");
  assert.equal(lan.answers[0].ttl, 300, "3600 s record capped by `success 10000 300`");
});

test("Split Horizon follows the packet's source: a LAN client gets the internal address, ECS changes nothing", async () => {
  const primary = chain.tech.instances[0];
  const direct = parseAddressMap("");
  const at = (i: number, source?: string, ecs?: string) => {
    const t = chain.tech.instances[i];
    return query({ name: "immich.viktorbarzin.me", type: "A", server: t.dnsHost, port: t.dnsPort, ecs, addressMap: direct, localAddress: source ? from(source) : undefined });
  };
  assert.equal(primary.name, "primary");
  assert.deepEqual((await at(0, "192.168.1.10")).answers.map((a) => a.data), ["10.0.20.200"], "from 192.168.1.10");
  assert.deepEqual((await at(0, "10.0.10.5")).answers.map((a) => a.data), ["176.12.22.76"], "from the management VLAN");
  assert.deepEqual((await at(0, undefined, "192.168.1.0/24")).answers.map((a) => a.data), ["176.12.22.76"], "ECS claiming the LAN is ignored, as Technitium's app does");
  // through the LoadBalancer (ETP Local keeps the LAN address) an instance that translates answers the internal
  // address (the LB picks any of the three; only the primary both translates and keeps it); a pod asks via CoreDNS,
  // whose forward comes from the CoreDNS pod's IP: public
  await until("the primary behind the LB", async () => (await ask("immich.viktorbarzin.me", "10.0.20.201", { source: "192.168.1.10" })).answers[0]?.data === "10.0.20.200");
  const pod = await ask("immich.viktorbarzin.me", "10.96.0.10", { source: "10.244.2.7" });
  assert.deepEqual(pod.answers.map((a) => a.data), ["176.12.22.76"]);
  // the secondary's rebinding config lacks viktorbarzin.me: the translated private address is stripped
  const stripped = await at(1, "192.168.1.10");
  assert.equal(stripped.rcode, "NOERROR");
  assert.deepEqual(stripped.answers, []);
});

test("truncated UDP answers are retried over TCP", async () => {
  const r = await ask("big.viktorbarzin.me", "8.8.8.8", { type: "TXT" });
  assert.equal(r.transport, "tcp");
  assert.equal(r.answers.length, 1);
  assert.match(r.answers[0].data, /^"chunk-0-x+" .*"chunk-11-x+"$/, "all 12 character-strings of the TXT record arrive");
});

test("a Corefile change applies after the reload delay; a broken one keeps the old config", async () => {
  const broadened = SEED_COREFILE.replace('match ".*\\..*\\.viktorbarzin\\.lan\\.$"', 'match ".*\\.viktorbarzin\\.lan\\.$"');
  assert.notEqual(broadened, SEED_COREFILE);
  const v0 = chain.dns.status().corefileVersion;
  chain.dns.setCluster({ corefile: broadened });
  const soon = await ask("truenas.viktorbarzin.lan", "10.96.0.10");
  assert.equal(soon.rcode, "NOERROR", "not reloaded yet");
  await reloads(v0);
  const later = await ask("truenas.viktorbarzin.lan", "10.96.0.10");
  assert.equal(later.rcode, "NXDOMAIN", "the new template now matches single labels too");
  chain.dns.setCluster({ corefile: broadened.replace("forward . 10.96.0.53 {", "forward . 10.96.0.53 {{") + "\n}" });
  await until("the reload error", () => /reload failed/.test(chain.dns.status().lastReloadError ?? ""));
  assert.equal((await ask("nas.viktorbarzin.lan", "10.96.0.10")).rcode, "NXDOMAIN", "old (broadened) config still serves");
  const v1 = chain.dns.status().corefileVersion;
  chain.dns.setCluster({ corefile: SEED_COREFILE });
  await reloads(v1);
  assert.equal((await ask("nas.viktorbarzin.lan", "10.96.0.10")).rcode, "NOERROR");
});

test("NodeLocal answers on 169.254.20.10 only on nodes with a Ready pod; `.` to the node resolver bypasses CoreDNS", async () => {
  const base = staticSnapshot();
  const upstreamSvc = { name: "kube-dns-upstream", namespace: "kube-system", clusterIP: "10.110.12.34", type: "ClusterIP", loadBalancerIPs: [], selector: { "k8s-app": "kube-dns" }, ports: [53] };
  const n0 = chain.dns.status().nodeLocalVersion;
  chain.dns.setCluster({
    services: [...base.services, upstreamSvc],
    nodeLocalPods: [{ name: "node-local-dns-abcde", node: "k8s-node1", ready: true, ip: "10.0.20.101" }],
    nodeLocalCorefile: SEED_NODELOCAL_COREFILE,
  });
  await nodeLocalReloads(n0);
  const nl = await ask("github.com", "169.254.20.10", { via: "k8s-node1" });
  assert.equal(nl.answers[0].data, "140.82.121.3");
  assert.equal(nl.answers[0].ttl, 30, "NodeLocal's `cache 30` caps the TTL");
  const intercepted = await ask("github.com", "10.96.0.10", { via: "k8s-node1" });
  assert.ok(intercepted.answers[0].ttl <= 30, "10.96.0.10 on that node is intercepted by NodeLocal");
  await assert.rejects(ask("github.com", "169.254.20.10", { via: "k8s-node2", timeoutMs: 400 }), DnsTimeoutError);
  const fallback = await ask("github.com", "10.96.0.10", { via: "k8s-node2" });
  assert.ok(fallback.answers[0].ttl > 30, "without NodeLocal, 10.96.0.10 goes to CoreDNS via kube-proxy");

  // CoreDNS down: google.com (not cached) fails through NodeLocal's `.` → kube-dns-upstream …
  chain.dns.setFault("coredns", { drop: true });
  try {
    const failed = await ask("www.google.com", "169.254.20.10", { via: "k8s-node1", timeoutMs: 2500 }).catch((e) => e);
    assert.ok(failed instanceof DnsTimeoutError || failed.rcode === "SERVFAIL", "via CoreDNS it fails");
    // … but with `.` forwarded to __PILLAR__UPSTREAM__SERVERS__ the node resolver (pfSense) answers, bypassing CoreDNS
    const n1 = chain.dns.status().nodeLocalVersion;
    chain.dns.setCluster({ nodeLocalCorefile: SEED_NODELOCAL_COREFILE.replace(/(\.:53 \{[\s\S]*?forward \. )__PILLAR__CLUSTER__DNS__/, "$1__PILLAR__UPSTREAM__SERVERS__") });
    await nodeLocalReloads(n1);
    const bypass = await ask("google.com", "169.254.20.10", { via: "k8s-node1" });
    assert.equal(bypass.answers[0].data, "142.250.185.78");
  } finally {
    chain.dns.setFault("coredns", null);
  }
});

test("a hop dropping packets makes the client time out; a delay shows in the latency", async () => {
  chain.dns.setFault("technitium-internal", { drop: true });
  const t0 = Date.now();
  await assert.rejects(ask("idrac.viktorbarzin.lan", "10.96.0.53", { timeoutMs: 500 }), (e: DnsTimeoutError) => e instanceof DnsTimeoutError && e.timeoutMs === 500);
  assert.ok(Date.now() - t0 < 1500, "bounded wait");
  chain.dns.setFault("technitium-internal", null);
  assert.equal((await ask("idrac.viktorbarzin.lan", "10.96.0.53")).rcode, "NOERROR");
  chain.dns.setFault("upstream", { delayMs: 250 });
  const slow = await ask("example.com", "1.1.1.1");
  assert.ok(slow.latencyMs >= 240, `latency ${slow.latencyMs}`);
  chain.dns.setFault("upstream", null);
});

/** Expire a cached entry with every upstream silent, then ask: the two serve_stale modes CoreDNS documents. */
async function staleCase(mode: "" | " verify") {
  const v = chain.dns.status().corefileVersion;
  chain.dns.setCluster({ corefile: SEED_COREFILE.replace("success 10000 300 6", "success 10000 1 0").replace(/serve_stale 86400s/g, `serve_stale 86400s${mode}`) });
  await reloads(v);
  const fresh = await ask("cloudflare.com", "10.244.1.10");
  assert.equal(fresh.answers[0].ttl, 1);
  chain.dns.setFault("pfsense", { drop: true });
  chain.dns.setFault("upstream", { drop: true });
}
async function staleEnd() {
  chain.dns.setFault("pfsense", null);
  chain.dns.setFault("upstream", null);
  const v = chain.dns.status().corefileVersion;
  chain.dns.setCluster({ corefile: SEED_COREFILE });
  await reloads(v);
}

test("serve_stale (default, immediate): during an upstream outage the stale answer comes at once with TTL 0", async () => {
  await staleCase("");
  try {
    // every ask must answer within 500 ms (a forward would wait 700 ms per target): first the fresh entry, then,
    // once it has expired, the stale one
    const stale = await until("the stale answer", async () => {
      const r = await ask("cloudflare.com", "10.244.1.10", { timeoutMs: 500 });
      return r.answers[0]?.ttl === 0 && r;
    });
    assert.equal(stale.rcode, "NOERROR");
    assert.equal(stale.answers[0].data, "104.16.132.229");
    assert.equal(stale.answers[0].ttl, 0);
    // the background refresh keeps failing; when the upstream is back, a refresh replaces the stale entry
    chain.dns.setFault("pfsense", null);
    chain.dns.setFault("upstream", null);
    await until("the background refresh", async () => (await ask("cloudflare.com", "10.244.1.10")).answers[0].ttl === 1);
  } finally {
    await staleEnd();
  }
});

test("serve_stale … verify: the upstream is tried first, so the stale answer waits for the forward timeouts", async () => {
  await staleCase(" verify");
  try {
    // fresh answers come at once; once the entry has expired the upstream is tried first and a 500 ms deadline passes
    await until("the entry to expire", () => ask("cloudflare.com", "10.244.1.10", { timeoutMs: 500 }).then(() => false, (e) => e instanceof DnsTimeoutError));
    const stale = await ask("cloudflare.com", "10.244.1.10", { timeoutMs: 4000 });
    assert.equal(stale.answers[0].ttl, 0);
    assert.equal(stale.answers[0].data, "104.16.132.229");
  } finally {
    await staleEnd();
  }
});

test("faults from the text form (env / demo panel) reach the hops and the Technitium instances", async () => {
  const { applyFaultSpec, parseFaultSpec } = await import("../faults");
  assert.throws(() => parseFaultSpec("dns/kube-dns=explode"), /drop, delay/);
  assert.throws(() => parseFaultSpec("technitium/quaternary=down"), /no Technitium instance/);
  await applyFaultSpec("dns/kube-dns=drop,technitium/tertiary=slow:200+invalid-token", { dns: chain.dns, technitium: chain.tech });
  try {
    await assert.rejects(ask("idrac.viktorbarzin.lan", "10.96.0.10", { timeoutMs: 300 }), DnsTimeoutError);
    assert.equal(chain.dns.hops().find((h) => h.hop === "kube-dns")!.fault.drop, true);
    const r = await fetch(`${chain.tech.instances[2].url}/api/zones/list?token=${chain.tech.instances[2].token}`);
    assert.equal((await r.json()).status, "invalid-token");
  } finally {
    await applyFaultSpec("dns/kube-dns=clear,technitium/tertiary=clear", { dns: chain.dns, technitium: chain.tech });
  }
  assert.equal((await ask("idrac.viktorbarzin.lan", "10.96.0.10")).rcode, "NOERROR");
});

test("pfSense dnsmasq caches: a second query counts down the upstream TTL", async () => {
  const first = await ask("www.google.com", "10.0.20.1");
  assert.equal(first.answers[0].ttl, 300);
  await until("pfSense's cached TTL to count down", async () => (await ask("www.google.com", "10.0.20.1")).answers[0].ttl < 300);
  const lan = await ask("idrac.viktorbarzin.lan", "10.0.10.1");
  assert.deepEqual(lan.answers.map((a) => a.data), ["192.168.1.4"], "viktorbarzin.lan goes to the Technitium LB");
});
