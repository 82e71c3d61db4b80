import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCorefile, SEED_COREFILE, SEED_NODELOCAL_COREFILE, CorefileError, goDuration } from "../corefile";

test("the seed Corefile parses into the blocks, forwards, caches and template the chain uses", () => {
  const blocks = parseCorefile(SEED_COREFILE);
  assert.deepEqual(blocks.map((b) => b.zones), [[""], ["viktorbarzin.lan"]]);
  const root = blocks[0];
  assert.deepEqual(root.forward[0].to, ["10.0.20.1", "8.8.8.8", "1.1.1.1"]);
  assert.equal(root.forward[0].policy, "sequential");
  assert.deepEqual(root.cache, { successMax: 300, successMin: 6, denialMax: 300, denialMin: 60, serveStale: 86400, serveStaleMode: "immediate" });
  assert.deepEqual(root.kubernetes?.fallthrough, ["in-addr.arpa", "ip6.arpa"]);
  const t = blocks[1].templates[0];
  assert.equal(t.rcode, "NXDOMAIN");
  assert.equal(t.fallthrough, true);
  assert.ok(t.match[0].test("www.cloudflare.com.viktorbarzin.lan."));
  assert.ok(!t.match[0].test("idrac.viktorbarzin.lan."));
});

test("NodeLocal placeholders are substituted; force_tcp is read", () => {
  const blocks = parseCorefile(SEED_NODELOCAL_COREFILE, { __PILLAR__CLUSTER__DNS__: "10.110.0.9", __PILLAR__UPSTREAM__SERVERS__: "/etc/resolv.conf" });
  const cl = blocks.find((b) => b.zones.includes("cluster.local"))!;
  assert.deepEqual(cl.forward[0].to, ["10.110.0.9"]);
  assert.equal(cl.forward[0].forceTcp, true);
  assert.deepEqual(cl.cache, { successMax: 30, successMin: 5, denialMax: 5, denialMin: 5, serveStale: 0, serveStaleMode: "immediate" });
});

test("snippets, import and {$VAR} are expanded", () => {
  const src = `(common) {
    errors
    cache 30
}
.:53 {
    import common
    forward . {$UPSTREAM}
}`;
  const [b] = parseCorefile(src, {}, { UPSTREAM: "10.96.5.5" });
  assert.deepEqual(b.plugins, ["errors", "cache", "forward"]);
  assert.deepEqual(b.forward[0].to, ["10.96.5.5"]);
  assert.equal(b.cache?.successMax, 30);
  assert.throws(() => parseCorefile(".:53 {\n import nope\n}"), /File to import not found/);
});

test("what breaks a reload is refused with a message", () => {
  assert.throws(() => parseCorefile(".:53 {\n forward . 1.1.1.1\n"), /'{' is never closed/);
  assert.throws(() => parseCorefile(".:53 {\n forward . dns.google\n}"), /not an IP address or file/);
  assert.throws(() => parseCorefile(".:53 {\n cache\n cache\n}"), /only be used once/);
  assert.throws(() => parseCorefile(".:53 {\n}\n.:53 {\n}"), /already defined/);
  assert.throws(() => parseCorefile(".:53 {\n forward . 1.1.1.1\n {\n policy sequential\n }\n}"), CorefileError);
  assert.throws(() => parseCorefile(".:53 {\n template IN A {\n rcode BOGUS\n }\n}"), /unknown rcode/);
  assert.throws(() => parseCorefile(".:53 {\n forward . <nil>\n}"), /not an IP address/);
  assert.equal(goDuration("1h30m"), 5400);
  assert.throws(() => goDuration("300"), /not a duration/);
});
