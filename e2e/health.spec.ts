import { parseAddressMap, mapDestination } from "../server/dns/address-map";
import { exchange, makeQuery } from "../twin/dns/wire";
import { url } from "./env";
import { expect, test } from "./fixtures";

// Health (issue 16): live rates from the real Prometheus scraping the twin, alerts from its rules (test config: for 3s),
// the timeline, and the page without Prometheus.
// The sync here takes the sync lock: its tests run in order (and in the `serial` project, one worker with the other
// specs that take a lock or compare state; see playwright.config.ts).
test.describe.configure({ mode: "serial" });

/** What a pod on k8s-node1 does: ask the cluster DNS address for `name` (the twin's address map). */
async function podQuery(addressMap: string, name: string) {
  const map = parseAddressMap(addressMap);
  const d = mapDestination(map, { address: "10.96.0.10", port: 53, via: "k8s-node1" });
  return exchange(makeQuery(name, "A"), { host: d.host, port: d.port!, timeoutMs: 6000 }).catch(() => null);
}

test.describe("health", () => {
  test("the API gives each CoreDNS pod's rates from Prometheus within the point budget, and refuses bad ranges", async ({ viewerRequest, request, twin: _twin }) => {
    await expect
      .poll(async () => {
        const body = await (await viewerRequest.get(url("main", "/api/v1/metrics/dns?range=15m"))).json();
        return body.tiers.filter((t: { tier: string; qps: unknown[] }) => t.tier === "coredns" && t.qps.length > 0).length;
      }, { timeout: 45_000 })
      .toBe(3);
    const to = new Date();
    const from = new Date(to.getTime() - 7 * 86400_000);
    const r = await viewerRequest.get(url("main", `/api/v1/metrics/dns?from=${from.toISOString()}&to=${to.toISOString()}`));
    expect(r.status()).toBe(200);
    const body = await r.json();
    for (const t of body.tiers) expect(t.qps.length).toBeLessThanOrEqual(150);
    expect(body.panels.coredns).toEqual({ ok: true, source: "prometheus" });
    expect((await viewerRequest.get(url("main", "/api/v1/metrics/dns?range=90d"))).status()).toBe(400);
    expect((await viewerRequest.get(url("main", "/api/v1/metrics/dns?from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z"))).status()).toBe(400);
    expect((await request.get(url("main", "/api/v1/metrics/dns"))).status()).toBe(401);
  });

  test("pfSense dropping packets: the forward alert fires, the page shows it firing with the way to fix it, and 10.0.20.1 failing", async ({ viewerPage: page, viewerRequest, twin }) => {
    test.setTimeout(120_000);
    // nothing else in the suite drops pfSense's packets: the fault starts off, this test turns it on and off again
    expect(await twin.faults.active("dns-pfsense-drop"), "the pfSense fault is off before the test").toBe(false);
    await twin.faults.set("dns-pfsense-drop", true);
    try {
      // public names CoreDNS has not cached: it forwards to pfSense first (policy sequential) and fails over
      await expect
        .poll(async () => {
          await podQuery(twin.dnsAddressMap, `e2e-${Date.now()}.github.com`);
          const alerts = await (await viewerRequest.get(url("main", "/api/v1/alerts"))).json();
          return alerts.rules.find((r: { name: string }) => r.name === "CoreDNSForwardFailureRate")?.state;
        }, { timeout: 90_000, intervals: [1000] })
        .toBe("firing");
      await page.goto(url("main", "/health?range=15m"));
      const row = page.getByTestId("alert-CoreDNSForwardFailureRate");
      await expect(row).toHaveAttribute("data-state", "firing");
      await expect(row).toContainText("10.0.20.1:53");
      await expect(row.getByRole("link", { name: /CoreDNS/ })).toHaveAttribute("href", "/coredns");
      await expect(page.getByTestId("upstream-10.0.20.1:53")).toContainText("failing");
      await page.goto(url("main", "/"));
      await expect(page.getByTestId("summary-alerts")).toContainText(/1 firing|[1-9] firing/);
    } finally {
      await twin.faults.set("dns-pfsense-drop", false);
    }
  });

  test("a sync run is a marker on the rate charts; clicking it opens that run", async ({ viewerPage: page, viewerRequest, operatorRequest, twin: _twin }) => {
    const r = await operatorRequest.post(url("main", "/api/v1/sync/split-horizon"), { data: { wait: true } });
    expect(r.status(), await r.text()).toBe(200);
    const { id } = (await r.json()) as { id: number };
    await expect
      .poll(async () => ((await (await viewerRequest.get(url("main", "/api/v1/timeline?range=1h"))).json()).markers as { id: string }[]).map((m) => m.id), { timeout: 30_000 })
      .toContain(`sync-${id}`);
    await page.goto(url("main", "/health?range=1h"));
    // one marker per chart of the tier: the first chart's
    const marker = page.getByTestId("tier-coredns").getByRole("button", { name: new RegExp(`split-horizon sync #${id} `) }).first();
    await expect(marker).toBeVisible();
    await marker.click();
    const drawer = page.getByTestId("run-drawer");
    await expect(drawer).toBeVisible();
    await expect(drawer).toContainText(`sync #${id}`);
    await expect(drawer.getByTestId("run-steps")).toBeVisible();
  });

  test("Overview shows Technitium's own dashboard numbers per instance", async ({ viewerPage: page, twin: _twin }) => {
    await page.goto(url("main", "/"));
    for (const i of ["primary", "secondary", "tertiary"]) await expect(page.getByTestId(`dashboard-${i}`)).toContainText(/\d/);
  });

  test("without PROMETHEUS_URL (and here without its database) each panel says what is missing; Technitium's own numbers still show", async ({ page }) => {
    await page.goto(url("nodb", "/health"));
    await expect(page.getByTestId("prometheus-missing")).toContainText("PROMETHEUS_URL");
    await expect(page.getByTestId("alerts").getByTestId("panel-problem")).toContainText("Not configured");
    await expect(page.getByTestId("tier-coredns").getByTestId("panel-problem")).toContainText("PROMETHEUS_URL");
    await expect(page.getByTestId("tier-technitium").getByTestId("panel-problem")).toContainText("DATABASE_URL");
    await page.goto(url("nodb", "/"));
    await expect(page.getByTestId("summary-alerts")).toContainText("unknown");
    for (const i of ["primary", "secondary", "tertiary"]) await expect(page.getByTestId(`dashboard-${i}`)).toContainText(/\d/);
  });
});
