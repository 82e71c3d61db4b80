import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import * as dnsPacket from "dns-packet";
import { query, parseAddressMap, soaSerial, DnsQueryError } from "../../../server/dns/index";
import { TechnitiumClient } from "../../../server/technitium/client";
import { startChain, sleep } from "../../dns/__tests__/helpers";
import { loopbackSource as from } from "../../dns/sources";

let chain: Awaited<ReturnType<typeof startChain>>;
const direct = parseAddressMap("");
const inst = (i: number) => chain.tech.instances[i];
/** Ask instance i from a stack source address (sent from the loopback address standing for it, twin/dns/sources.ts). */
const ask = (i: number, name: string, type = "A", source?: string) => query({ name, type, server: inst(i).dnsHost, port: inst(i).dnsPort, localAddress: source ? from(source) : undefined, addressMap: direct, timeoutMs: 3000 });

before(async () => {
  chain = await startChain();
});
after(async () => chain?.stop());

test("authoritative answers carry AA; NXDOMAIN and NODATA carry the zone SOA in authority", async () => {
  const a = await ask(0, "idrac.viktorbarzin.lan");
  assert.equal(a.flags.aa, true);
  assert.deepEqual(a.answers.map((r) => r.data), ["192.168.1.4"]);
  const cname = await ask(0, "grafana.viktorbarzin.lan");
  assert.deepEqual(cname.answers.map((r) => `${r.type} ${r.data}`), ["CNAME traefik.viktorbarzin.lan", "A 10.0.20.200"]);
  const nx = await ask(0, "nope.viktorbarzin.lan");
  assert.equal(nx.rcode, "NXDOMAIN");
  assert.equal(nx.flags.aa, true);
  assert.equal(nx.authority[0].type, "SOA");
  assert.equal(soaSerial(nx.authority[0].data), 2026111901);
  const nodata = await ask(0, "idrac.viktorbarzin.lan", "AAAA");
  assert.equal(nodata.rcode, "NOERROR");
  assert.equal(nodata.answers.length, 0);
  assert.equal(nodata.authority[0].type, "SOA");
  const ptr = await ask(0, "4.1.168.192.in-addr.arpa", "PTR");
  assert.deepEqual(ptr.answers.map((r) => r.data), ["idrac.viktorbarzin.lan"]);
});

test("SOA queries answer with the serial each instance holds", async () => {
  const serials = await Promise.all([0, 1, 2].map(async (i) => soaSerial((await ask(i, "viktorbarzin.lan", "SOA")).answers[0].data)));
  assert.deepEqual(serials, [2026111901, 2026111405, 2026111901]);
  const older = await ask(1, "uptime-kuma.viktorbarzin.lan");
  assert.equal(older.rcode, "NXDOMAIN", "the secondary's older copy lacks a host added since");
});

test("emrsn.org is answered NXDOMAIN locally by the primary; viktorbarzin.me is resolved recursively", async () => {
  const e = await ask(0, "wpad.emrsn.org");
  assert.equal(e.rcode, "NXDOMAIN");
  assert.equal(e.flags.aa, true);
  const me = await ask(0, "headscale.viktorbarzin.me");
  assert.equal(me.flags.aa, false);
  assert.equal(me.flags.ra, true);
  assert.deepEqual(me.answers.map((r) => r.data), ["176.12.22.76"]);
  const proxied = await ask(0, "blog.viktorbarzin.me");
  assert.equal(proxied.answers[0].type, "CNAME");
  assert.match(proxied.answers[0].data, /cfargotunnel\.com$/);
});

test("the recursive cache counts TTLs down and applies cacheMinimumRecordTtl", async () => {
  const first = await ask(0, "api.github.com");
  assert.equal(first.answers[0].ttl, 60);
  await sleep(2100);
  const second = await ask(0, "api.github.com");
  assert.ok(second.answers[0].ttl <= 58, `cached TTL counts down (${second.answers[0].ttl})`);
  // the tertiary has the default 10 s minimum; the primary the homelab's 60 s
  const c = new TechnitiumClient({ name: "primary", url: inst(0).url, primary: true }, inst(0).token);
  await c.call("settings/set", { cacheMinimumRecordTtl: 120 }, { method: "POST" });
  const raised = await ask(0, "github.com");
  assert.equal(raised.answers[0].ttl, 120, "short TTL raised to the minimum");
  const { stats } = await c.call<{ stats: Record<string, number> }>("dashboard/stats/get");
  assert.ok(stats.totalCached >= 1 && stats.totalRecursive >= 2 && stats.totalAuthoritative >= 1);
});

test("AXFR: allowed over TCP for the seed zones, refused for a zone created with the default transfer policy", async () => {
  const axfr = (zone: string) =>
    new Promise<dnsPacket.Packet>((resolve, reject) => {
      const s = net.connect(inst(0).dnsPort, inst(0).dnsHost);
      const q = dnsPacket.streamEncode({ id: 1, type: "query", questions: [{ name: zone, type: "AXFR", class: "IN" }] });
      let acc = Buffer.alloc(0);
      s.on("data", (d) => {
        acc = Buffer.concat([acc, d]);
        if (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) {
          s.destroy();
          resolve(dnsPacket.streamDecode(acc) as dnsPacket.Packet);
        }
      });
      s.on("error", reject);
      s.write(q);
    });
  const ok = await axfr("viktorbarzin.lan");
  assert.equal(ok.answers![0].type, "SOA");
  assert.equal(ok.answers![ok.answers!.length - 1].type, "SOA");
  assert.ok(ok.answers!.length > 30);
  const c = new TechnitiumClient({ name: "primary", url: inst(0).url, primary: true }, inst(0).token);
  await c.call("zones/create", { zone: "new.example", type: "Primary" }, { method: "POST" });
  const refused = await axfr("new.example");
  assert.equal((refused as { rcode?: string }).rcode, "REFUSED");
});

