import { test } from "node:test";
import assert from "node:assert/strict";
import { prefetch } from "../prefetch";

test("prefetch hands the page what the API would have sent: plain JSON", async () => {
  const got = await prefetch(Promise.resolve({ at: new Date("2026-12-04T00:00:00Z"), n: 1, gone: undefined }));
  assert.deepEqual(got, { at: "2026-12-04T00:00:00.000Z", n: 1 });
});

test("a failed or slow read leaves the panel to the view (undefined), never fails the page", async () => {
  assert.equal(await prefetch(Promise.reject(new Error("503 from the verb"))), undefined);
  const started = Date.now();
  let late: (v: number) => void = () => {};
  const slow = new Promise<number>((r) => (late = r));
  assert.equal(await prefetch(slow, 50), undefined);
  assert.ok(Date.now() - started < 1_000, "the page waited for its budget, not for the read");
  late(1);
});
