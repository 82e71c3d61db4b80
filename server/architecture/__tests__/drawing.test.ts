import { after, test } from "node:test";
import assert from "node:assert/strict";
import { defaultStackConfig } from "@/k8s/config";
import { resetEnvForTests } from "@/server/env";
import { atNaturalSize, drawingConfig, renderIdFor, sourceTag } from "../drawing-key";
import { closeRenderer, drawOnServer } from "../drawing";
import { buildPathDiagrams } from "../paths";
import { quotedLabel } from "../mermaid-text";
import { archConfigFrom } from "../stack-config";

// The server's mermaid renderer runs Debian's Chromium (scripts/ensure-system.sh installs it, as for the e2e tests).
after(() => closeRenderer());

test("atNaturalSize gives the drawing its viewBox's size and no max-width; other text is left alone", () => {
  const svg = `<svg id="a" width="100%" xmlns="http://www.w3.org/2000/svg" class="flowchart" style="max-width: 2780.25px;" viewBox="0 0 2780.25 1066" role="graphics-document document"><g/></svg>`;
  assert.equal(atNaturalSize(svg), `<svg id="a" xmlns="http://www.w3.org/2000/svg" class="flowchart" viewBox="0 0 2780.25 1066" role="graphics-document document" width="2780.25" height="1066" style="max-width: none;"><g/></svg>`);
  assert.equal(atNaturalSize("<div>no</div>"), "<div>no</div>");
  assert.equal(atNaturalSize(`<svg width="100%"><g/></svg>`), `<svg width="100%"><g/></svg>`);
  assert.equal(drawingConfig("panzoom").flowchart.useMaxWidth, false);
  assert.equal(drawingConfig("fit").flowchart.useMaxWidth, true);
});

test("a resolution path is drawn on the server: the SVG mermaid makes, under the key's id, kept for the next caller", async () => {
  const source = buildPathDiagrams(archConfigFrom(defaultStackConfig), { nodeLocalDeployed: true })[0].mermaid;
  // not drawn yet, and no time to wait: no drawing (the browser would draw), but the drawing is started
  assert.equal(await drawOnServer(source, "fit", 0), undefined);
  const drawn = await drawOnServer(source, "fit", 60_000);
  assert.ok(drawn, "drawn within a minute");
  assert.equal(drawn.kind, "fit");
  assert.equal(drawn.of, sourceTag(source));
  assert.notEqual(sourceTag(`${source} `), drawn.of);
  assert.notEqual(sourceTag(source.replace("NodeLocal", "NodeLocak")), drawn.of);
  assert.match(drawn.svg, new RegExp(`^<svg id="${renderIdFor(drawn.key)}"`));
  assert.match(drawn.svg, /aria-roledescription="flowchart-v2"/);
  assert.match(drawn.svg, /NodeLocal DNSCache/);
  // every stage of the source is a node of the drawing, laid out (a translate each: the layout measured the labels)
  const nodes = [...drawn.svg.matchAll(/<g class="node[^"]*" id="[^"]*flowchart-([a-zA-Z0-9]+)-\d+"[^>]* transform="translate\(([\d.]+), ([\d.]+)\)"/g)];
  assert.ok(nodes.length >= 4, `${nodes.length} nodes`);
  assert.ok(new Set(nodes.map((n) => `${n[2]},${n[3]}`)).size === nodes.length, "no two nodes in one place");
  // the same source again: from memory, at once
  assert.deepEqual(await drawOnServer(source, "fit", 0), drawn);
  // another kind of drawing is another drawing
  const panzoom = await drawOnServer(source, "panzoom", 60_000);
  assert.ok(panzoom && panzoom.key !== drawn.key);
});

test("a hostile label is drawn as text by the server's renderer: no element, no handler", async () => {
  const source = `graph TB\n  a${quotedLabel(['evil"]; click a call alert(1) %% <img src=x onerror=alert(1)>'])}\n  a --> b["ok"]`;
  const drawn = await drawOnServer(source, "fit", 60_000);
  assert.ok(drawn);
  assert.doesNotMatch(drawn.svg, /<img|\son[a-z]+="/i);
  assert.match(drawn.svg, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

test("DIAGRAM_RENDERER=off: nothing is drawn on the server", async () => {
  process.env.DIAGRAM_RENDERER = "off";
  resetEnvForTests();
  try {
    assert.equal(await drawOnServer("graph TB\n  x --> y", "fit", 10_000), undefined);
  } finally {
    delete process.env.DIAGRAM_RENDERER;
    resetEnvForTests();
  }
});