test("an instance that is down refuses DNS too, and comes back", async () => {
  await chain.tech.setFault("tertiary", { down: true });
  await assert.rejects(ask(2, "idrac.viktorbarzin.lan"), (e) => e instanceof DnsQueryError);
  await chain.tech.setFault("tertiary", null);
  assert.equal((await ask(2, "idrac.viktorbarzin.lan")).rcode, "NOERROR");
});

test("blocking answers 0.0.0.0 for listed ad domains and counts them", async () => {
  const r = await ask(0, "googleads.g.doubleclick.net");
  assert.deepEqual(r.answers.map((a) => a.data), ["0.0.0.0"]);
  const v6 = await ask(0, "ads.tiktok.com", "AAAA");
  assert.deepEqual(v6.answers.map((a) => a.data), ["::"]);
  const c = new TechnitiumClient({ name: "primary", url: inst(0).url, primary: true }, inst(0).token);
  const { stats } = await c.call<{ stats: Record<string, number> }>("dashboard/stats/get");
  assert.ok(stats.totalBlocked >= 2);
  const paused = await c.call<{ temporaryDisableBlockingTill: string }>("settings/temporaryDisableBlocking", { minutes: 5 });
  assert.ok(Date.parse(paused.temporaryDisableBlockingTill) > Date.now());
  assert.ok("temporaryDisableBlockingTill" in (await c.call<Record<string, unknown>>("settings/get")));
  const unblocked = await ask(0, "ad.doubleclick.net");
  assert.deepEqual(unblocked.answers.map((a) => a.data), ["142.250.185.70"], "while paused, the real answer comes through");
});

test("translateReverseLookups: a LAN PTR for the internal address becomes a CNAME to the public reverse name", async () => {
  const c = new TechnitiumClient({ name: "primary", url: inst(0).url, primary: true }, inst(0).token);
  const cfg = JSON.parse((await c.call<{ config: string }>("apps/config/get", { name: "Split Horizon" })).config);
  cfg.groups[0].translateReverseLookups = true;
  await c.call("apps/config/set", { name: "Split Horizon", config: JSON.stringify(cfg) }, { method: "POST" });
  const lan = await ask(0, "200.20.0.10.in-addr.arpa", "PTR", "192.168.1.10");
  assert.deepEqual(lan.answers.map((a) => `${a.type} ${a.ttl} ${a.data}`), ["CNAME 600 76.22.12.176.in-addr.arpa"]);
  const pod = await ask(0, "200.20.0.10.in-addr.arpa", "PTR", "10.244.1.7");
  assert.deepEqual(pod.answers.map((a) => a.data), ["traefik.viktorbarzin.lan"], "outside the group: the normal reverse zone");
});

test("recursion is refused for a public client network (AllowOnlyForPrivateNetworks); authoritative zones still answer", async () => {
  const pub = await ask(0, "github.com", "A", "203.0.113.9");
  assert.equal(pub.rcode, "REFUSED");
  const auth = await ask(0, "idrac.viktorbarzin.lan", "A", "203.0.113.9");
  assert.equal(auth.rcode, "NOERROR");
});

test("an expired Secondary goes inactive: queries fall through to recursion (reference §5.2)", async () => {
  const z = chain.tech.state("tertiary").zones.get("emrsn.org")!;
  const before = await ask(2, "emrsn.org");
  assert.equal(before.flags.aa, true);
  assert.equal(before.answers.length, 0, "the local stub has no A record");
  z.expiry = new Date(Date.now() - 1000).toISOString();
  const after = await ask(2, "emrsn.org");
  assert.equal(after.flags.aa, false);
  assert.deepEqual(after.answers.map((a) => a.data), ["165.225.72.37"], "the public answer now");
  const c = new TechnitiumClient({ name: "tertiary", url: inst(2).url, primary: false }, inst(2).token);
  const listed = (await c.call<{ zones: Record<string, unknown>[] }>("zones/list")).zones.find((x) => x.name === "emrsn.org")!;
  assert.equal(listed.isExpired, true);
});

test("a disabled record is not answered (its name still exists: NODATA), and answers again once enabled", async () => {
  const c = new TechnitiumClient({ name: "primary", url: inst(0).url, primary: true }, inst(0).token);
  const d = "parked.viktorbarzin.lan";
  await c.call("zones/records/add", { zone: "viktorbarzin.lan", domain: d, type: "A", ipAddress: "10.0.20.77", ttl: 60 }, { method: "POST" });
  assert.deepEqual((await ask(0, d)).answers.map((a) => a.data), ["10.0.20.77"]);
  await c.call("zones/records/update", { zone: "viktorbarzin.lan", domain: d, type: "A", ipAddress: "10.0.20.77", newIpAddress: "10.0.20.77", ttl: 60, disable: true }, { method: "POST" });
  const off = await ask(0, d);
  assert.equal(off.rcode, "NOERROR");
  assert.deepEqual(off.answers, []);
  await c.call("zones/records/update", { zone: "viktorbarzin.lan", domain: d, type: "A", ipAddress: "10.0.20.77", newIpAddress: "10.0.20.77", ttl: 60, disable: false }, { method: "POST" });
  assert.deepEqual((await ask(0, d)).answers.map((a) => a.data), ["10.0.20.77"]);
});
