import assert from "node:assert/strict";
import { after, test } from "node:test";
import { AppError } from "@/server/errors";
import type { ApplyOutcome } from "../apps";
import { parseJsonc } from "../jsonc";
import { listRuns } from "../runs";
import { runSync } from "../service";
import { dropDatabase, startHarness } from "./harness";

after(dropDatabase);

const items = (run: { results: unknown }) => (run.results as ApplyOutcome["results"]).items;
const item = (run: { results: unknown }, instance: string, name: string) => items(run).find((i) => i.instance === instance && i.item === name);

test("split horizon sync fixes the drifted instances, leaves comment-only differences alone, and reads back what it set", async () => {
  const h = await startHarness();
  try {
    const run = await runSync("split-horizon", { trigger: "api", user: "alice", context: h.ctx });
    assert.equal(run.status, "ok", run.error ?? "");
    assert.equal(item(run, "primary", "Split Horizon")?.outcome, "in-step");
    assert.equal(item(run, "secondary", "DNS Rebinding Protection")?.outcome, "applied");
    assert.match(item(run, "secondary", "DNS Rebinding Protection")?.message ?? "", /privateDomains/);
    assert.equal(item(run, "tertiary", "Split Horizon")?.outcome, "applied");
    assert.equal(item(run, "tertiary", "DNS Rebinding Protection")?.outcome, "in-step", "a comment in the file is not drift");
    // read back straight from the twin's files
    const desired = (await h.ctx.desired()).splitHorizon;
    for (const name of ["primary", "secondary", "tertiary"] as const) {
      const text = await h.apis.find((a) => a.name === name)!.getAppConfig("Split Horizon");
      assert.deepEqual(parseJsonc(text!), desired, `${name} Split Horizon`);
      const rb = parseJsonc((await h.apis.find((a) => a.name === name)!.getAppConfig("DNS Rebinding Protection"))!) as { privateDomains: string[] };
      assert.ok(rb.privateDomains.includes("viktorbarzin.me"), `${name} rebinding`);
    }
    // a second run has nothing to do
    const again = await runSync("split-horizon", { trigger: "api", user: "alice", context: h.ctx });
    assert.ok(items(again).every((i) => i.outcome === "in-step"), JSON.stringify(items(again)));
  } finally {
    await h.stop();
  }
});

test("an invalid CIDR or address in the desired config is refused before anything is sent", async () => {
  const h = await startHarness();
  try {
    const tech = structuredClone(await h.ctx.desired());
    tech.splitHorizon.networkGroupMap = { "192.168.1.0/33": "lan" };
    tech.splitHorizon.groups[0].externalToInternalTranslation = { "176.12.22.76": "10.0.20.300" };
    h.setDesired(tech);
    const before = (await listRuns({ kind: "split-horizon" })).total;
    await assert.rejects(runSync("split-horizon", { trigger: "api", user: "alice", context: h.ctx }), (e: unknown) => {
      assert.ok(e instanceof AppError && e.code === "bad_request");
      assert.match(e.message, /192\.168\.1\.0\/33/);
      assert.match(e.message, /10\.0\.20\.300/);
      return true;
    });
    for (const name of ["primary", "secondary", "tertiary"]) assert.deepEqual(h.calls[name], [], `nothing sent to ${name}`);
    assert.equal((await listRuns({ kind: "split-horizon" })).total, before);

    // mismatched prefix lengths are refused too
    tech.splitHorizon.networkGroupMap = { "192.168.1.0/24": "lan" };
    tech.splitHorizon.groups[0].externalToInternalTranslation = { "176.12.22.0/24": "10.0.20.200" };
    await assert.rejects(runSync("split-horizon", { trigger: "api", user: "alice", context: h.ctx }), /same address family and prefix length/);
  } finally {
    await h.stop();
  }
});

test("a replica refusing config/set: partial, the others applied, the server's message kept", async () => {
  const h = await startHarness();
  try {
    await h.twin.setFault("tertiary", { errorPath: "apps/config/set", errorMessage: "Access was denied." });
    const run = await runSync("split-horizon", { trigger: "api", user: "alice", context: h.ctx });
    assert.equal(run.status, "partial");
    assert.equal(item(run, "secondary", "DNS Rebinding Protection")?.outcome, "applied");
    assert.equal(item(run, "tertiary", "Split Horizon")?.outcome, "failed");
    assert.match(item(run, "tertiary", "Split Horizon")?.message ?? "", /Access was denied/);
  } finally {
    await h.stop();
  }
});

test("an instance down: its items fail naming it (the second app is not attempted), the others are applied", async () => {
  const h = await startHarness();
  try {
    await h.twin.setFault("secondary", { down: true });
    const run = await runSync("split-horizon", { trigger: "api", user: "alice", context: h.ctx });
    assert.equal(run.status, "partial");
    assert.match(item(run, "secondary", "Split Horizon")?.message ?? "", /secondary: cannot reach/);
    assert.match(item(run, "secondary", "DNS Rebinding Protection")?.message ?? "", /^not attempted/);
    assert.equal(item(run, "tertiary", "Split Horizon")?.outcome, "applied");
    assert.match(run.summary ?? "", /on secondary/);
  } finally {
    await h.stop();
  }
});

test("resolver settings: cache TTLs and serve-stale applied and read back, the stub zone created where missing", async () => {
  const h = await startHarness();
  try {
    const run = await runSync("resolver-settings", { trigger: "api", user: "alice", context: h.ctx });
    assert.equal(run.status, "ok", run.error ?? "");
    assert.equal(item(run, "tertiary", "resolver settings")?.outcome, "applied");
    assert.equal(item(run, "secondary", "stub zone emrsn.org")?.outcome, "applied");
    assert.equal(item(run, "primary", "stub zone emrsn.org")?.outcome, "in-step");
    for (const api of h.apis) {
      const s = await api.getSettings();
      assert.equal(s.cacheMinimumRecordTtl, 60, api.name);
      assert.equal(s.cacheMaximumRecordTtl, 604800, api.name);
      assert.equal(s.serveStaleTtl, 259200, api.name);
      assert.equal(s.serveStale, true, api.name);
    }
  } finally {
    await h.stop();
  }
});
