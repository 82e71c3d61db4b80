import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultStackConfig } from "@/k8s/config";
import { ndotsScenario } from "../ndots";
import { archConfigFrom } from "../stack-config";

const cfg = archConfigFrom(defaultStackConfig);

test("ndots 5: www.cloudflare.com from a pod walks the whole search list first (10 queries, 8 junk)", () => {
  const s = ndotsScenario(cfg, "www.cloudflare.com", "media", 5, false);
  assert.deepEqual(s.tries.map((t) => t.qname), [
    "www.cloudflare.com.media.svc.cluster.local",
    "www.cloudflare.com.svc.cluster.local",
    "www.cloudflare.com.cluster.local",
    "www.cloudflare.com.viktorbarzin.lan",
    "www.cloudflare.com",
  ]);
  assert.equal(s.tries[3].answeredBy, "coredns-template"); // short-circuited, never reaches Technitium
  assert.equal(s.queries, 10);
  assert.equal(s.junk, 8);
});

test("ndots 2 (the cluster's Kyverno setting): the same lookup costs one name", () => {
  const s = ndotsScenario(cfg, "www.cloudflare.com", "media", 2, false);
  assert.deepEqual(s.tries.map((t) => t.qname), ["www.cloudflare.com"]);
  assert.equal(s.queries, 2);
});

test("a single-label internal host resolves through the search list at the internal zone", () => {
  const s = ndotsScenario(cfg, "idrac", "media", 2, false);
  assert.equal(s.tries.at(-1)!.qname, "idrac.viktorbarzin.lan");
  assert.equal(s.tries.at(-1)!.outcome, "answer");
  assert.equal(s.tries.length, 4);
});

test("with NodeLocal forwarding the internal zone straight to Technitium, the template is bypassed", () => {
  const s = ndotsScenario(cfg, "www.cloudflare.com", "media", 5, true);
  assert.equal(s.tries[3].answeredBy, "technitium");
  assert.equal(s.tries[3].templateBypassed, true);
});
