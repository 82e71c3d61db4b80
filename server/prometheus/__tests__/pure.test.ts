// Range/step choice, the funnel arithmetic, the range input and the anomaly exposition (pure).
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderAnomalyMetrics } from "../anomaly";
import { buildFunnel } from "../funnel";
import { chooseWindow, RANGES } from "../range";
import { rangeSchema } from "../schemas";

test("every offered range asks for at most 150 points per series, aligned to the step, never finer than a scrape", () => {
  const to = new Date("2026-12-03T12:34:56Z");
  for (const [name, sec] of Object.entries(RANGES)) {
    const w = chooseWindow(new Date(to.getTime() - sec * 1000), to);
    assert.ok(w.points <= 150 && w.points >= 15, `${name}: ${w.points}`);
    assert.equal(w.start % w.step, 0);
    assert.equal(w.end % w.step, 0);
    assert.ok(w.step >= 15);
    assert.ok(parseInt(w.rateWindow) >= w.step);
  }
});

test("the funnel splits what pods sent between the node cache, CoreDNS, Technitium and the upstreams", () => {
  const s = (metric: Record<string, string>, v: number) => ({ metric, value: [0, String(v)] as [number, string] });
  const f = buildFunnel(
    {
      nodeRequests: [s({ node: "k8s-node1" }, 600), s({ node: "k8s-node2" }, 400)],
      nodeHits: [s({ node: "k8s-node1" }, 300), s({ node: "k8s-node2" }, 100)],
      nodeForwards: [s({ to: "10.96.0.11:53" }, 500), s({ to: "10.96.0.53:53" }, 100)],
      corednsRequests: [s({}, 500)],
      corednsHits: [s({}, 200)],
      corednsForwards: [s({ to: "10.96.0.53:53" }, 100), s({ to: "10.0.20.1:53" }, 50)],
    },
    { Authoritative: 50, Cached: 25, Recursive: 25 },
  );
  assert.equal(f.total, 1000);
  const q = Object.fromEntries(f.stages.map((x) => [x.key, x.queries]));
  assert.deepEqual(q, { nodelocal: 400, "coredns-cache": 200, coredns: 150, "technitium-authoritative": 100, "technitium-cached": 50, "technitium-recursive": 50, "technitium-blocked": 0, upstreams: 50 });
  assert.equal(f.stages.reduce((a, x) => a + x.queries, 0), 1000, "every query is accounted for once");
  assert.deepEqual(f.perNode.map((n) => [n.node, n.share]), [["k8s-node1", 0.5], ["k8s-node2", 0.25]]);
});

test("range input: bounded, ordered, not in the future", () => {
  assert.equal(rangeSchema.safeParse({ range: "30d" }).success, false);
  assert.equal(rangeSchema.safeParse({ from: "2026-12-03T10:00:00Z", to: "2026-12-01T10:00:00Z" }).success, false);
  assert.equal(rangeSchema.safeParse({ from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z" }).success, false);
  assert.equal(rangeSchema.safeParse({ from: "yesterday" }).success, false);
  const ok = rangeSchema.parse({ range: "6h" });
  assert.equal(ok.to.getTime() - ok.from.getTime(), 6 * 3600_000);
});

test("the anomaly push is valid exposition with the names the alerts read", () => {
  const text = renderAnomalyMetrics({ totalQueries: 1200, errorQueries: 30, nxdomainQueries: 90, windowSeconds: 900, lastRunUnixSeconds: 1764760000.7 });
  assert.match(text, /^# TYPE dns_anomaly_total_queries gauge\ndns_anomaly_total_queries 1200$/m);
  assert.match(text, /^dns_anomaly_error_queries 30$/m);
  assert.match(text, /^dns_anomaly_last_run 1764760000$/m);
  assert.ok(text.endsWith("\n"));
});
