import assert from "node:assert/strict";
import { test } from "node:test";
import { withTimeout } from "@/server/timeout";

const late = () => new Error("late");
const after = <T>(ms: number, v: T) => new Promise<T>((r) => setTimeout(() => r(v), ms));

test("withTimeout passes a prompt answer and its failure through, and throws the caller's error when the answer is late", async () => {
  assert.equal(await withTimeout(after(5, "ok"), 500, late), "ok");
  await assert.rejects(withTimeout(Promise.reject(new TypeError("own failure")), 500, late), TypeError);
  // a late answer would resolve with "too late": the rejection proves the deadline won
  await assert.rejects(withTimeout(after(2000, "too late"), 50, late), /^Error: late$/);
});
