import assert from "node:assert/strict";
import { test } from "node:test";
import { conflictsOf, isDryRunUnsupported } from "../error";

test("an SSA 409 names each conflicting field and its manager; a 409 without causes is not an ownership conflict", () => {
  const s = {
    code: 409,
    reason: "Conflict",
    message: 'Apply failed with 2 conflicts: conflicts with "Terraform": .spec.selector; conflict with "kubeadm" using apps/v1: .spec.replicas',
    causes: [
      { reason: "FieldManagerConflict", field: ".spec.selector", message: 'conflict with "Terraform"' },
      { reason: "FieldManagerConflict", field: ".spec.replicas", message: 'conflict with "kubeadm" using apps/v1 at 2026-11-24T10:00:00Z' },
    ] as any,
  };
  assert.deepEqual(
    conflictsOf(s).map((c) => [c.field, c.manager]),
    [
      [".spec.selector", "Terraform"],
      [".spec.replicas", "kubeadm"],
    ],
  );
  assert.deepEqual(conflictsOf({ code: 409, reason: "Conflict", message: "the object has been modified; please apply your changes to the latest version" }), []);
});

test("a dry run blocked by a webhook is 'preview unavailable', any other 400 is not", () => {
  assert.equal(isDryRunUnsupported({ code: 400, message: 'admission webhook "mutate.kyverno.svc" does not support dry run' }), true);
  assert.equal(isDryRunUnsupported({ code: 400, message: "bad patch" }), false);
  assert.equal(isDryRunUnsupported({ code: 500, message: "does not support dry run" }), false);
});
