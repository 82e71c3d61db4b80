import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import * as dnsPacket from "dns-packet";
import { query, DnsTimeoutError, DnsQueryError, parseAddressMap } from "../index";
import { readFileSync } from "node:fs";
import { decodeMessage, encodeQuery } from "../packet";
import { startDnsServer, reply, ecsOf, type DnsServerHandle } from "../../../twin/dns/wire";

// An independent (dns-packet) server answering every type the client must decode.
let srv: DnsServerHandle;
let lastEcs: string | undefined;
let lastRd: boolean | undefined;
const RECORDS: Record<string, dnsPacket.Answer[]> = {
  A: [{ name: "t.example", type: "A", ttl: 120, data: "192.0.2.7" }],
  AAAA: [{ name: "t.example", type: "AAAA", ttl: 120, data: "2001:db8::1:0:0:7" }],
  CNAME: [{ name: "t.example", type: "CNAME", ttl: 60, data: "target.example" }],
  SOA: [{ name: "t.example", type: "SOA", ttl: 900, data: { mname: "ns1.example", rname: "hostmaster.example", serial: 2026111901, refresh: 900, retry: 300, expire: 604800, minimum: 60 } }],
  PTR: [{ name: "t.example", type: "PTR", ttl: 3600, data: "idrac.viktorbarzin.lan" }],
  NS: [{ name: "t.example", type: "NS", ttl: 3600, data: "ns1.example" }],
  TXT: [{ name: "t.example", type: "TXT", ttl: 300, data: ["v=spf1 -all", 'say "hi"'] }],
  MX: [{ name: "t.example", type: "MX", ttl: 300, data: { preference: 10, exchange: "mail.example" } }],
  SRV: [{ name: "t.example", type: "SRV", ttl: 300, data: { priority: 1, weight: 5, port: 5060, target: "sip.example" } }],
  HINFO: [{ name: "t.example", type: "HINFO", ttl: 300, data: { cpu: "x86_64", os: "Linux" } }],
};

before(async () => {
  srv = await startDnsServer({
    host: "127.0.0.1",
    port: 0,
    handler: (req) => {
      lastEcs = ecsOf(req);
      lastRd = ((req.flags ?? 0) & dnsPacket.RECURSION_DESIRED) !== 0;
      const q = req.questions![0];
      if (q.name === "missing.example") return reply(req, { rcode: "NXDOMAIN", aa: true, authorities: RECORDS.SOA });
      if (q.name === "big.example")
        return reply(req, { answers: Array.from({ length: 100 }, (_, i) => ({ name: "big.example", type: "A", ttl: 5, data: `10.1.0.${i}` })) });
      return reply(req, { aa: true, ra: true, answers: RECORDS[q.type] ?? [] });
    },
  });
});
after(async () => srv.close());

const map = () => parseAddressMap(`10.96.0.10=127.0.0.1:${srv.port}`);

test("decodes A, AAAA, CNAME, SOA, PTR, NS, TXT, MX, SRV, HINFO from an independent encoder", async () => {
  const expect: Record<string, string> = {
    A: "192.0.2.7",
    AAAA: "2001:db8::1:0:0:7",
    CNAME: "target.example",
    SOA: "ns1.example hostmaster.example 2026111901 900 300 604800 60",
    PTR: "idrac.viktorbarzin.lan",
    NS: "ns1.example",
    TXT: '"v=spf1 -all" "say \\"hi\\""',
    MX: "10 mail.example",
    SRV: "1 5 5060 sip.example",
    HINFO: '"x86_64" "Linux"',
  };
  for (const [type, data] of Object.entries(expect)) {
    const r = await query({ name: "t.example", type, server: "10.96.0.10", addressMap: map() });
    assert.equal(r.rcode, "NOERROR", type);
    assert.deepEqual(r.answers, [{ name: "t.example", type, ttl: (RECORDS[type][0] as { ttl: number }).ttl, data }], type);
    assert.equal(r.flags.aa, true);
    assert.equal(r.transport, "udp");
  }
});

test("NXDOMAIN carries the SOA in authority; the real and the mapped address are both reported", async () => {
  const r = await query({ name: "missing.example.", type: "A", server: "10.96.0.10", addressMap: map() });
  assert.equal(r.rcode, "NXDOMAIN");
  assert.equal(r.authority[0].type, "SOA");
  assert.equal(r.server, "10.96.0.10:53");
  assert.equal(r.sentTo, `127.0.0.1:${srv.port}`);
});

