import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultStackConfig } from "@/k8s/config";
import { buildArchitectureGraph } from "../graph";
import { escapeLabelText, quotedLabel } from "../mermaid-text";
import { archConfigFrom } from "../stack-config";

export const HOSTILE = `evil"]; click X call alert(1) %% <img src=x onerror=alert(1)>`;

/** Every line of generated mermaid, with quoted labels removed, must be plain grammar made of dnsdeck's own ids. */
function assertNoBreakout(mermaid: string) {
  for (const line of mermaid.split("\n")) {
    const rest = line.replace(/\["[^"]*"\]/g, "").replace(/\|"[^"]*"\|/g, "");
    assert.match(
      rest,
      /^(\s*|graph TB|flowchart LR|\s*subgraph [a-zA-Z0-9]+|\s*end|\s*[a-z][a-zA-Z0-9]*|\s*[a-z][a-zA-Z0-9]* (-->|-\.->|~~~) [a-z][a-zA-Z0-9]*|\s*classDef [a-z]+ [a-z0-9:#,.\- ]+|\s*class [a-z0-9,]+ [a-z]+)$/i,
      `line escapes its label: ${line}`,
    );
    assert.doesNotMatch(rest, /click|call|%%|alert/);
    assert.doesNotMatch(line, /<img|alert\(|"\]; /);
  }
}

test("escapeLabelText turns every markup or mermaid syntax character into an entity code", () => {
  const e = escapeLabelText(HOSTILE);
  assert.equal(e, "evil#34;#93;#59; click X call alert#40;1#41; #37;#37; #60;img src=x onerror=alert#40;1#41;#62;");
  for (const ch of `"<>&#;[]{}()|%\`\n`) assert.ok(!escapeLabelText(`a${ch}b`).includes(ch === "#" || ch === ";" ? `a${ch}b` : ch), `raw ${JSON.stringify(ch)}`);
  assert.equal(quotedLabel(["a", "b<c"]), '["a<br/>b#60;c"]');
  assert.match(escapeLabelText("x".repeat(500)), /^x{120}#8230;$/);
});

test("a hostile zone, pod, node, version and error string cannot break out of the generated graph", () => {
  const cfg = archConfigFrom(defaultStackConfig);
  cfg.technitiumInstances[1] = { ...cfg.technitiumInstances[1], deployment: HOSTILE };
  const g = buildArchitectureGraph(cfg, {
    nodeLocal: { ok: true, value: { deployed: true, desired: 2, ready: 1, nodes: [{ node: HOSTILE, ready: true }, { node: `k8s-node1\nclick nodelocal call alert(2)`, ready: false }] } },
    coreDns: { ok: true, value: { desired: 1, ready: 1, pods: [{ name: HOSTILE, ip: "10.244.0.2", ready: true }] } },
    upstreamService: { ok: false, error: HOSTILE },
    technitium: {
      ok: true,
      value: [
        { name: "primary", primary: true, up: true, version: HOSTILE, zoneCount: 3, outOfStep: [] },
        { name: "secondary", primary: false, up: true, version: "14.3.0", zoneCount: 2, outOfStep: [HOSTILE] },
        { name: "tertiary", primary: false, up: false, error: HOSTILE },
      ],
    },
    cronJobs: { ok: true, value: [{ name: "technitium-zone-sync", namespace: "technitium", exists: true, lastRun: "ok", lastScheduleTime: HOSTILE }] },
  });
  assertNoBreakout(g.mermaid);
  assert.ok(g.mermaid.includes("#60;img src=x onerror=alert#40;1#41;#62;"), "the hostile text is still shown, escaped");
  // ids are dnsdeck's own, never the live string
  for (const n of g.nodes) assert.match(n.id, /^[a-z][a-zA-Z0-9]*$/);
});
