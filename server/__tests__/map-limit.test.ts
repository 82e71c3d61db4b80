import { test } from "node:test";
import assert from "node:assert/strict";
import { mapLimit } from "../map-limit";

test("mapLimit keeps the items' order and never has more than the limit in flight", async () => {
  let inFlight = 0;
  let most = 0;
  const out = await mapLimit([50, 5, 30, 1, 20, 10, 2], 3, async (ms, i) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, ms));
    inFlight--;
    return `${i}:${ms}`;
  });
  assert.deepEqual(out, ["0:50", "1:5", "2:30", "3:1", "4:20", "5:10", "6:2"]);
  assert.equal(most, 3);
});

test("mapLimit rejects with the first failure and handles no items", async () => {
  await assert.rejects(mapLimit([1, 2, 3], 2, async (n) => { if (n === 2) throw new Error("two failed"); return n; }), /two failed/);
  assert.deepEqual(await mapLimit([], 4, async () => 1), []);
});
