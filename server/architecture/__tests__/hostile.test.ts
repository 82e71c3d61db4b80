import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultStackConfig } from "@/k8s/config";
import { buildArchitectureGraph } from "../graph";
import { LiveLine, edgeLabel, escapeLabelText, fillLiveSource, fillLiveSvg, fillLiveText, hasLivePlaceholder, livePlaceholder, quotedLabel, reservedWidth } from "../mermaid-text";
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

/** What mermaid draws for a label's entity codes: the characters they name. */
const drawnText = (source: string) => source.replace(/#(\d+);/g, (_m, n) => String.fromCodePoint(Number(n)));

test("a live placeholder: its reserved width in characters, drawn as plain text, filled as text, never as markup", () => {
  assert.equal(livePlaceholder("v3", 8), "#10214;v3#8199;#8199;#8199;#8199;#10215;");
  assert.equal(Array.from(drawnText(livePlaceholder("v3", 8))).length, 8);
  assert.equal(Array.from(drawnText(livePlaceholder("v12", 3))).length, 5); // never shorter than bracket, token, bracket
  assert.throws(() => livePlaceholder("v1⟧<b>", 6));
  // a value's characters are narrower than figure spaces (about 0.8 of one): 10 characters fit a placeholder of 8
  assert.equal(reservedWidth(" · 9.5 q/s", [9, 17]), 9);
  assert.equal(reservedWidth(" · 999 q/s", [9, 17]), 9);
  assert.equal(reservedWidth(" · 42 q/s, 1.2% err", [9, 17]), 17);
  assert.equal(reservedWidth("x".repeat(30), [9, 17]), 24);

  const line = new LiveLine(["ingest lag ", { token: "v0", value: "30s", width: 4 }]);
  assert.equal(String(line), "ingest lag 30s");
  const source = `  querylogs${quotedLabel(["PostgreSQL query logs", line])}\n  a -->${edgeLabel(new LiveLine(["cache miss", { token: "v1", value: " · 9.5 q/s", width: 11 }]))} b\n`;
  const live = { v0: "30s", v1: " · 9.5 q/s" };
  assert.equal(fillLiveSource(source, live), `  querylogs${quotedLabel(["PostgreSQL query logs", "ingest lag 30s"])}\n  a -->${edgeLabel("cache miss · 9.5 q/s")} b\n`);
  const drawn = drawnText(source);
  assert.ok(hasLivePlaceholder(drawn));
  assert.equal(fillLiveText("ingest lag " + drawnText(livePlaceholder("v0", 4)), live), "ingest lag 30s");
  // a value the map does not have reads as "?", not as the placeholder
  assert.equal(fillLiveText(drawnText(livePlaceholder("v9", 4)), live), "?");
  // the values come from the server, but markup in one stays text: escaped in an SVG document and in mermaid source
  const evil = { v0: HOSTILE };
  assert.equal(fillLiveText(drawnText(livePlaceholder("v0", 4)), evil), HOSTILE);
  const svg = fillLiveSvg(`<svg><p>${drawnText(livePlaceholder("v0", 4))}</p></svg>`, evil);
  assert.doesNotMatch(svg.slice("<svg><p>".length, -"</p></svg>".length), /[<>"]/);
  assert.ok(svg.includes("&#60;img src=x onerror=alert(1)&#62;"));
  assertNoBreakout(fillLiveSource(source, evil));
});

test("no live text can pass for a placeholder: dnsdeck's brackets in a name are shown as [ ] and never filled", () => {
  const forged = `pod-⟦v0⟧ #10214;v0#10215;`;
  const label = quotedLabel([forged]);
  assert.equal(label, '["pod-#91;v0#93; #35;10214#59;v0#35;10215#59;"]');
  assert.ok(!hasLivePlaceholder(drawnText(label)));
  assert.equal(fillLiveSource(label, { v0: "FILLED" }), label);
  assert.equal(fillLiveText(drawnText(label), { v0: "FILLED" }), drawnText(label));
});
