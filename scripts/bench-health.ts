// The Health page's first load in headless Chromium (Debian's), against a running dnsdeck (default: the demo on
// PORT). Each run is a fresh browser context (cold cache, no cookies): time from navigation start until the alerts
// table and the first rate chart are drawn. Prints every run, the median and p90; optional screenshot.
//   npx tsx scripts/bench-health.ts [--url http://127.0.0.1:3000] [--runs 7] [--range 1h] [--pause 3000] [--screenshot file.png] [--baseline]
import { chromium } from "@playwright/test";

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const base = arg("url", `http://127.0.0.1:${process.env.PORT ?? 3000}`);
const runs = Number(arg("runs", "7"));
const range = arg("range", "1h");
const shot = arg("screenshot", "");
/** Pause between runs so each starts on a settled server (the previous run's late client requests finished). */
const pauseMs = Number(arg("pause", "3000"));
/** --baseline: time a page without charts (/audit, until its table) the same way, to show what the machine gives any page */
const baseline = process.argv.includes("--baseline");

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const times: number[] = [];
/** Health only: navigation start → the first screen (alerts table and cache funnel) drawn, per run (warm-up first). */
const firstScreen: number[] = [];
try {
  for (let i = 0; i < runs + 1; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    const t0 = Date.now();
    await page.goto(baseline ? `${base}/audit` : `${base}/health?range=${range}`, { waitUntil: "commit" });
    if (baseline) {
      await page.locator("table").first().waitFor({ timeout: 30_000 });
    } else {
    // the first screen at 1440×900: the alerts table and the cache funnel
    await page.locator('[data-testid="alerts"] table').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid^="funnel-"]').first().waitFor({ timeout: 30_000 });
    firstScreen.push(Date.now() - t0);
    // the first rate chart (just below the first screen: drawn once hydrated and near the viewport)
    await page.locator('[data-testid^="chart-qps-"] svg.recharts-surface').first().waitFor({ timeout: 30_000 });
    }
    const ms = Date.now() - t0;
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      return { ttfb: Math.round(n.responseStart), dcl: Math.round(n.domContentLoadedEventEnd) };
    });
    if (i === 0) console.log(`warm-up (first compile of the route, not counted): ${ms} ms`);
    else {
      times.push(ms);
      console.log(`run ${i}: ${ms} ms (TTFB ${nav.ttfb} ms, DOMContentLoaded ${nav.dcl} ms)`);
    }
    if (shot && i === runs) {
      // draw every chart (they render as they scroll into view), then take the whole page
      for (let y = 0; y < (await page.evaluate(() => document.body.scrollHeight)); y += 600) await page.mouse.wheel(0, 600);
      await page.waitForTimeout(800);
      await page.screenshot({ path: shot, fullPage: true });
    }
    await ctx.close();
    await new Promise((r) => setTimeout(r, pauseMs));
  }
} finally {
  await browser.close();
}
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
if (!baseline) {
  const fs = firstScreen.slice(1).sort((a, b) => a - b);
  const m = fs[Math.floor(fs.length / 2)];
  console.log(`Health page, first screen (alerts table + cache funnel): median ${m} ms, p90 ${fs[Math.min(fs.length - 1, Math.floor(0.9 * fs.length))]} ms; budget 1500 ms → ${m <= 1500 ? "within" : "OVER"}`);
}
console.log(`${baseline ? "Audit page (baseline)" : "Health page, to the first rate chart"} first load (${baseline ? "-" : range}), ${runs} cold runs: median ${q(0.5)} ms, p90 ${q(0.9)} ms, best ${times[0]} ms; budget 1500 ms → ${q(0.5) <= 1500 ? "within" : "OVER"} (median/budget ${(q(0.5) / 1500).toFixed(2)})`);
