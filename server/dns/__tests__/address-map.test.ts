import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAddressMap, mapDestination, AddressMapError } from "../address-map";

const map = parseAddressMap(
  "10.0.0.0/8=127.0.0.0/8:5353,10.96.0.0/12=127.200.0.0/12:6000,10.96.0.53=127.0.53.1:7000,10.0.20.1:53=127.9.9.9:53," +
    "169.254.20.10@k8s-node1=127.254.20.2:5353,1.1.1.1=127.255.0.1:5353,0.0.0.0/0=127.255.255.254:9,[fd00::1]=127.1.1.1",
);

test("CIDR to CIDR keeps the host bits and replaces the port", () => {
  assert.deepEqual(mapDestination(map, { address: "10.244.3.17" }), { host: "127.244.3.17", port: 5353, rule: "10.0.0.0/8=127.0.0.0/8:5353" });
});

test("longest prefix wins among CIDRs", () => {
  const d = mapDestination(map, { address: "10.96.0.10" });
  assert.equal(d.host, "127.192.0.10"); // 127.200.0.0/12 normalises to 127.192.0.0/12; host bits 0.0.0.10
  assert.equal(d.port, 6000);
});

test("an exact address beats every CIDR", () => {
  assert.deepEqual(mapDestination(map, { address: "10.96.0.53" }), { host: "127.0.53.1", port: 7000, rule: "10.96.0.53=127.0.53.1:7000" });
});

test("ip:port only matches that port; other ports fall to the CIDR", () => {
  assert.equal(mapDestination(map, { address: "10.0.20.1", port: 53 }).host, "127.9.9.9");
  assert.equal(mapDestination(map, { address: "10.0.20.1", port: 5300 }).host, "127.0.20.1");
});

test("ip@node applies only when sent via that node", () => {
  assert.deepEqual(mapDestination(map, { address: "169.254.20.10", via: "k8s-node1" }), { host: "127.254.20.2", port: 5353, rule: "169.254.20.10@k8s-node1=127.254.20.2:5353" });
  assert.equal(mapDestination(map, { address: "169.254.20.10", via: "k8s-node2" }).host, "127.255.255.254");
});

test("a value without a port keeps the asked port; no entry means the real address", () => {
  assert.deepEqual(mapDestination(map, { address: "fd00::1", port: 5353 }), { host: "127.1.1.1", port: 5353, rule: "[fd00::1]=127.1.1.1" });
  assert.deepEqual(mapDestination(parseAddressMap(""), { address: "10.96.0.10" }), { host: "10.96.0.10", port: 53 });
});

test("bad entries are refused with the entry named", () => {
  assert.throws(() => parseAddressMap("10.0.0.0/8=127.0.0.0/16:53"), /same prefix length/);
  assert.throws(() => parseAddressMap("10.0.0.1=127.0.0.0/8"), /cannot map to a CIDR/);
  assert.throws(() => parseAddressMap("10.0.0.300=127.0.0.1"), AddressMapError);
  assert.throws(() => parseAddressMap("10.0.0.1=127.0.0.1:99999"), /not a port/);
  assert.throws(() => parseAddressMap("nonsense"), /not from=to/);
  assert.throws(() => parseAddressMap("10.0.0.1=127.0.0.1,10.0.0.1=127.0.0.2"), /mapped twice/);
});

test("the env.ts Map form is accepted", () => {
  const m = parseAddressMap(new Map([["10.0.0.0/8", "127.0.0.0/8:5353"]]));
  assert.equal(mapDestination(m, { address: "10.0.20.201" }).host, "127.0.20.201");
});

test("server/env.ts refuses a DNS_ADDRESS_MAP the client could not apply", async () => {
  const { envSchema } = await import("../../env");
  const base = { DATABASE_URL: "postgresql://x@127.0.0.1/x", AUTH_MODE: "demo" };
  assert.equal(envSchema.safeParse({ ...base, DNS_ADDRESS_MAP: "10.0.0.0/8=127.0.0.0/8:5353,169.254.20.10@k8s-node1=127.254.20.2:5353" }).success, true);
  const bad = envSchema.safeParse({ ...base, DNS_ADDRESS_MAP: "10.0.0.0/8=127.0.0.0/16:5353" });
  assert.equal(bad.success, false);
  assert.match(JSON.stringify(bad.error?.issues), /same prefix length/);
});
