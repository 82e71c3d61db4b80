import { test } from "node:test";
import assert from "node:assert/strict";
import { versionProblems, versionSupport } from "../versions";

test("supported releases: 14.3 and 15.0–15.2; only 15.x can feed the PostgreSQL query log", () => {
  assert.deepEqual(versionSupport("14.3"), { version: "14.3", supported: true, postgresQueryLogs: false, note: undefined });
  assert.equal(versionSupport("15.0.1").supported, true);
  assert.equal(versionSupport("15.2").postgresQueryLogs, true);
  assert.match(versionSupport("13.6").note!, /supports Technitium 14\.3 and 15\.0–15\.2; this instance reports 13\.6/);
  assert.equal(versionSupport("16.0").supported, false);
});

test("problems: an unsupported release, mixed releases, and 14.3 where query logs are expected", () => {
  assert.deepEqual(versionProblems([{ name: "primary", version: "15.2" }, { name: "secondary", version: "15.2" }], { queryLogsConfigured: true }), []);
  const p = versionProblems([{ name: "primary", version: "15.2" }, { name: "secondary", version: "14.3" }], { queryLogsConfigured: true });
  assert.equal(p.length, 2);
  assert.match(p[0], /different releases \(primary 15\.2, secondary 14\.3\)/);
  assert.match(p[1], /secondary \(14\.3\) cannot run the Query Logs \(PostgreSQL\) app/);
  assert.deepEqual(versionProblems([{ name: "primary", version: "14.3" }], { queryLogsConfigured: false }), [], "14.3 without a query-log database is fine");
});
