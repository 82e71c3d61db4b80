import { expect, test } from "./fixtures";
import { quotedLabel } from "../server/architecture/mermaid-text";
import { VIEWER, url } from "./env";

// Architecture graph, resolution paths, tracer, ndots explainer; hostile labels cannot inject markup or script.
const HOSTILE = `evil"]; click tech0 call alert(1) %% <img src=x onerror=alert(1)>`;

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

test("mermaid is loaded only on the pages that draw", async ({ browser }) => {
  const mermaidChunks = async (path: string, ready: string) => {
    // a page in a fresh context each (as a viewer), so the browser cache cannot hide a chunk
    const page = await browser.newPage({ extraHTTPHeaders: VIEWER });
    const found: string[] = [];
    const reads: Promise<void>[] = [];
    page.on("response", (r) => {
      if (r.url().endsWith(".js")) reads.push(r.text().then((t) => void (t.includes('"flowchart-v2"') && found.push(r.url())), () => undefined));
    });
    await page.goto(url("main", path));
    await expect(page.locator(ready).first()).toBeVisible({ timeout: 30_000 });
    await page.waitForLoadState("networkidle");
    await Promise.all(reads);
    await page.close();
    return found.length;
  };
  expect(await mermaidChunks("/architecture", '[data-testid="architecture-graph"] svg')).toBeGreaterThan(0);
  expect(await mermaidChunks("/audit", "h1")).toBe(0);
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
