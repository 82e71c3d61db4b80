// Speed as a person feels it (issue 17 item 10), against a running dnsdeck (default: the demo on PORT), in headless
// Debian Chromium at 1440×900:
//   - every page's first load after one warm-up request: a fresh browser context per run (cold cache), navigation
//     start → the page's heading drawn and no loading spinner left on the first screen;
//   - the same page revisited in one browser context (HTTP cache, localStorage's drawing cache, warm code);
//   - query logs: a filter change → the new rows drawn; "Older →" at once → the older page's rows drawn; "Older →" again
//     once nothing is loading (a person reading the rows first) → the next page's rows drawn.
// Prints every figure, the median and p90 per line, and the budget verdict (1.5 s per page, 300 ms per change).
//   npx tsx scripts/bench-pages.ts [--url http://127.0.0.1:3000] [--runs 5] [--pause 1000] [--pages /,/stack] [--no-changes] [--no-revisit]
import { chromium, type Page } from "@playwright/test";

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const base = arg("url", `http://127.0.0.1:${process.env.PORT ?? 3000}`);
const runs = Number(arg("runs", "5"));
const pauseMs = Number(arg("pause", "1000"));
const ALL_PAGES = ["/", "/health", "/architecture", "/paths", "/stack", "/coredns", "/technitium", "/zones", "/query-logs", "/clients", "/audit"];
const PAGES = arg("pages", "") ? arg("pages", "").split(",") : ALL_PAGES;
const changes = !process.argv.includes("--no-changes");
const revisit = !process.argv.includes("--no-revisit");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.min(s.length - 1, Math.floor(0.9 * s.length))], best: s[0] };
};

/** The first screen is settled: the page's heading is drawn and no spinner is visible in the viewport. */
async function settled(page: Page) {
  await page.locator("main h1").first().waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    () =>
      ![...document.querySelectorAll(".spinner")].some((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.bottom > 0 && r.top < innerHeight;
      }),
    undefined,
    { timeout: 30_000, polling: 50 },
  );
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"] });
const rows: { what: string; times: number[]; budget: number }[] = [];
try {
  for (const path of PAGES) {
    await fetch(`${base}${path}`).catch(() => {}); // the warm-up: the first request compiles/caches the route
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await ctx.newPage();
      const t0 = Date.now();
      await page.goto(`${base}${path}`, { waitUntil: "commit" });
      await settled(page);
      times.push(Date.now() - t0);
      await ctx.close();
      await sleep(pauseMs);
    }
    rows.push({ what: `first load ${path}`, times, budget: 1500 });
    console.log(`${path}: ${times.join(", ")} ms`);
    // a revisit: the same browser (its HTTP cache, localStorage — the drawing cache — and warm code), a new page load
    if (revisit) {
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await ctx.newPage();
      await page.goto(`${base}${path}`, { waitUntil: "commit" });
      await settled(page);
      await sleep(pauseMs);
      const again: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = Date.now();
        await page.goto(`${base}${path}`, { waitUntil: "commit" });
        await settled(page);
        again.push(Date.now() - t0);
        await sleep(pauseMs);
      }
      await ctx.close();
      rows.push({ what: `revisit ${path}`, times: again, budget: 1500 });
      console.log(`${path} (revisit): ${again.join(", ")} ms`);
    }
  }

  // query logs: a filter change and "Older →", in one browser context (as a person clicks around)
  if (changes) await queryLogChanges();
} finally {
  await browser.close();
}

async function queryLogChanges() {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/query-logs?range=24h`);
  await page.getByTestId("ql-row").first().waitFor({ timeout: 60_000 });
  const change: number[] = [];
  const older: number[] = [];
  const olderRead: number[] = [];
  const rcodes = ["NxDomain", "NoError", "ServerFailure", "NoError", "NxDomain", "Refused"];
  for (let i = 0; i < runs; i++) {
    const rcode = rcodes[i % rcodes.length];
    const t0 = Date.now();
    await page.getByTestId("ql-rcode").selectOption(rcode);
    await page.getByTestId("ql-apply").click();
    await page.waitForURL(new RegExp(`rcode=${rcode}`));
    // the new rows drawn: every visible row shows the chosen rcode (or the page says nothing matches)
    await page.waitForFunction(
      (rc) => {
        const rs = [...document.querySelectorAll('[data-testid="ql-row"]')];
        return (rs.length > 0 && rs.every((r) => r.textContent?.includes(rc))) || document.body.textContent?.includes("Nothing matches in this range.");
      },
      rcode,
      { timeout: 30_000, polling: 20 },
    );
    change.push(Date.now() - t0);
    const link = page.getByTestId("ql-older");
    if (await link.count()) {
      const first = await page.getByTestId("ql-time").first().innerText();
      const t1 = Date.now();
      await link.click();
      await page.waitForURL(/cursor=\d+/);
      await page.waitForFunction((f) => document.querySelector('[data-testid="ql-time"]')?.textContent !== f, first, { timeout: 30_000, polling: 20 });
      older.push(Date.now() - t1);
      // and as a person reading the page first: once nothing is loading, the next "Older →"
      await settled(page);
      await sleep(300);
      const again = page.getByTestId("ql-older");
      if (await again.count()) {
        const before = await page.getByTestId("ql-time").first().innerText();
        const t2 = Date.now();
        await again.click();
        await page.waitForFunction((f) => document.querySelector('[data-testid="ql-time"]')?.textContent !== f, before, { timeout: 30_000, polling: 20 });
        olderRead.push(Date.now() - t2);
      }
    }
    await sleep(pauseMs);
  }
  await ctx.close();
  rows.push({ what: "query logs: filter change → rows", times: change, budget: 300 });
  if (older.length) rows.push({ what: 'query logs: "Older →" → rows', times: older, budget: 300 });
  if (olderRead.length) rows.push({ what: 'query logs: "Older →" once the page has loaded → rows', times: olderRead, budget: 300 });
}

console.log(`\n| what | median (ms) | p90 (ms) | best (ms) | budget (ms) | verdict |\n|---|---:|---:|---:|---:|---|`);
for (const r of rows) {
  const s = stats(r.times);
  console.log(`| ${r.what} | ${s.median} | ${s.p90} | ${s.best} | ${r.budget} | ${s.median <= r.budget ? "within" : "OVER"} |`);
}
