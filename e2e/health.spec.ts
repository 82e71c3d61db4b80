import { expect, test } from "@playwright/test";
import { parseAddressMap, mapDestination } from "../server/dns/address-map";
import { exchange, makeQuery } from "../twin/dns/wire";
import { OPERATOR, VIEWER, url } from "./env";

// Health (issue 16): live rates from the real Prometheus scraping the twin, alerts from its rules (test config: for 3s),
// the timeline, and the page without Prometheus.
const admin = () => JSON.parse(process.env.E2E_TWIN_ADMIN ?? "{}") as { panelUrl?: string };
const togglePanel = (id: string) => fetch(`${admin().panelUrl}/toggle?id=${id}`, { method: "POST", redirect: "manual" });
const panelActive = async (id: string) => ((await (await fetch(`${admin().panelUrl}/api/faults`)).json()) as { id: string; active: boolean }[]).find((f) => f.id === id)?.active;

/** What a pod on k8s-node1 does: ask the cluster DNS address for `name`. */
async function podQuery(name: string) {
  const map = parseAddressMap(process.env.E2E_DNS_ADDRESS_MAP ?? "");
  const d = mapDestination(map, { address: "10.96.0.10", port: 53, via: "k8s-node1" });
  return exchange(makeQuery(name, "A"), { host: d.host, port: d.port!, timeoutMs: 6000 }).catch(() => null);
}

test.describe("health", () => {
  test("the API gives each CoreDNS pod's rates from Prometheus within the point budget, and refuses bad ranges", async ({ request }) => {
    await expect
      .poll(async () => {
        const body = await (await request.get(url("main", "/api/v1/metrics/dns?range=15m"), { headers: VIEWER })).json();
        return body.tiers.filter((t: { tier: string; qps: unknown[] }) => t.tier === "coredns" && t.qps.length > 0).length;
      }, { timeout: 45_000 })
      .toBe(3);
    const to = new Date();
    const from = new Date(to.getTime() - 7 * 86400_000);
    const r = await request.get(url("main", `/api/v1/metrics/dns?from=${from.toISOString()}&to=${to.toISOString()}`), { headers: VIEWER });
    expect(r.status()).toBe(200);
    const body = await r.json();
    for (const t of body.tiers) expect(t.qps.length).toBeLessThanOrEqual(150);
    expect(body.panels.coredns).toEqual({ ok: true, source: "prometheus" });
    expect((await request.get(url("main", "/api/v1/metrics/dns?range=90d"), { headers: VIEWER })).status()).toBe(400);
    expect((await request.get(url("main", "/api/v1/metrics/dns?from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z"), { headers: VIEWER })).status()).toBe(400);
    expect((await request.get(url("main", "/api/v1/metrics/dns"))).status()).toBe(401);
  });

  test("pfSense dropping packets: the forward alert fires, the page shows it firing with the way to fix it, and 10.0.20.1 failing", async ({ page, request }) => {
    test.setTimeout(120_000);
    if (!(await panelActive("dns-pfsense-drop"))) await togglePanel("dns-pfsense-drop");
    try {
      // public names CoreDNS has not cached: it forwards to pfSense first (policy sequential) and fails over
      await expect
        .poll(async () => {
          await podQuery(`e2e-${Date.now()}.github.com`);
          const alerts = await (await request.get(url("main", "/api/v1/alerts"), { headers: VIEWER })).json();
          return alerts.rules.find((r: { name: string }) => r.name === "CoreDNSForwardFailureRate")?.state;
        }, { timeout: 90_000, intervals: [1000] })
        .toBe("firing");
      await page.setExtraHTTPHeaders(VIEWER);
      await page.goto(url("main", "/health?range=15m"));
      const row = page.getByTestId("alert-CoreDNSForwardFailureRate");
      await expect(row).toHaveAttribute("data-state", "firing");
      await expect(row).toContainText("10.0.20.1:53");
      await expect(row.getByRole("link", { name: /CoreDNS/ })).toHaveAttribute("href", "/coredns");
      await expect(page.getByTestId("upstream-10.0.20.1:53")).toContainText("failing");
      await page.goto(url("main", "/"));
      await expect(page.getByTestId("summary-alerts")).toContainText(/1 firing|[1-9] firing/);
    } finally {
      if (await panelActive("dns-pfsense-drop")) await togglePanel("dns-pfsense-drop");
    }
  });

  test("a sync run is a marker on the rate charts; clicking it opens that run", async ({ page, request }) => {
    const r = await request.post(url("main", "/api/v1/sync/split-horizon"), { headers: OPERATOR, data: { wait: true } });
    expect([200, 409]).toContain(r.status());
    await expect.poll(async () => (await (await request.get(url("main", "/api/v1/timeline?range=1h"), { headers: VIEWER })).json()).markers.length, { timeout: 30_000 }).toBeGreaterThan(0);
    await page.setExtraHTTPHeaders(VIEWER);
    await page.goto(url("main", "/health?range=1h"));
    const marker = page.getByTestId("tier-coredns").locator('[data-testid^="marker-"]').first();
    await expect(marker).toBeVisible();
    await marker.click();
    const drawer = page.getByTestId("run-drawer");
    await expect(drawer).toBeVisible();
    await expect(drawer).toContainText(/sync #\d+|apply|rollback/);
    await expect(drawer.getByTestId("run-steps")).toBeVisible();
  });

  test("Overview shows Technitium's own dashboard numbers per instance", async ({ page }) => {
    await page.setExtraHTTPHeaders(VIEWER);
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
