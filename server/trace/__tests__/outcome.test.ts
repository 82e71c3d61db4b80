import { test } from "node:test";
import assert from "node:assert/strict";
import { outcomeOf } from "../outcome";

test("outcomes are named as the servers produce them", () => {
  assert.equal(outcomeOf({ rcode: "NOERROR", answers: 1 }).outcome, "answer");
  assert.match(outcomeOf({ rcode: "NOERROR", answers: 1, transport: "tcp" }).text, /truncated over UDP, completed over TCP/);
  assert.equal(outcomeOf({ rcode: "NOERROR", answers: 0 }).outcome, "nodata");
  assert.match(outcomeOf({ rcode: "REFUSED", answers: 0, ra: false }).text, /does not recurse for dnsdeck's address/);
  assert.match(outcomeOf({ rcode: "REFUSED", answers: 0, ra: true }).text, /policy refused/);
  assert.equal(outcomeOf({ rcode: "BADVERS", answers: 0 }).outcome, "badvers");
  assert.equal(outcomeOf({ rcode: "FORMERR", answers: 0 }).outcome, "formerr");
  assert.match(outcomeOf({ rcode: null, answers: 0, errorKind: "timeout", timeoutMs: 1500 }).text, /no reply within 1500 ms: the packet was dropped/);
  assert.equal(outcomeOf({ rcode: null, answers: 0, errorKind: "unreachable" }).outcome, "unreachable");
});
