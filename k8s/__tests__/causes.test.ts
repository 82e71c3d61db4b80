import assert from "node:assert/strict";
import { test } from "node:test";
import { classify } from "../causes";

test("search-domain expansions name the suffix the resolver appended", () => {
  assert.deepEqual(classify({ name: "github.com.viktorbarzin.lan", rcode: 3 })?.suffix, ".viktorbarzin.lan");
  const svc = classify({ name: "grafana.monitoring.svc.cluster.local.viktorbarzin.lan", rcode: 3 });
  assert.deepEqual([svc?.cause, svc?.suffix], ["search-expansion", ".svc.cluster.local.viktorbarzin.lan"]);
  assert.equal(classify({ name: "x.idrac.viktorbarzin.lan.", rcode: 3 })?.cause, "search-expansion");
});

test("one label under the internal zone is a missing host, not an expansion", () => {
  const r = classify({ name: "idarc.viktorbarzin.lan", rcode: 3 });
  assert.equal(r?.cause, "internal-missing");
  assert.match(r!.fix, /typo or a deleted host/);
});

test("stub-zone floods, blocked answers, reverse lookups and upstream failures", () => {
  assert.equal(classify({ name: "pc1001.eu.emrsn.org", rcode: 3 })?.cause, "corporate-flood");
  assert.equal(classify({ name: "doubleclick.net", rcode: 0, responseType: 4 })?.cause, "blocked");
  assert.equal(classify({ name: "doubleclick.net", rcode: 0, responseType: 6 })?.cause, "blocked", "UpstreamBlockedCached is blocked too");
  assert.equal(classify({ name: "77.1.168.192.in-addr.arpa", rcode: 3, qtype: 12 })?.cause, "reverse-no-ptr");
  assert.equal(classify({ name: "example.com", rcode: 2 })?.cause, "upstream-failure");
  assert.equal(classify({ name: "nope.example", rcode: 3 })?.cause, "other");
  assert.equal(classify({ name: "example.com", rcode: 0 }), null, "a good answer is not a failure");
});

test("junk-filter coverage: the template's usual regex becomes the wildcard *.*.zone, matching exactly the names the regex matches", async () => {
  const { templateWildcard } = await import("../causes");
  const regex = String.raw`.*\..*\.viktorbarzin\.lan\.$`;
  const wildcard = templateWildcard(regex, "viktorbarzin.lan.");
  assert.equal(wildcard, "*.*.viktorbarzin.lan");
  const like = new RegExp(`^${wildcard!.replace(/\./g, "\\.").replace(/\*/g, ".*")}$`);
  const go = new RegExp(regex);
  for (const name of ["immich.viktorbarzin.lan", "viktorbarzin.lan", "redis.svc.cluster.local.viktorbarzin.lan", "a.b.viktorbarzin.lan", "x.viktorbarzin.lan.evil", "a.b.viktorbarzin.lanx"])
    assert.equal(like.test(name), go.test(`${name}.`), name);
  assert.equal(templateWildcard(String.raw`^[^.]+\.[^.]+\.viktorbarzin\.lan\.$`, "viktorbarzin.lan"), null, "another regex is not guessed at");
});

test("the search-expansion fix, shown: NodeLocal's zone block as it reads with CoreDNS's template added", async () => {
  const { defaultStackConfig } = await import("../config");
  const { renderNodeLocalZone, renderNodeLocalCorefile } = await import("../corefile-render");
  const zone = defaultStackConfig.nodelocal.zones.find((z) => z.zone === "viktorbarzin.lan")!;
  const bare = { ...zone, template: undefined };
  assert.doesNotMatch(renderNodeLocalZone(defaultStackConfig, bare), /template/);
  const fixed = renderNodeLocalZone(defaultStackConfig, { ...bare, template: { regex: String.raw`.*\..*\.viktorbarzin\.lan\.$`, rcode: "NXDOMAIN" } });
  assert.match(fixed, /template ANY ANY viktorbarzin\.lan \{\n\s+match "\.\*\\\.\.\*\\\.viktorbarzin\\\.lan\\\.\$"\n\s+rcode NXDOMAIN\n\s+fallthrough/);
  // the same block the whole Corefile carries for that zone
  assert.ok(renderNodeLocalCorefile(defaultStackConfig).includes(renderNodeLocalZone(defaultStackConfig, zone)));
});
