import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTechnitiumTwin, type TechnitiumTwin } from "../../technitium/index";
import { startDnsTwin, SEED_COREFILE, type DnsTwin } from "../../dns/index";
import { CONTRACT, dig, hostPort, parseDig } from "../harness";

// Issue 11 items 1, 2, 3 and 7 held against dig (BIND 9.18) and kdig (Knot 3.2): Technitium's Split Horizon follows
// the packet's source address and echoes ECS and DO; CoreDNS's serve_stale modes; who reaches Technitium; the
// protocol edges of CoreDNS (miekg/dns) and Technitium (DnsServer.cs). TWIN_CONTRACT_TECHNITIUM_DNS /
// TWIN_CONTRACT_COREDNS_DNS point the checks that need no twin knob at a real server.
let tech: TechnitiumTwin | undefined;
let chain: DnsTwin | undefined;
let dir: string;
let technitium: { host: string; port: number };
let coredns: { host: string; port: number };
const LAN = "127.168.1.10"; // the twin maps 127.168.x.y sources to 192.168.x.y (twin/dns/sources.ts)
const COREDNS_POD = "10.244.2.10";

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "conformance-dig-"));
  tech = await startTechnitiumTwin({ stateDir: dir, transferDelayMs: 100 });
  chain = await startDnsTwin({ technitium: tech, reloadMs: 200, port: 0, forwardTimeoutMs: 700 });
  const p = tech.instances[0];
  technitium = CONTRACT.technitiumDns ? hostPort(CONTRACT.technitiumDns) : { host: p.dnsHost, port: p.dnsPort };
  coredns = CONTRACT.corednsDns ? hostPort(CONTRACT.corednsDns) : { host: COREDNS_POD.replace(/^10\./, "127."), port: chain.port };
});
after(async () => {
  await chain?.stop();
  await tech?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
const twinOnly = { skip: CONTRACT.technitiumDns || CONTRACT.corednsDns ? "needs the twin's knobs (source mapping, faults, Corefile)" : false };

async function until<T>(what: string, fn: () => Promise<T | false | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("item 1: Split Horizon by the packet's source — a 192.168.1.x source gets the internal address", twinOnly, async () => {
  const lan = parseDig((await dig(technitium, { source: LAN })("immich.viktorbarzin.me", "A")).stdout);
  assert.deepEqual(lan.answers.map((a) => a.data), ["10.0.20.200"]);
  const kdigLan = parseDig((await dig(technitium, { tool: "kdig", source: LAN })("immich.viktorbarzin.me", "A")).stdout);
  assert.equal(kdigLan.status, "NOERROR");
  const fromHost = parseDig((await dig(technitium)("immich.viktorbarzin.me", "A")).stdout);
  assert.deepEqual(fromHost.answers.map((a) => a.data), ["176.12.22.76"], "the host (127.0.0.1) is not in 192.168.1.0/24");
});

test("item 1: ECS never changes the answer; Technitium echoes it with scope 0 and echoes the DO bit", async () => {
  const r = await dig(technitium)("+subnet=192.168.1.10/32", "+dnssec", "immich.viktorbarzin.me", "A");
  const d = parseDig(r.stdout);
  assert.deepEqual(d.answers.filter((a) => a.type === "A").map((a) => a.data), ["176.12.22.76"], "ECS claiming the LAN is ignored");
  assert.equal(d.ecs, "192.168.1.10/32/0", "echoed, SCOPE PREFIX-LENGTH 0");
  assert.ok(d.edns?.flags.includes("do"), `DO echoed: ${r.stdout}`);
  const k = await dig(technitium, { tool: "kdig" })("+subnet=192.168.1.0/24", "immich.viktorbarzin.me", "A");
  assert.match(k.stdout, /CLIENT-SUBNET: 192\.168\.1\.0\/24\/0/);
  const plain = await dig(technitium)("+noedns", "immich.viktorbarzin.me", "A");
  assert.doesNotMatch(plain.stdout, /OPT PSEUDOSECTION/, "no OPT in the reply to a query without one");
});

test("item 2: serve_stale (immediate, the default) answers from the stale cache at once during an upstream outage", twinOnly, async () => {
  const v = chain!.status().corefileVersion;
  chain!.setCluster({ corefile: SEED_COREFILE.replace("success 10000 300 6", "success 10000 1 0") });
  await until("the reload", async () => chain!.status().corefileVersion > v);
  try {
    const fresh = await dig(coredns)("cloudflare.com", "A");
    assert.equal(parseDig(fresh.stdout).answers[0]?.ttl, 1, fresh.stdout);
    chain!.setFault("pfsense", { drop: true });
    chain!.setFault("upstream", { drop: true });
    // dig gives up after 1 s (+time=1); the forward to a silent upstream would take 700 ms per target
    const stale = await until("the stale answer", async () => {
      const d = parseDig((await dig(coredns)("+time=1", "cloudflare.com", "A")).stdout);
      assert.ok(!d.timedOut, "every answer arrives at once");
      return d.answers[0]?.ttl === 0 && d;
    });
    assert.deepEqual(stale.answers.map((a) => a.data), ["104.16.132.229"]);
  } finally {
    chain!.setFault("pfsense", null);
    chain!.setFault("upstream", null);
  }
  const v2 = chain!.status().corefileVersion;
  chain!.setCluster({ corefile: SEED_COREFILE.replace("success 10000 300 6", "success 10000 1 0").replace(/serve_stale 86400s/g, "serve_stale 86400s verify") });
  await until("the reload", async () => chain!.status().corefileVersion > v2);
  try {
    assert.equal(parseDig((await dig(coredns)("github.com", "A")).stdout).answers[0].ttl, 1);
    chain!.setFault("pfsense", { drop: true });
    chain!.setFault("upstream", { drop: true });
    await until("the entry to expire", async () => parseDig((await dig(coredns)("+time=1", "github.com", "A")).stdout).timedOut);
    const d = parseDig((await dig(coredns)("+time=5", "github.com", "A")).stdout);
    assert.equal(d.answers[0]?.ttl, 0, "verify: stale only after the upstream attempts failed");
    assert.ok(d.ms >= 700, `waited for the forward timeouts (${d.ms} ms)`);
  } finally {
    chain!.setFault("pfsense", null);
    chain!.setFault("upstream", null);
    chain!.setCluster({ corefile: SEED_COREFILE });
  }
});

test("item 3: Technitium sees the CoreDNS pod for viktorbarzin.lan and nobody for public names asked by pods", twinOnly, async () => {
  const clients = () => new Set(["primary", "secondary", "tertiary"].flatMap((n) => [...tech!.state(n as "primary").stats.clients]));
  const before = clients();
  assert.equal(parseDig((await dig(coredns)("idrac.viktorbarzin.lan", "A")).stdout).answers[0].data, "192.168.1.4");
  const after1 = clients();
  assert.ok(after1.has(COREDNS_POD), `the CoreDNS pod's own address: ${[...after1]}`);
  assert.equal(parseDig((await dig(coredns)("www.kernel.org", "A")).stdout).status, "NXDOMAIN");
  assert.deepEqual([...clients()].filter((c) => !after1.has(c)), [], "a public name goes CoreDNS → pfSense → Cloudflare, never to Technitium");
  assert.ok(before.size <= after1.size);
});

test("item 7: cached CoreDNS replies keep AA", async () => {
  await dig(coredns)("github.com", "A");
  const second = parseDig((await dig(coredns)("github.com", "A")).stdout);
  assert.ok(second.flags.includes("aa"), `flags ${second.flags}`);
});

test("item 7: EDNS version 1 → BADVERS from both servers", async () => {
  for (const s of [technitium, coredns]) {
    const d = parseDig((await dig(s)("+edns=1", "+noednsnegotiation", "idrac.viktorbarzin.lan", "A")).stdout);
    assert.equal(d.status, "BADVERS", `${s.host}`);
    assert.equal(d.edns?.version, 0, "the reply says which version the server speaks");
  }
});

test("item 7: no question (QDCOUNT 0) → FORMERR from both", async () => {
  for (const s of [technitium, coredns]) assert.equal(parseDig((await dig(s)("+header-only", "idrac.viktorbarzin.lan")).stdout).status, "FORMERR", `${s.host}`);
});

test("item 7: Technitium — ANY over UDP is truncated (TCP answers), class CH and RD=0 outside its zones are REFUSED", async () => {
  const any = parseDig((await dig(technitium)("+notcp", "+ignore", "viktorbarzin.lan", "ANY")).stdout); // dig asks ANY over TCP unless told
  assert.ok(any.flags.includes("tc") && any.flags.includes("aa"), `flags ${any.flags}`);
  assert.equal(any.answers.length, 0);
  assert.ok(parseDig((await dig(technitium)("+tcp", "viktorbarzin.lan", "ANY")).stdout).answers.length > 0, "over TCP the records come");
  assert.equal(parseDig((await dig(technitium)("CH", "TXT", "version.bind")).stdout).status, "REFUSED");
  const norec = parseDig((await dig(technitium)("+norecurse", "github.com", "A")).stdout);
  assert.equal(norec.status, "REFUSED");
  const auth = parseDig((await dig(technitium)("+norecurse", "idrac.viktorbarzin.lan", "A")).stdout);
  assert.equal(auth.status, "NOERROR");
  assert.ok(auth.flags.includes("aa"));
  assert.equal(parseDig((await dig(coredns)("CH", "TXT", "version.bind")).stdout).status, "REFUSED", "CoreDNS without the chaos plugin");
});

test("item 7: a response (QR=1) and a datagram too short for a header get no reply at all", async () => {
  // dig's own query bytes (server/dns fixtures), with the QR bit set; and 5 bytes of garbage
  const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../../server/dns/__tests__/fixtures/dig-queries.json"), "utf8"));
  const query = Buffer.from(fixture.packets[0].hex, "hex");
  const response = Buffer.from(query);
  response[2] |= 0x80;
  for (const s of [technitium, coredns]) {
    for (const pkt of [response, Buffer.from([1, 2, 3, 4, 5])]) {
      const sock = dgram.createSocket("udp4");
      const got = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 600);
        sock.on("message", () => (clearTimeout(t), resolve(true)));
        sock.send(pkt, s.port, s.host);
      });
      sock.close();
      assert.equal(got, false, `${s.host}: ${pkt.length} bytes answered`);
    }
    // the same bytes as a query are answered: the silence above is the rule, not a dead server
    const sock = dgram.createSocket("udp4");
    const ok = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 2000);
      sock.on("message", () => (clearTimeout(t), resolve(true)));
      sock.send(query, s.port, s.host);
    });
    sock.close();
    assert.equal(ok, true);
  }
});
