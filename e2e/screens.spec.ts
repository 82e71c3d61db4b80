import { type Page, type Request } from "@playwright/test";
import { writeFileSync } from "node:fs";
import { url } from "./env";
import { expect, test } from "./fixtures";

// Every page at the two laptop sizes (issue 17): never wider than the window, no console errors, no failed requests
// (a 4xx only where listed as expected), the architecture graph's smallest label at least 11 px at its default view.
// A screenshot of each page is attached to the test (and kept in its output dir) for a person to look at.
const PAGES: { path: string; ready: string }[] = [
  { path: "/", ready: '[data-testid="health-summary"]' },
  { path: "/health", ready: "h1" },
  { path: "/architecture", ready: '[data-testid="architecture-graph"] svg g.node' },
  { path: "/paths", ready: '[data-testid="path-tab-pod-internal"]' },
  { path: "/stack", ready: "h1" },
  { path: "/coredns", ready: '[data-testid="corefile-console"]' },
  { path: "/technitium", ready: '[data-testid="instances-table"]' },
  { path: "/query-logs", ready: "h1" },
  { path: "/audit", ready: "h1" },
];
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 800 },
];
/** Same-origin requests that may answer 4xx on a healthy page (none today). */
const EXPECTED_4XX: RegExp[] = [];

/**
 * Effective rendered size (px) of every visible text in the graph's viewport, zoom and SVG scaling included: every
 * element holding text itself (a node's lines split by <br> count too), measured as drawn on the screen.
 */
export async function graphLabelSizes(page: Page): Promise<{ text: string; px: number }[]> {
  return page.evaluate(() => {
    const box = document.querySelector('[data-testid="graph-viewport"]') ?? document.querySelector('[data-testid="architecture-graph"]');
    if (!box) return [];
    const view = box.getBoundingClientRect();
    const out: { text: string; px: number }[] = [];
    for (const el of box.querySelectorAll<Element>("svg *")) {
      if (/^(style|script|title|desc)$/i.test(el.tagName)) continue;
      const own = Array.from(el.childNodes).some((c) => c.nodeType === Node.TEXT_NODE && c.textContent?.trim());
      if (!own) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // drawn in the viewport (at least its middle): what a person can read without panning
      const cx = r.left + r.width / 2;
      const cy = r.top + r.height / 2;
      if (cx < view.left || cx > view.right || cy < view.top || cy > view.bottom) continue;
      const font = parseFloat(getComputedStyle(el).fontSize);
      // layout height (untransformed) vs drawn height: the scale the zoom and the SVG apply to this label
      const layout = el instanceof HTMLElement ? el.offsetHeight : (el as SVGGraphicsElement).getBBox().height;
      if (!layout) continue;
      out.push({ text: (el.textContent ?? "").trim().slice(0, 40), px: Math.round(font * (r.height / layout) * 10) / 10 });
    }
    return out;
  });
}

for (const size of SIZES)
  test.describe(`every page at ${size.width}×${size.height}`, () => {
    test.use({ viewport: size });
    for (const p of PAGES)
      test(`${p.path}: fits the window, no console errors, no failed requests`, async ({ adminPage: page }, testInfo) => {
        test.setTimeout(120_000);
        const problems: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error") problems.push(`console: ${m.text()}`);
        });
        page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
        page.on("requestfailed", (r) => {
          const why = r.failure()?.errorText ?? "";
          if (!/ERR_ABORTED/.test(why)) problems.push(`request failed: ${r.method()} ${r.url()} ${why}`);
        });
        page.on("response", (r) => {
          const s = r.status();
          if (s >= 500 || (s >= 400 && !EXPECTED_4XX.some((re) => re.test(r.url())))) problems.push(`HTTP ${s}: ${r.request().method()} ${r.url()}`);
        });
        // every request the page starts, until it has answered (or failed, which is reported above)
        const inFlight = new Set<Request>();
        page.on("request", (r) => void inFlight.add(r));
        page.on("requestfinished", (r) => void inFlight.delete(r));
        page.on("requestfailed", (r) => void inFlight.delete(r));
        await page.goto(url("main", p.path));
        await expect(page.locator(p.ready).first()).toBeVisible({ timeout: 60_000 });
        // settled: no route still loading, and every request the page made has answered
        await expect(page.getByTestId("page-loading")).toHaveCount(0, { timeout: 30_000 });
        await expect.poll(() => [...inFlight].map((r) => `${r.method()} ${r.url()}`), { timeout: 30_000, message: "requests still in flight" }).toEqual([]);

        const shot = await page.screenshot();
        const shotName = `${p.path === "/" ? "overview" : p.path.slice(1)}-${size.width}x${size.height}.png`;
        await testInfo.attach(shotName, { body: shot, contentType: "image/png" });
        writeFileSync(testInfo.outputPath(shotName), shot); // kept in test-results/ for a person to look at

        const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
        expect(widths.scroll, `${p.path} is ${widths.scroll} px wide on a ${widths.inner} px window`).toBeLessThanOrEqual(widths.inner);

        expect(problems, problems.join("\n")).toEqual([]);
      });
  });

