import { readFileSync } from "node:fs";
import { expect, test } from "./fixtures";
import { quotedLabel } from "../server/architecture/mermaid-text";
import { VIEWER, url } from "./env";

// Architecture graph, resolution paths, tracer, ndots explainer; hostile labels cannot inject markup or script.
const HOSTILE = `evil"]; click tech0 call alert(1) %% <img src=x onerror=alert(1)>`;
/** A live placeholder as mermaid source carries it (server/architecture/mermaid-text.ts: livePlaceholder). */
const PLACEHOLDER = /#10214;([a-z][a-zA-Z0-9]*)(?:#8199;)*#10215;/g;
type ArchBody = { mermaid: string; live: Record<string, string>; nodes: { id: string; label: string }[] };

test.describe("architecture", () => {
  test("the API draws every component of the seed document with a health each", async ({ viewerRequest }) => {
    const r = await viewerRequest.get(url("main", "/api/v1/architecture"));
    expect(r.status()).toBe(200);
    const body = await r.json();
    expect(body.mermaid).toMatch(/^graph TB/);
    const labels = body.nodes.map((n: { label: string }) => n.label).join("\n");
    for (const c of ["Cloudflare DNS", "Cloudflared Tunnel", "LAN Clients", "dnsmasq", "Kea DHCP4", "NAT rdr", "NodeLocal DNSCache", "CoreDNS", "kube-dns-upstream", "Technitium primary", "LoadBalancer", "ClusterIP", "zone-sync", "PostgreSQL query logs"])
      expect(labels).toContain(c);
    for (const n of body.nodes) expect(["healthy", "degraded", "down", "unknown"]).toContain(n.health);
  });

  test("two reads seconds apart: the same mermaid source, and beside it the live numbers, which differ", async ({ viewerRequest }) => {
    const read = async () => (await (await viewerRequest.get(url("main", "/api/v1/architecture"))).json()) as ArchBody;
    // the twin's Prometheus gives rates once it has scraped twice (a rate needs two samples): wait for them
    await expect.poll(async () => Object.values((await read()).live).some((v) => /\d q\/s/.test(v)), { timeout: 45_000, intervals: [1000] }).toBe(true);
    const first = await read();
    // the numbers are not in the source: a placeholder each, with its value in `live`
    expect(first.mermaid).not.toMatch(/ingest lag \d|\d q\/s|last run \d|\d+(\.\d)?[kM]? rows/);
    const tokens = [...first.mermaid.matchAll(PLACEHOLDER)].map((m) => m[1]);
    expect(tokens.length).toBeGreaterThan(3);
    expect([...tokens].sort()).toEqual(Object.keys(first.live).sort());
    // rates from the twin's Prometheus, a lag of seconds from its query-log database
    expect(Object.values(first.live).some((v) => /\d q\/s/.test(v))).toBe(true);
    expect(first.live[/ingest lag #10214;([a-z0-9]+)/.exec(first.mermaid)![1]]).toMatch(/^\d+[smhd]$/);
    // read again every 2 s until a number has moved (the lag, a rate): the source never did meanwhile
    const reads = [first];
    while (reads.length < 16 && JSON.stringify(reads.at(-1)!.live) === JSON.stringify(first.live)) {
      await new Promise((r) => setTimeout(r, 2000));
      reads.push(await read());
    }
    expect(reads.length).toBeGreaterThan(1);
    // (a CronJob's state is in the source and may change meanwhile: zone-sync runs every 30 minutes — running → ok)
    const sameBut = (m: string) => m.replace(/(last run [^"]*?: )(running|ok|failed|never)/g, "$1…");
    for (const r of reads) expect(sameBut(r.mermaid)).toBe(sameBut(first.mermaid));
    expect(reads.at(-1)!.live).not.toEqual(first.live);
  });

  test("the page draws the graph; clicking a node opens its details with a link to the page that manages it", async ({ viewerPage: page }) => {
    await page.goto(url("main", "/architecture"));
    const graph = page.getByTestId("architecture-graph");
    await expect(graph.locator("svg g.node").first()).toBeVisible({ timeout: 30_000 });
    await graph.locator('g.node[data-node-id="coredns"]').click();
    await expect(page.getByTestId("node-details")).toContainText("CoreDNS");
    await expect(page.getByTestId("node-manage-link")).toHaveAttribute("href", "/coredns");
    await expect(page.getByTestId("download-svg")).toBeEnabled();
    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-mermaid").click()]);
    expect(dl.suggestedFilename()).toBe("dns-architecture.mmd");
  });

  test("the live numbers are written into the drawing as text, and a refresh with new numbers changes them without a redraw", async ({ viewerPage: page }) => {
    test.setTimeout(90_000);
    const measures = (name: string) => page.evaluate((n) => performance.getEntriesByName(n).length, name);
    const graph = page.getByTestId("architecture-graph");
    const querylogs = graph.locator('g.node[data-node-id="querylogs"]');
    // The refresh (every 15 s, through the API) is answered with the live source and numbers of our own for the
    // ingest lag: markup in it, which must show as text.
    const LAG = "<i>4242s</i>";
    let refreshed = 0;
    // (our numbers only once the page's own have been checked: on a slow machine the first refresh can come first)
    let ours = false;
    await page.route("**/api/v1/architecture", async (route) => {
      const real = (await (await route.fetch()).json()) as ArchBody;
      if (!ours) return route.fulfill({ json: real });
      const lag = /ingest lag #10214;([a-z0-9]+)/.exec(real.mermaid)![1];
      refreshed++;
      await route.fulfill({ json: { ...real, live: { ...real.live, [lag]: LAG } } });
    });
    await page.goto(url("main", "/architecture"));
    await expect(querylogs).toBeVisible({ timeout: 30_000 });
    // the page's own numbers, in the drawing, no placeholder left anywhere in it
    await expect(querylogs).toContainText(/~\d+(\.\d)?[kM]? rows/);
    await expect(querylogs).toContainText(/ingest lag \d+[smhd]/);
    await expect(graph.locator("svg")).toContainText(/\d q\/s/);
    await expect(graph.locator("svg")).toContainText(/last run \d+[smhd] ago/);
    expect(await graph.locator("svg").textContent()).not.toMatch(/[\u27e6\u27e7]/);
    // drawn once: by the server (its drawing came with the page) or, had it not been ready, by mermaid here
    const drawings = async () => (await measures("mermaid: render")) + (await measures("mermaid: server's drawing"));
    expect(await drawings()).toBe(1);
    await page.evaluate(() => ((document.querySelector('[data-testid="architecture-graph"] svg') as SVGElement & { drawn?: number }).drawn = 1));
    ours = true;

    await expect(querylogs).toContainText(`ingest lag ${LAG}`, { timeout: 30_000 });
    expect(refreshed).toBeGreaterThan(0);
    // the same drawing, only its text changed: no render, no cache hit, the svg element the one marked above
    expect(await drawings()).toBe(1);
    expect(await measures("mermaid: cache hit")).toBe(0);
    expect(await page.evaluate(() => (document.querySelector('[data-testid="architecture-graph"] svg') as SVGElement & { drawn?: number }).drawn)).toBe(1);
    await expect(graph.locator("i")).toHaveCount(0);
    // both downloads carry the numbers (escaped), never a placeholder
    const [svgFile] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-svg").click()]);
    const svg = readFileSync((await svgFile.path())!, "utf8");
    expect(svg).toContain("ingest lag &#60;i&#62;4242s&#60;/i&#62;");
    expect(svg).not.toContain("<i>");
    expect(svg).not.toMatch(/[\u27e6\u27e7]/);
    expect(svg).toMatch(/\d q\/s/);
    const [mmdFile] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-mermaid").click()]);
    const mmd = readFileSync((await mmdFile.path())!, "utf8");
    expect(mmd).toContain("ingest lag #60;i#62;4242s#60;/i#62;");
    expect(mmd).not.toMatch(PLACEHOLDER);
  });

  test("where the server does not draw (no Chromium), a revisit draws the graph from this browser's drawing cache, with the numbers of the moment; its nodes still open their details; other sources draw anew", async ({ page }) => {
    // the `demo` app runs with DIAGRAM_RENDERER=off (e2e/global-setup.ts): every drawing is made by mermaid here
    // A real reload: the server renders the page anew, with numbers read now, and the same source (the numbers are
    // not in it), so the drawing stored by the first visit is the one shown.
    const measures = (name: string) => page.evaluate((n) => performance.getEntriesByName(n).length, name);
    const stored = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("dnsdeck:mermaid:v1:svg:")).length);
    const graph = page.getByTestId("architecture-graph");

    await page.goto(url("demo", "/architecture"));
    await expect(graph.locator("svg g.node").first()).toBeVisible({ timeout: 30_000 });
    expect(await measures("mermaid: render")).toBe(1);
    expect(await measures("mermaid: cache hit")).toBe(0);
    // stored when the browser is next idle, after the drawing is shown
    await expect.poll(stored).toBe(1);

    await page.reload();
    await expect(graph.locator("svg g.node").first()).toBeVisible({ timeout: 30_000 });
    expect(await measures("mermaid: cache hit")).toBe(1);
    expect(await measures("mermaid: render")).toBe(0);
    await expect(graph.getByText("drawing…")).toHaveCount(0);
    // the stored drawing had placeholders; shown, it has this load's numbers
    await expect(graph.locator('g.node[data-node-id="querylogs"]')).toContainText(/ingest lag \d+[smhd]/);
    expect(await graph.locator("svg").textContent()).not.toMatch(/[\u27e6\u27e7]/);
    // the stored drawing's own id never reaches the page, and no element id is there twice
    const ids = await page.evaluate(() => [...document.querySelectorAll("[id]")].map((e) => e.id));
    expect(ids.filter((id) => id.startsWith("mmdc"))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    await graph.locator('g.node[data-node-id="coredns"]').click();
    await expect(page.getByTestId("node-details")).toContainText("CoreDNS");
    await expect(page.getByTestId("node-manage-link")).toHaveAttribute("href", "/coredns");
    await graph.locator('g.node[data-node-id="tech0"]').press("Enter");
    await expect(page.getByTestId("node-details")).toContainText("Technitium");
    // onRendered ran: the SVG download is offered, as after a drawing mermaid made
    await expect(page.getByTestId("download-svg")).toBeEnabled();

    // Other sources (another page, another config): drawn by mermaid and stored beside the first, then a hit when the
    // same source comes back in the same page.
    await page.goto(url("demo", "/paths"));
    const diagram = page.getByTestId("path-diagram");
    await expect(diagram.locator("svg g.node").first()).toBeVisible({ timeout: 30_000 });
    expect(await measures("mermaid: render")).toBe(1);
    expect(await measures("mermaid: cache hit")).toBe(0);
    const podInternal = await diagram.locator("svg").innerHTML();
    await page.getByTestId("path-tab-lan").click();
    await expect(page.getByTestId("path-lan")).toContainText("Split Horizon");
    await expect.poll(() => measures("mermaid: render")).toBe(2);
    await expect(diagram.locator("svg g.node").first()).toBeVisible();
    await expect.poll(stored).toBe(3);
    await page.getByTestId("path-tab-pod-internal").click();
    await expect.poll(() => measures("mermaid: cache hit")).toBe(1);
    expect(await measures("mermaid: render")).toBe(2);
    // the same drawing as mermaid's, under this copy's own id
    const again = await diagram.locator("svg").innerHTML();
    const idOf = (svg: string) => /id="(mmd[A-Za-z0-9]+)-/.exec(svg)?.[1] ?? "";
    expect(idOf(again)).not.toBe(idOf(podInternal));
    expect(again.split(idOf(again)).join("ID")).toBe(podInternal.split(idOf(podInternal)).join("ID"));
  });

  test("a hostile live label is shown as text: no script runs, no element is injected", async ({ viewerPage: page, viewerRequest }) => {
    const real = await (await viewerRequest.get(url("main", "/api/v1/architecture"))).json();
    // Feed a node whose label carries the hostile string, escaped by the generator's own label builder.
    const mermaid = real.mermaid.replace(/\n  classDef/, `\n  hostile0${quotedLabel([HOSTILE])}\n  tech0 --> hostile0\n  classDef`);
    await page.route("**/api/v1/architecture", (route) =>
      route.fulfill({ json: { ...real, mermaid, nodes: [...real.nodes, { id: "hostile0", label: HOSTILE, health: "unknown", details: { zone: HOSTILE } }] } }),
    );
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // an injected <img src=x> would ask the server for /x before its onerror could run
    const probes: string[] = [];
    page.on("request", (r) => void (new URL(r.url()).pathname.endsWith("/x") && probes.push(r.url())));
    await page.goto(url("main", "/architecture"));
    const node = page.locator('[data-testid="architecture-graph"] g.node[data-node-id="hostile0"]');
    await expect(node).toBeVisible({ timeout: 30_000 });
    await expect(node).toContainText("<img src=x onerror=alert(1)>");
    await node.click();
    await expect(page.getByTestId("node-details")).toContainText("onerror=alert(1)");
    // the label's `click tech0 call alert(1)`, had it become a directive, would run on a click on tech0
    await page.locator('[data-testid="architecture-graph"] g.node[data-node-id="tech0"]').click();
    await expect(page.getByTestId("node-details")).not.toContainText("onerror=alert(1)");
    // a dialog opens while the click that caused it is dispatched: by now it would have been seen
    expect(dialogs).toEqual([]);
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
    expect(await page.evaluate(() => document.querySelectorAll("[onerror], [onclick]").length)).toBe(0);
    expect(probes).toEqual([]);
  });
});

test("mermaid's code is loaded only where a drawing is made in the browser: never on a page that does not draw, never where the server drew", async ({ browser, viewerRequest }) => {
  const mermaidChunks = async (app: "main" | "demo", path: string, ready: string) => {
    // a page in a fresh context each (as a viewer), so the browser cache cannot hide a chunk
    const page = await browser.newPage({ extraHTTPHeaders: VIEWER });
    const found: string[] = [];
    const reads: Promise<void>[] = [];
    page.on("response", (r) => {
      if (r.url().endsWith(".js")) reads.push(r.text().then((t) => void (t.includes('"flowchart-v2"') && found.push(r.url())), () => undefined));
    });
    await page.goto(url(app, path));
    await expect(page.locator(ready).first()).toBeVisible({ timeout: 30_000 });
    await page.waitForLoadState("networkidle");
    await Promise.all(reads);
    await page.close();
    return found.length;
  };
  // the browser draws (the demo app does not draw on the server)
  expect(await mermaidChunks("demo", "/architecture", '[data-testid="architecture-graph"] svg')).toBeGreaterThan(0);
  expect(await mermaidChunks("main", "/audit", "h1")).toBe(0);
  // the server drew: once its drawing of the current graph is made (the API answers with it), the page needs no mermaid
  await expect.poll(async () => !!(await (await viewerRequest.get(url("main", "/api/v1/architecture"))).json()).drawn, { timeout: 30_000 }).toBe(true);
  expect(await mermaidChunks("main", "/architecture", '[data-testid="architecture-graph"] svg g.node')).toBe(0);
});

test("the server's drawing arrives with the page: in the HTML with the numbers filled in, placed on its area, and live like the browser's own", async ({ viewerPage: page, viewerRequest }) => {
  const measures = (name: string) => page.evaluate((n) => performance.getEntriesByName(n).length, name);
  await expect.poll(async () => !!(await (await viewerRequest.get(url("main", "/api/v1/architecture"))).json()).drawn, { timeout: 30_000 }).toBe(true);
  const html = await (await viewerRequest.get(url("main", "/architecture"))).text();
  const svg = /<svg id="mmd[^"]*"[^>]*aria-roledescription="flowchart-v2"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
  expect(svg).toContain("NodeLocal DNSCache");
  expect(svg).toMatch(/ingest lag \d+[smhd]/);
  expect(svg).not.toMatch(/[\u27e6\u27e7]/);
  expect(svg).not.toMatch(/<script|\son[a-z]+="/i);

  await page.goto(url("main", "/architecture"));
  const graph = page.getByTestId("architecture-graph");
  await expect(graph.locator('g.node[data-node-id="querylogs"]')).toBeVisible({ timeout: 30_000 });
  expect(await measures("mermaid: server's drawing")).toBe(1);
  expect(await measures("mermaid: render")).toBe(0);
  await expect(page.getByText("placing the drawing…")).toHaveCount(0);
  // placed on the default area, labels readable (the same rule as a drawing made here)
  expect(Number((await page.getByTestId("graph-zoom").textContent())?.replace("%", ""))).toBeGreaterThanOrEqual(50);
  await graph.locator('g.node[data-node-id="coredns"]').click();
  await expect(page.getByTestId("node-details")).toContainText("CoreDNS");
  await expect(page.getByTestId("download-svg")).toBeEnabled();
  const ids = await page.evaluate(() => [...document.querySelectorAll("[id]")].map((e) => e.id));
  expect(ids.filter((id) => id.startsWith("mmdc"))).toEqual([]);
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
});

test.describe("resolution paths and trace", () => {
  test("one diagram per client class; the ndots explainer counts the queries", async ({ viewerPage: page }) => {
    await page.goto(url("main", "/paths"));
    for (const id of ["pod-internal", "pod-public", "lan", "mgmt-vlan", "k8s-vlan"]) await expect(page.getByTestId(`path-tab-${id}`)).toBeVisible({ timeout: 30_000 });
    await page.getByTestId("path-tab-lan").click();
    await expect(page.getByTestId("path-lan")).toContainText("Split Horizon");
    await expect(page.getByTestId("path-diagram").locator("svg")).toBeVisible();
    await expect(page.getByTestId("ndots-5")).toContainText("10 queries");
    await expect(page.getByTestId("ndots-2")).toContainText("2 queries");
  });

  test("bad trace input is a 400 with a message (name, class, node)", async ({ viewerRequest, twin: _twin }) => {
    // the unknown node is checked against the Kubernetes twin's nodes
    const post = (data: object) => viewerRequest.post(url("main", "/api/v1/trace"), { data });
    const badName = await post({ name: "not a name!", clientClass: "lan" });
    expect(badName.status()).toBe(400);
    expect((await badName.json()).error.message).toContain("not a valid DNS name");
    const badClass = await post({ name: "github.com", clientClass: "toaster" });
    expect(badClass.status()).toBe(400);
    expect((await badClass.json()).error.message).toContain("unknown client class");
    const badNode = await post({ name: "github.com", clientClass: "pod-public", node: "k8s-node99" });
    expect(badNode.status()).toBe(400);
    expect((await badNode.json()).error.message).toContain('unknown node "k8s-node99"');
  });

  test("on the twin: dnsdeck sees the public address from the cluster, and shows what a LAN client gets per instance", async ({ viewerPage: page, viewerRequest, twin: _twin }) => {
    test.setTimeout(120_000);
    const pod = await (await viewerRequest.post(url("main", "/api/v1/trace"), { data: { name: "immich.viktorbarzin.me", clientClass: "pod-public" } })).json();
    expect(pod.hops.find((h: { stage: string }) => h.stage === "coredns")?.answers.map((a: { data: string }) => a.data)).toContain("176.12.22.76");

    // the LAN path's first query of this name recurses through the twin's upstream: warm it as a person's earlier
    // lookup would, so the traced hops answer within the tracer's per-hop wait
    expect((await viewerRequest.post(url("main", "/api/v1/trace"), { data: { name: "immich.viktorbarzin.me", clientClass: "lan" } })).status()).toBe(200);
    await page.goto(url("main", "/paths"));
    await page.getByTestId("trace-name").fill("immich.viktorbarzin.me");
    await page.getByTestId("trace-class").selectOption("lan");
    await page.getByTestId("trace-submit").click();
    await expect(page.getByTestId("trace-result")).toBeVisible({ timeout: 60_000 });
    // the hops are asked from dnsdeck's own address: public, and said so
    await expect(page.getByTestId("trace-all-good")).toContainText("as dnsdeck sees it from inside the cluster: NOERROR A 176.12.22.76");
    // what a LAN client gets, from each instance's live config: the primary translates, the tertiary does not
    await expect(page.locator('[data-testid="trace-lan-row"][data-instance="primary"] [data-testid="trace-lan-computed"]')).toHaveText("NOERROR A 10.0.20.200");
    await expect(page.locator('[data-testid="trace-lan-row"][data-instance="tertiary"] [data-testid="trace-lan-computed"]')).toHaveText("NOERROR A 176.12.22.76");

    // Hold the answer back until the progress indicator has been seen, however fast the twin answers.
    let release!: () => void;
    const held = new Promise<void>((res) => (release = res));
    await page.route("**/api/v1/trace", async (r) => {
      await held;
      await r.continue();
    });
    await page.goto(url("main", "/paths"));
    await page.getByTestId("trace-name").fill("idrac.viktorbarzin.lan");
    await page.getByTestId("trace-class").selectOption("pod-internal");
    await page.getByTestId("trace-submit").click();
    await expect(page.getByTestId("trace-progress")).toBeVisible();
    await expect(page.getByTestId("trace-result")).toHaveCount(0);
    release();
    await expect(page.getByTestId("trace-result")).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId("trace-progress")).toHaveCount(0);
    await expect(page.getByTestId("trace-hops")).toContainText("192.168.1.4");
  });
});
