import assert from "node:assert/strict";
import { test } from "node:test";
import { Progress } from "@/server/sync/progress";
import type { HopResult, TraceResult } from "@/server/trace/run";
import { provePaths } from "../paths";
import type { Expectation } from "../proof";

// How the client-path proof reads a trace: pure, over trace results shaped as the tracer returns them.

const hop = (name: string, o: Partial<HopResult>): HopResult => ({
  hop: name,
  stage: "x",
  server: "10.96.0.10",
  rcode: "NOERROR",
  answers: [],
  ttl: null,
  latencyMs: 2,
  cached: false,
  error: null,
  outcome: "answer",
  outcomeText: "",
  matches: null,
  ...o,
});
const a = (data: string, ttl: number) => ({ name: "nas.viktorbarzin.lan", type: "A", ttl, data });
const change: Expectation = { zone: "viktorbarzin.lan", name: "nas", type: "A", present: ["10.0.20.9"], absent: ["10.0.20.8"] };
const result = (hops: HopResult[]): TraceResult => ({ name: "nas.viktorbarzin.lan", type: "A", clientClass: "pod-internal", node: "k8s-node1", kind: "internal", hops, expected: null, durationMs: 5 });

test("every hop answering the new value agrees; one still serving the old value from its cache says for how long", async () => {
  const progress = new Progress(async () => {});
  const seq = [
    result([hop("NodeLocal on k8s-node1", { answers: [a("10.0.20.8", 21)], ttl: 21, cached: true }), hop("CoreDNS", { answers: [a("10.0.20.9", 300)] })]),
  ];
  const out = await provePaths(change, "nas.viktorbarzin.lan", "internal", progress, { trace: async () => seq[0], deadline: Date.now() - 1, pollMs: 10 });
  const pod = out.find((p) => p.clientClass === "pod-internal")!;
  assert.equal(pod.outcome, "cached");
  assert.match(pod.message, /NodeLocal on k8s-node1, which still answers 10\.0\.20\.8 from its cache, for at most 21 s more/);
  assert.equal(progress.steps.find((s) => s.name.startsWith("pod path"))?.status, "warning");
});

test("a hop answering something else with no cache to blame disagrees, and the step fails naming it", async () => {
  const progress = new Progress(async () => {});
  const t = result([hop("CoreDNS", { rcode: "NXDOMAIN", outcome: "nxdomain", outcomeText: "NXDOMAIN" }), hop("technitium-primary", { answers: [a("10.0.20.9", 300)] })]);
  const out = await provePaths(change, "nas.viktorbarzin.lan", "internal", progress, { trace: async () => t, deadline: Date.now() - 1, pollMs: 10 });
  assert.equal(out[0].outcome, "disagrees");
  assert.match(out[0].message, /^CoreDNS answers NXDOMAIN, not 10\.0\.20\.9$/);
  assert.equal(progress.steps[0].status, "failed");
});

test("polls until the caches let go, within the deadline", async () => {
  const progress = new Progress(async () => {});
  let calls = 0;
  const trace = async () => (++calls < 3 ? result([hop("NodeLocal", { answers: [a("10.0.20.8", 2)], ttl: 2, cached: true })]) : result([hop("NodeLocal", { answers: [a("10.0.20.9", 30)] })]));
  const out = await provePaths(change, "nas.viktorbarzin.lan", "internal", progress, { trace, deadline: Date.now() + 5000, pollMs: 10 });
  assert.equal(out[0].outcome, "agrees");
  assert.equal(calls, 4, "three traces for the pod path (two cached, one agreeing), one for the LAN path");
  assert.deepEqual(await provePaths({ ...change, type: "PTR" }, "x", "internal", progress, { trace, deadline: 0, pollMs: 10 }), [], "PTR changes are proven at the instances only");
});
