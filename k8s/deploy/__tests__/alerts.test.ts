// The homelab's DNS alert rules: valid for Prometheus 2.42, their promtool unit tests pass, and the PrometheusRule
// carries exactly the same groups. Needs Debian's promtool (scripts/ensure-system.sh installs it); fails without it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

const dir = path.resolve(import.meta.dirname, "..");
const promtool = (...args: string[]) => spawnSync("/usr/bin/promtool", args, { cwd: path.join(dir, "alerts"), encoding: "utf8" });

test("promtool accepts the rules file", () => {
  const r = promtool("check", "rules", "dns-alerts.yml");
  assert.equal(r.error, undefined, "promtool is missing: run scripts/ensure-system.sh");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: 9 rules found/);
});

test("promtool test rules: every alert fires on its data and not before its `for`", () => {
  const r = promtool("test", "rules", "dns-alerts.test.yml");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
});

test("the alert names are the homelab's", () => {
  const groups = parse(readFileSync(path.join(dir, "alerts", "dns-alerts.yml"), "utf8")).groups as { rules: { alert: string }[] }[];
  assert.deepEqual(groups.flatMap((g) => g.rules.map((r) => r.alert)).sort(), [
    "CoreDNSErrors", "CoreDNSForwardFailureRate", "DNSHighErrorRate", "DNSQueryRateDropped", "DNSQuerySpike",
    "TechnitiumDNSDown", "TechnitiumZoneCountMismatch", "TechnitiumZoneSyncFailed", "TechnitiumZoneSyncStale",
  ]);
});

test("the PrometheusRule holds the same groups as the rules file", () => {
  const file = parse(readFileSync(path.join(dir, "alerts", "dns-alerts.yml"), "utf8"));
  const pr = parse(readFileSync(path.join(dir, "40-prometheusrule.yaml"), "utf8"));
  assert.equal(pr.kind, "PrometheusRule");
  assert.equal(pr.apiVersion, "monitoring.coreos.com/v1");
  assert.deepEqual(pr.spec.groups, file.groups);
});
