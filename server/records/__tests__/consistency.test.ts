import assert from "node:assert/strict";
import { after, test } from "node:test";
import { dropDatabase, startHarness } from "@/server/sync/__tests__/harness";
import { changeRecord } from "../change";
import { type CheckedRecord, checkConsistency, copyKey, type PrimaryZone } from "../consistency";
import { consistencyReport } from "../report";
import { recordChange } from "../schema";

// The consistency report: what an operator would otherwise find by hand with dig -x — PTRs missing or pointing at
// the wrong host, CNAMEs into nothing, replicas that hold something else — each with the fix that is safe to click.

after(dropDatabase);

const rec = (name: string, type: string, value: string, owner: CheckedRecord["owner"] = "manual"): CheckedRecord => ({ name, type, value, owner });
const lan = (records: CheckedRecord[], serial = 10): PrimaryZone => ({ name: "viktorbarzin.lan", serial, records: [rec("viktorbarzin.lan", "SOA", "serial"), ...records] });
const rev = (records: CheckedRecord[], serial = 10): PrimaryZone => ({ name: "20.0.10.in-addr.arpa", serial, records });

test("PTR pairs: a missing PTR offers to add it; a PTR whose host is gone offers to delete it; one whose address moved offers to repoint it", () => {
  const report = checkConsistency(
    [
      lan([
        rec("nas.viktorbarzin.lan", "A", "10.0.20.15"),
        rec("web.viktorbarzin.lan", "A", "10.0.20.16"),
        rec("newhost.viktorbarzin.lan", "A", "10.0.20.30"),
        rec("cam.viktorbarzin.lan", "A", "10.0.20.40"),
        rec("outside.viktorbarzin.lan", "A", "192.168.5.5"), // no reverse zone for it: not judged
        // two names on one address with one PTR between them is normal
        rec("traefik.viktorbarzin.lan", "A", "10.0.20.200"),
        rec("ingress.viktorbarzin.lan", "A", "10.0.20.200"),
      ]),
      rev([
        rec("15.20.0.10.in-addr.arpa", "PTR", "nas.viktorbarzin.lan."),
        rec("16.20.0.10.in-addr.arpa", "PTR", "web.viktorbarzin.lan."),
        rec("17.20.0.10.in-addr.arpa", "PTR", "deleted.viktorbarzin.lan."),
        rec("40.20.0.10.in-addr.arpa", "PTR", "camera-old.viktorbarzin.lan."),
        rec("41.20.0.10.in-addr.arpa", "PTR", "web.viktorbarzin.lan."),
        rec("200.20.0.10.in-addr.arpa", "PTR", "traefik.viktorbarzin.lan."),
        rec("9.20.0.10.in-addr.arpa", "PTR", "printer.example.com."), // a host outside the zones: not judged
      ]),
    ],
    [],
  );
  const by = (kind: string) => report.findings.filter((f) => f.kind === kind);
  assert.deepEqual(
    by("a-without-ptr").map((f) => [f.name, f.fix]),
    [["newhost.viktorbarzin.lan", { kind: "record", label: "Add PTR 30 → newhost.viktorbarzin.lan.", op: "add", zone: "20.0.10.in-addr.arpa", name: "30", type: "PTR", value: "newhost.viktorbarzin.lan." }]],
  );
  // cam has 40's address, but 40's PTR names camera-old which no longer exists: repoint it at the one host that has it
  assert.deepEqual(
    by("ptr-without-a").map((f) => [f.name, f.fix && f.fix.kind === "record" ? [f.fix.op, f.fix.value, f.fix.current ?? null] : null]),
    [
      ["17.20.0.10.in-addr.arpa", ["delete", "deleted.viktorbarzin.lan.", null]],
      ["40.20.0.10.in-addr.arpa", ["update", "cam.viktorbarzin.lan.", "camera-old.viktorbarzin.lan."]],
    ],
  );
  assert.match(by("ptr-without-a")[0].detail, /does not exist: a deleted host/);
  // 41 names web, whose address is .16; nobody has .41: said, but no one-click fix (which side is right is unknown)
  assert.deepEqual(
    by("ptr-other-host").map((f) => [f.name, f.fix ?? null]),
    [["41.20.0.10.in-addr.arpa", null]],
  );
  assert.match(by("ptr-other-host")[0].detail, /web\.viktorbarzin\.lan is 10\.0\.20\.16\. No host has 10\.0\.20\.41/);
  assert.equal(report.findings.length, 4, JSON.stringify(report.findings, null, 1));
});

test("a PTR another writer keeps is reported with its owner and no fix (it would be written back)", () => {
  const report = checkConsistency([lan([]), rev([rec("50.20.0.10.in-addr.arpa", "PTR", "laptop.viktorbarzin.lan.", "kea-ddns")])], []);
  assert.equal(report.findings.length, 1);
  assert.equal(report.findings[0].owner, "kea-ddns");
  assert.equal(report.findings[0].fix, undefined);
  assert.match(report.findings[0].detail, /written by kea-ddns: Kea DDNS writes this record/);
});

