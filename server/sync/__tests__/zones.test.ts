import assert from "node:assert/strict";
import { after, test } from "node:test";
import { AppError } from "@/server/errors";
import { getRun, listRuns } from "../runs";
import { runSync } from "../service";
import type { ZoneSyncResults } from "../zones";
import { dropDatabase, startHarness, zoneMap } from "./harness";

after(dropDatabase);

const results = (run: { results: unknown }) => run.results as ZoneSyncResults;
const outcome = (run: { results: unknown }, zone: string, replica: string) => results(run).results.find((r) => r.zone === zone && r.replica === replica);

test("zone sync creates the missing Secondaries, resyncs the lagging one, reports the orphan, and converges", async () => {
  const h = await startHarness();
  try {
    const run = await runSync("zones", { trigger: "api", user: "alice", context: h.ctx, waitTimeoutMs: 8000 });
    assert.equal(run.status, "ok", run.error ?? run.summary ?? "");
    assert.equal(outcome(run, "0.168.192.in-addr.arpa", "secondary")?.outcome, "created");
    assert.equal(outcome(run, "emrsn.org", "secondary")?.outcome, "created");
    assert.equal(outcome(run, "viktorbarzin.lan", "secondary")?.outcome, "resynced");
    assert.equal(outcome(run, "viktorbarzin.lan", "tertiary")?.outcome, "in-step");
    const orphan = results(run).orphans.find((o) => o.zone === "30.0.10.in-addr.arpa");
    assert.equal(orphan?.action, "reported", "orphans are only reported unless asked");
    // serials now match on every replica
    const [p, s, t] = await Promise.all(h.apis.map((a) => a.listZones()));
    const pm = zoneMap(p);
    for (const rep of [s, t]) {
      const rm = zoneMap(rep);
      for (const [zone, v] of Object.entries(pm)) assert.equal(rm[zone]?.split(":")[1], v.split(":")[1], `${zone} serial`);
    }
    assert.ok(zoneMap(t)["30.0.10.in-addr.arpa"], "the orphan is still there");
    // persisted with steps, who and trigger
    const stored = await getRun(run.id);
    assert.equal(stored.createdBy, "alice");
    assert.equal(stored.trigger, "api");
    assert.ok(stored.steps.length >= 4 && stored.steps.every((s) => s.finishedAt), JSON.stringify(stored.steps));
  } finally {
    await h.stop();
  }
});

test("orphans are removed only when the operator asks", async () => {
  const h = await startHarness();
  try {
    const run = await runSync("zones", { trigger: "api", user: "alice", context: h.ctx, removeOrphans: true, waitTimeoutMs: 8000 });
    assert.equal(results(run).orphans.find((o) => o.zone === "30.0.10.in-addr.arpa")?.action, "removed");
    assert.equal(zoneMap(await h.apis[2].listZones())["30.0.10.in-addr.arpa"], undefined);
  } finally {
    await h.stop();
  }
});

test("a replica going down mid-sync: partial naming zone and replica, the other replica finishes, a rerun completes without creating anything twice", async () => {
  const h = await startHarness();
  try {
    // give the tertiary work too
    await h.apis[2].deleteZone("emrsn.org");
    // the secondary dies right when the first create is sent
    const sec = h.apis[1];
    const create = sec.createSecondaryZone.bind(sec);
    let downed = false;
    sec.createSecondaryZone = async (zone, addrs) => {
      if (!downed) {
        downed = true;
        await h.twin.setFault("secondary", { down: true });
      }
      return create(zone, addrs);
    };
    const run = await runSync("zones", { trigger: "api", user: "alice", context: h.ctx, waitTimeoutMs: 5000 });
    assert.equal(run.status, "partial");
    assert.equal(outcome(run, "emrsn.org", "tertiary")?.outcome, "created", "the other replica finishes");
    const failedSec = results(run).results.filter((r) => r.replica === "secondary" && r.outcome === "failed").map((r) => r.zone);
    assert.ok(failedSec.includes("0.168.192.in-addr.arpa") && failedSec.includes("emrsn.org"), JSON.stringify(failedSec));
    assert.match(run.error ?? "", /0\.168\.192\.in-addr\.arpa on secondary/);
    assert.match(run.summary ?? "", /on secondary/);

    await h.twin.setFault("secondary", null);
    sec.createSecondaryZone = create;
    const again = await runSync("zones", { trigger: "api", user: "alice", context: h.ctx, waitTimeoutMs: 8000 });
    assert.equal(again.status, "ok", again.error ?? "");
    assert.equal(outcome(again, "emrsn.org", "tertiary")?.outcome, "in-step", "nothing created twice on the tertiary");
    for (const api of h.apis.slice(1)) {
      const names = (await api.listZones()).map((z) => z.name.toLowerCase());
      assert.equal(names.length, new Set(names).size, `no duplicate zones on ${api.name}`);
    }
    const creates = h.calls.secondary.filter((c) => c === "zones/create").length;
    assert.ok(creates <= 3, `secondary saw ${creates} creates`);
  } finally {
    await h.stop();
  }
});

test("primary unreachable: the run fails with that reason and no replica is touched", async () => {
  const h = await startHarness();
  try {
    await h.twin.setFault("primary", { down: true });
    const run = await runSync("zones", { trigger: "api", user: "alice", context: h.ctx });
    assert.equal(run.status, "failed");
    assert.match(run.error ?? "", /the primary \(primary\) is unreachable.*cannot reach/);
    assert.match(run.error ?? "", /no replica was touched/);
    assert.deepEqual(h.calls.secondary, []);
    assert.deepEqual(h.calls.tertiary, []);
  } finally {
    await h.stop();
  }
});

test("an invalid token on a replica: a clear message naming the instance", async () => {
  const h = await startHarness();
  try {
    await h.twin.setFault("secondary", { tokenInvalid: true });
    const run = await runSync("zones", { trigger: "api", user: "alice", context: h.ctx, waitTimeoutMs: 5000 });
    assert.equal(run.status, "partial");
    const r = outcome(run, "viktorbarzin.lan", "secondary");
    assert.equal(r?.outcome, "failed");
    assert.match(r?.message ?? "", /^secondary: the API token was refused/);
    assert.match(r?.message ?? "", /TECHNITIUM_TOKEN_SECONDARY/);
  } finally {
    await h.stop();
  }
});

test("two syncs of the same kind at once: the second is refused with the running one's id", async () => {
  const h = await startHarness();
  try {
    await h.twin.setFault("primary", { delayMs: 400 });
    const first = await runSync("zones", { trigger: "api", user: "alice", context: h.ctx, wait: false, waitTimeoutMs: 5000 });
    assert.equal(first.status, "running");
    await assert.rejects(
      runSync("zones", { trigger: "cli", user: "bob", context: h.ctx }),
      (e: unknown) => e instanceof AppError && e.code === "conflict" && (e.details as { runningId: number }).runningId === first.id && e.message.includes(`#${first.id}`),
    );
    // another kind is not blocked by it
    const other = await runSync("split-horizon", { trigger: "api", user: "bob", context: h.ctx });
    assert.notEqual(other.status, "running");
    // the first finishes and is stored
    const deadline = Date.now() + 15000;
    let done = await getRun(first.id);
    while (done.status === "running" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      done = await getRun(first.id);
    }
    assert.notEqual(done.status, "running");
    const page = await listRuns({ kind: "zones", pageSize: 50 });
    assert.ok(page.runs.some((r) => r.id === first.id));
  } finally {
    await h.stop();
  }
});