// Issue 17: the architecture graph reads at a glance at 1440×900 — its default view frames the pods' DNS path (pods,
// CoreDNS, the Technitium Services and instances) with no label under 11 px; pan and zoom move it; each focus area
// keeps labels readable; only "Whole estate" may shrink them, on request.
test("the architecture graph's default view shows the DNS path with labels of at least 11 px", async ({ adminPage: page }, testInfo) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(url("main", "/architecture"));
  await expect(page.locator('[data-testid="architecture-graph"] svg g.node').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("focus-path")).toHaveAttribute("aria-pressed", "true");
  const shot = await page.screenshot();
  await testInfo.attach("architecture-default-1440x900.png", { body: shot, contentType: "image/png" });
  writeFileSync(testInfo.outputPath("architecture-default-1440x900.png"), shot);

  const sizes = await graphLabelSizes(page);
  const seen = sizes.map((t) => t.text).join(" | ");
  expect(sizes.length, `labels visible in the graph's default view: ${seen}`).toBeGreaterThan(8);
  const smallest = sizes.reduce((a, b) => (b.px < a.px ? b : a));
  expect(smallest.px, `smallest graph label "${smallest.text}" is ${smallest.px} px`).toBeGreaterThanOrEqual(11);
  for (const part of ["K8s Pods", "CoreDNS", "ClusterIP"]) expect(seen, `the default view shows ${part}`).toContain(part);

  // zoom in: the labels grow; pan (drag): the drawing moves under the pointer
  const at = async () => (await page.getByTestId("graph-drawing").evaluate((el) => (el as HTMLElement).style.transform));
  await page.getByRole("button", { name: "Zoom in" }).click();
  await expect.poll(async () => Math.min(...(await graphLabelSizes(page)).map((t) => t.px)), { message: "zoom in makes the labels bigger" }).toBeGreaterThan(smallest.px);
  const before = await at();
  const vp = (await page.getByTestId("graph-viewport").boundingBox())!;
  await page.mouse.move(vp.x + vp.width / 2, vp.y + vp.height / 2);
  await page.mouse.down();
  await page.mouse.move(vp.x + vp.width / 2 - 200, vp.y + vp.height / 2 - 100, { steps: 5 });
  await page.mouse.up();
  expect(await at()).not.toBe(before);

  // "Whole estate" is the one view allowed to shrink labels, on request; the focus areas are not
  for (const [area, must] of [
    ["technitium", "Technitium primary"],
    ["lan", "Kea DHCP4"],
    ["external", "Cloudflare DNS"],
    ["cluster", "CoreDNS"],
  ] as const) {
    await page.getByTestId(`focus-${area}`).click();
    await expect(page.getByTestId(`focus-${area}`)).toHaveAttribute("aria-pressed", "true");
    const got = await graphLabelSizes(page);
    expect(Math.min(...got.map((t) => t.px)), `${area}: smallest label`).toBeGreaterThanOrEqual(11);
    expect(got.map((t) => t.text).join(" "), `${area} in view`).toContain(must);
  }
});

// A reader whose clock is not the server's: pages that arrive with their data (stack plan, zones, Technitium status,
// run history, architecture) format times in the browser's zone and locale only after hydration; drawn on the server
// in another zone, React would throw the hydrated page away (#418, a console error) and redraw it.
test.describe("a reader in another time zone and locale", () => {
  test.use({ timezoneId: "Pacific/Auckland", locale: "de-DE" });
  for (const path of ["/stack", "/technitium", "/zones", "/architecture"])
    test(`${path} hydrates without a mismatch`, async ({ adminPage: page }) => {
      const problems: string[] = [];
      page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(url("main", path));
      await expect(page.locator("main h1")).toBeVisible();
      // the times drawn by the server in UTC are redrawn in the reader's own zone once hydrated
      await expect(page.locator("time").first()).toBeVisible({ timeout: 60_000 });
      await expect.poll(() => page.locator("time").first().innerText(), { timeout: 30_000 }).not.toMatch(/UTC$/);
      await page.waitForLoadState("networkidle");
      expect(problems, problems.join("\n")).toEqual([]);
    });
});