test("CNAME chains: into nothing and in a loop are reported; into another zone or the Internet are not judged", () => {
  const report = checkConsistency(
    [
      lan([
        rec("wiki.viktorbarzin.lan", "CNAME", "bookstack.viktorbarzin.lan."),
        rec("a.viktorbarzin.lan", "CNAME", "b.viktorbarzin.lan."),
        rec("b.viktorbarzin.lan", "CNAME", "a.viktorbarzin.lan."),
        rec("grafana.viktorbarzin.lan", "CNAME", "proxy.viktorbarzin.lan."),
        rec("proxy.viktorbarzin.lan", "CNAME", "traefik.viktorbarzin.lan."),
        rec("traefik.viktorbarzin.lan", "A", "10.0.20.200"),
        rec("blog.viktorbarzin.lan", "CNAME", "blog.viktorbarzin.me."),
      ]),
    ],
    [],
  );
  assert.deepEqual(
    report.findings.map((f) => [f.kind, f.name]),
    [
      ["cname-dangling", "a.viktorbarzin.lan"],
      ["cname-dangling", "b.viktorbarzin.lan"],
      ["cname-dangling", "wiki.viktorbarzin.lan"],
    ],
  );
  assert.match(report.findings[2].detail, /ends at bookstack\.viktorbarzin\.lan, which has no records/);
  assert.match(report.findings[0].detail, /loops back to a\.viktorbarzin\.lan/);
});

test("replicas: same serial but other records is a warning (it will not heal), behind is info, a missing zone is a warning; each offers a zone sync", () => {
  const zone = lan([rec("nas.viktorbarzin.lan", "A", "10.0.20.15"), rec("web.viktorbarzin.lan", "A", "10.0.20.16")], 20);
  const keys = zone.records.filter((r) => r.type !== "SOA").map(copyKey);
  const report = checkConsistency(
    [zone],
    [
      { instance: "secondary", zones: [{ name: "viktorbarzin.lan", serial: 20, keys: [keys[0], copyKey(rec("old.viktorbarzin.lan", "A", "10.0.20.99"))] }] },
      { instance: "tertiary", zones: [{ name: "viktorbarzin.lan", serial: 19, keys: [keys[0]] }] },
      { instance: "fourth", zones: [] },
      { instance: "fifth", zones: null, error: "connect ECONNREFUSED" },
      { instance: "sixth", zones: [{ name: "viktorbarzin.lan", serial: 20, keys }] },
    ],
  );
  const diffs = report.findings.filter((f) => f.kind === "instance-differs").map((f) => [f.instance, f.severity, f.fix?.kind]);
  assert.deepEqual(diffs, [
    ["fourth", "warn", "zone-sync"],
    ["secondary", "warn", "zone-sync"],
    ["tertiary", "info", "zone-sync"],
  ]);
  const sec = report.findings.find((f) => f.instance === "secondary")!;
  assert.match(sec.detail, /holds serial 20 like the primary but lacks web\.viktorbarzin\.lan A 10\.0\.20\.16, and has old\.viktorbarzin\.lan A 10\.0\.20\.99 that the primary does not/);
  assert.deepEqual(report.unreadable, [{ instance: "fifth", error: "connect ECONNREFUSED" }]);
  assert.equal(report.counts["instance-differs"], 3);
});

test("on the twin: an A added without its PTR shows up, its one-click fix (through the record change) clears it, and replicas behind are named", async () => {
  const h = await startHarness();
  try {
    const before = await consistencyReport(h.ctx);
    // the seed as years of hand edits leave a zone: octoprint added without its PTR, old-nas deleted but its PTR left,
    // wiki pointing at a removed host; the secondary's copy of viktorbarzin.lan is older (serial behind)
    assert.deepEqual(
      before.findings.filter((f) => f.kind !== "instance-differs").map((f) => [f.kind, f.name, f.fix?.kind === "record" ? f.fix.op : null]),
      [
        ["a-without-ptr", "octoprint.viktorbarzin.lan", "add"],
        ["cname-dangling", "wiki.viktorbarzin.lan", null],
        ["ptr-without-a", "17.10.0.10.in-addr.arpa", "delete"],
      ],
    );
    const behind = before.findings.find((f) => f.instance === "secondary" && f.zone === "viktorbarzin.lan")!;
    assert.equal(behind.severity, "info");
    assert.match(behind.detail, /secondary is behind: serial 2026111405 < 2026111901; it lacks/);
    assert.ok(before.findings.some((f) => f.instance === "secondary" && f.zone === "emrsn.org" && /does not have emrsn\.org/.test(f.detail)));

    const by = { trigger: "api" as const, user: "test-operator", deadlineMs: 8000, context: h.ctx };
    const run = await (await changeRecord(recordChange.parse({ zone: "viktorbarzin.lan", op: "add", name: "lonely", type: "A", value: "10.0.20.77", ttl: 300 }), by)).work;
    assert.equal(run.status, "ok", run.summary ?? "");
    const mid = await consistencyReport(h.ctx);
    const f = mid.findings.find((x) => x.kind === "a-without-ptr" && x.name === "lonely.viktorbarzin.lan")!;
    assert.equal(f.name, "lonely.viktorbarzin.lan");
    assert.ok(f.fix && f.fix.kind === "record");
    const fix = f.fix as Extract<typeof f.fix, { kind: "record" }>;
    const fixed = await (await changeRecord(recordChange.parse({ zone: fix.zone, op: fix.op, name: fix.name, type: fix.type, value: fix.value, ttl: 300 }), by)).work;
    assert.equal(fixed.status, "ok", fixed.summary ?? "");
    const after = await consistencyReport(h.ctx);
    assert.deepEqual(after.findings.filter((x) => x.kind === "a-without-ptr").map((x) => x.name), ["octoprint.viktorbarzin.lan"]);
  } finally {
    await h.stop();
  }
});