test("EDNS Client Subnet and the RD bit reach the server as encoded", async () => {
  await query({ name: "t.example", type: "A", server: "10.96.0.10", addressMap: map(), ecs: "192.168.1.77/24", recursionDesired: false });
  assert.equal(lastEcs, "192.168.1.0/24");
  assert.equal(lastRd, false);
});

// Query packets dig (BIND 9.18, Debian's bind9-dnsutils) sent, captured on a UDP socket: independent material.
const dig = JSON.parse(readFileSync(new URL("./fixtures/dig-queries.json", import.meta.url), "utf8")) as { packets: { what: string; hex: string }[] };
const captured = (what: string) => Buffer.from(dig.packets.find((p) => p.what.startsWith(what))!.hex, "hex");

test("the encoder writes the same bytes as dig for the same question (apart from the id)", () => {
  const plain = captured("idrac.viktorbarzin.lan A");
  const mine = encodeQuery({ id: plain.readUInt16BE(0), name: "idrac.viktorbarzin.lan", type: "A" });
  assert.equal(mine.toString("hex"), plain.toString("hex"));
  const ecs = captured("immich.viktorbarzin.me A with Client Subnet");
  const mineEcs = encodeQuery({ id: ecs.readUInt16BE(0), name: "immich.viktorbarzin.me", type: "A", ecs: "192.168.1.0/24", udpSize: 1232 });
  assert.equal(mineEcs.toString("hex"), ecs.toString("hex"), "OPT 1232 + ECS family 1 /24 with 3 address bytes, as dig writes it");
});

test("dig's packets decode: RD, the DO bit, EDNS version, Client Subnet and a cookie option", () => {
  const ecs = decodeMessage(captured("immich.viktorbarzin.me A with Client Subnet"));
  assert.deepEqual(ecs.questions, [{ name: "immich.viktorbarzin.me", type: "A" }]);
  assert.equal(ecs.flags.rd, true);
  assert.deepEqual(ecs.edns?.ecs, { address: "192.168.1.0", sourcePrefix: 24, scopePrefix: 0 });
  const v1 = decodeMessage(captured("github.com AAAA"));
  assert.equal(v1.flags.rd, false);
  assert.equal(v1.edns?.version, 1);
  assert.equal(v1.edns?.dnssecOk, true);
  const soa = decodeMessage(captured("viktorbarzin.lan SOA"));
  assert.equal(soa.flags.ad, true);
  assert.equal(soa.edns?.udpSize, 1232);
  assert.deepEqual(soa.questions, [{ name: "viktorbarzin.lan", type: "SOA" }]);
});

test("a truncated UDP answer is retried over TCP", async () => {
  const r = await query({ name: "big.example", type: "A", server: "10.96.0.10", addressMap: map() });
  assert.equal(r.transport, "tcp");
  assert.equal(r.answers.length, 100, "more than the 1232 bytes the client advertises");
});

test("no answer → a typed timeout after the bounded wait; a closed port → unreachable", async () => {
  const silent = dgram.createSocket("udp4");
  await new Promise<void>((r) => silent.bind(0, "127.0.0.1", () => r()));
  const port = (silent.address() as { port: number }).port;
  const t0 = Date.now();
  await assert.rejects(query({ name: "t.example", type: "A", server: "127.0.0.1", port, timeoutMs: 300, addressMap: parseAddressMap("") }), (e) => e instanceof DnsTimeoutError && e.kind === "timeout");
  assert.ok(Date.now() - t0 < 1000);
  silent.close();
  await assert.rejects(query({ name: "t.example", type: "A", server: "127.0.0.1", port, timeoutMs: 1000, addressMap: parseAddressMap("") }), (e) => e instanceof DnsQueryError && (e.kind === "unreachable" || e.kind === "timeout"));
});

test("bad names and types are refused before anything is sent", async () => {
  await assert.rejects(query({ name: "a..b", type: "A", server: "10.96.0.10", addressMap: map() }), (e) => e instanceof DnsQueryError && e.kind === "bad-input");
  await assert.rejects(query({ name: "x".repeat(64) + ".example", type: "A", server: "10.96.0.10", addressMap: map() }), /63/);
  await assert.rejects(query({ name: "ok.example", type: "BOGUS", server: "10.96.0.10", addressMap: map() }), /unknown record type/);
  await assert.rejects(query({ name: "ok.example", type: "A", server: "dns.google", addressMap: map() }), /not an IP address/, "no hostname lookups through the system resolver");
});

test("the decoder survives compression loops and truncation", () => {
  const loop = Buffer.from([0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  assert.throws(() => decodeMessage(loop), /cannot decode the message/);
  assert.throws(() => decodeMessage(Buffer.from([0, 1, 0x81])), /cannot decode the message/);
});
