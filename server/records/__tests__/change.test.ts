import assert from "node:assert/strict";
import { after, test } from "node:test";
import { dropDatabase, startHarness } from "@/server/sync/__tests__/harness";
import { AppError } from "@/server/errors";
import { answersAt } from "../proof";
import { changeRecord } from "../change";
import { listRecords } from "../list";
import { recordChange } from "../schema";
import { zonesView } from "../zones";

// Record changes on the Technitium twin with a real PostgreSQL for the runs: written on the primary, proven over DNS
// on every instance, and refused (nothing written) when the input, the precondition or the owner says so.

after(dropDatabase);

const input = (o: Record<string, unknown>) => recordChange.parse({ zone: "viktorbarzin.lan", ttl: 300, ...o });
const by = { trigger: "api" as const, user: "test-operator", deadlineMs: 8000 };

test("add an A with its PTR: written on the primary, every instance answers both over DNS, the run says converged", async () => {
  const h = await startHarness();
  try {
    const { work } = await changeRecord(input({ op: "add", name: "nas2", type: "A", value: "10.0.20.250", ptr: true }), { ...by, context: h.ctx });
    const run = await work;
    assert.equal(run.status, "ok", `${run.summary} ${run.error}`);
    assert.equal(run.kind, "record");
    for (const i of h.twin.instances) {
      assert.deepEqual(await answersAt(h.ctx, i.name, "nas2.viktorbarzin.lan", "A"), ["10.0.20.250"], i.name);
      assert.deepEqual(await answersAt(h.ctx, i.name, "250.20.0.10.in-addr.arpa", "PTR"), ["nas2.viktorbarzin.lan."], i.name);
    }
    const items = (run.results as { items: { instance: string; outcome: string }[] }).items;
    assert.deepEqual(items.map((i) => `${i.instance}:${i.outcome}`), ["primary:in-step", "secondary:in-step", "tertiary:in-step"]);
    const list = await listRecords(h.ctx, { zone: "viktorbarzin.lan", name: "nas2" });
    assert.deepEqual(list.records.map((r) => [r.name, r.type, r.value, r.owner, r.instances]), [["nas2", "A", "10.0.20.250", "dnsdeck", { primary: true, secondary: true, tertiary: true }]]);
    const zones = await zonesView(h.ctx);
    const lan = zones.zones.find((z) => z.name === "viktorbarzin.lan")!;
    assert.equal(lan.inStep, true, JSON.stringify(lan.serials));
    assert.deepEqual(lan.options?.updateNetworkACL, ["10.0.20.1", "10.0.10.1", "192.168.1.2"]);

    // update with a stale current value: 409 with what is there now, nothing changed
    await assert.rejects(
      changeRecord(input({ op: "update", name: "nas2", type: "A", current: "10.0.20.249", value: "10.0.20.251" }), { ...by, context: h.ctx }),
      (e: AppError) => e.code === "conflict" && /10\.0\.20\.250/.test(e.message),
    );
    // delete: the PTR goes with it, on every instance
    const del = await (await changeRecord(input({ op: "delete", name: "nas2", type: "A", value: "10.0.20.250" }), { ...by, context: h.ctx })).work;
    assert.equal(del.status, "ok", `${del.summary} ${del.error}`);
    for (const i of h.twin.instances) assert.deepEqual(await answersAt(h.ctx, i.name, "250.20.0.10.in-addr.arpa", "PTR"), [], i.name);
  } finally {
    await h.stop();
  }
});

test("a replica down: the change is on the primary and the other replica, the run is partial naming the missing one", async () => {
  const h = await startHarness();
  try {
    h.twin.setFault("tertiary", { down: true });
    const run = await (await changeRecord(input({ op: "add", name: "printer2", type: "A", value: "192.168.1.31" }), { ...by, context: h.ctx, deadlineMs: 3000 })).work;
    assert.equal(run.status, "partial");
    assert.match(run.summary ?? "", /not yet on tertiary/);
    assert.deepEqual(await answersAt(h.ctx, "secondary", "printer2.viktorbarzin.lan", "A"), ["192.168.1.31"]);
  } finally {
    await h.stop();
  }
});

test("refused before anything is written: primary down (503), a Kea DDNS record without force (409), CNAME next to an A (400), bad input (field named)", async () => {
  const h = await startHarness();
  try {
    const before = (await h.apis[0].getRecords("viktorbarzin.lan", "viktorbarzin.lan", { listZone: true })).zone.soaSerial;
    await assert.rejects(changeRecord(input({ op: "update", name: "printer", type: "A", current: "192.168.1.30", value: "192.168.1.32" }), { ...by, context: h.ctx }), (e: AppError) => {
      assert.equal(e.code, "conflict");
      assert.match(e.message, /kea-ddns/);
      assert.deepEqual((e.details as { needsForce: boolean }).needsForce, true);
      return true;
    });
    await assert.rejects(changeRecord(input({ op: "add", name: "idrac", type: "CNAME", value: "traefik.viktorbarzin.lan." }), { ...by, context: h.ctx }), (e: AppError) => e.code === "bad_request" && /CNAME/.test(e.message));
    assert.equal((await h.apis[0].getRecords("viktorbarzin.lan", "viktorbarzin.lan", { listZone: true })).zone.soaSerial, before, "nothing written");
    const bad = recordChange.safeParse({ zone: "viktorbarzin.lan", op: "add", name: "bad name", type: "A", value: "10.0.20.300", ttl: 0 });
    assert.equal(bad.success, false);
    assert.deepEqual(new Set(bad.error!.issues.map((i) => i.path.join("."))), new Set(["ttl", "name", "value"]));
    h.twin.setFault("primary", { down: true });
    await assert.rejects(changeRecord(input({ op: "add", name: "x1", type: "A", value: "10.0.20.9" }), { ...by, context: h.ctx }), (e: AppError) => e.code === "unavailable" && /nothing was written/.test(e.message));
  } finally {
    await h.stop();
  }
});
