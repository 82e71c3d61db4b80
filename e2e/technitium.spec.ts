import { jwtFor, url } from "./env";
import { expect, test } from "./fixtures";

// Technitium: instances side by side, zone / split horizon / resolver syncs with live steps and verdicts, run
// history, CronJobs "Run now" with the streamed log, roles.
// Syncs take the sync lock: these tests run in order, and in the `serial` project (playwright.config.ts).
test.describe.configure({ mode: "serial" });

test.describe("technitium", () => {
  test("a viewer sees the page but cannot sync; the server refuses it anyway", async ({ viewerPage: page, viewerRequest: request }) => {
    await page.goto(url("main", "/technitium"));
    await expect(page.getByRole("heading", { name: "Technitium" })).toBeVisible();
    await expect(page.getByTestId("sync-zones")).toBeDisabled();
    await expect(page.getByTestId("sync-split-horizon")).toBeDisabled();
    await expect(page.getByTestId("sync-resolver-settings")).toBeDisabled();
    await expect(page.getByTestId("remove-orphans")).toBeDisabled();
    for (const p of ["/api/v1/sync/zones", "/api/v1/sync/split-horizon", "/api/v1/sync/resolver-settings", "/api/v1/cronjobs/run"]) {
      const r = await request.post(url("main", p), { data: p.includes("cronjobs") ? { namespace: "technitium", name: "technitium-zone-sync" } : {} });
      expect(r.status(), p).toBe(403);
      expect((await r.json()).error.message).toContain("operator");
    }
  });

  test("the run history API pages and validates its input", async ({ viewerRequest: request }) => {
    const r = await request.get(url("main", "/api/v1/sync/runs?page=1&pageSize=5"));
    expect(r.status()).toBe(200);
    const body = await r.json();
    expect(body).toMatchObject({ page: 1, pageSize: 5 });
    expect(Array.isArray(body.runs)).toBe(true);
    expect((await request.get(url("main", "/api/v1/sync/runs?kind=nope"))).status()).toBe(400);
    expect((await request.get(url("main", "/api/v1/sync/runs/999999"))).status()).toBe(404);
  });

  // the `jwt` app runs with Technitium nobody answers on (e2e/global-setup.ts); people there are JWT-verified
  test("without reachable instances (the jwt app): status says who is down and a zone sync fails naming the primary, touching nothing", async ({ request }) => {
    const viewer = { "x-authentik-jwt": await jwtFor("victor", ["dns-viewers"]) };
    const operator = { "x-authentik-jwt": await jwtFor("oscar", ["dns-operators"]) };
    const status = await request.get(url("jwt", "/api/v1/technitium/status"), { headers: viewer });
    expect(status.status()).toBe(200);
    const s = await status.json();
    expect(s.instances.map((i: { name: string; up: boolean }) => [i.name, i.up])).toEqual([
      ["primary", false],
      ["secondary", false],
      ["tertiary", false],
    ]);
    const r = await request.post(url("jwt", "/api/v1/sync/zones"), { headers: operator, data: {} });
    expect(r.status()).toBe(200);
    const run = await r.json();
    expect(run.status).toBe("failed");
    expect(run.error).toContain("the primary (primary) is unreachable");
  });

  test("the three instances side by side with disagreements; Sync zones shows live steps and ends converged", async ({ operatorPage: page, operatorRequest: request, twin: _twin }) => {
    test.setTimeout(120_000);
    await page.goto(url("main", "/technitium"));
    const table = page.getByTestId("instances-table");
    await expect(table).toBeVisible({ timeout: 30_000 });
    for (const n of ["primary", "secondary", "tertiary"]) await expect(page.getByTestId(`instance-${n}-state`)).toHaveAttribute("data-up", "true");
    await expect(page.getByTestId("status-verdict")).toHaveAttribute("data-verdict", "differs");
    await expect(page.locator('[data-testid="zone-row"][data-zone="0.168.192.in-addr.arpa"]')).toHaveAttribute("data-converged", "false");

    await page.getByTestId("sync-zones").click();
    const run = page.getByTestId("sync-run");
    await expect(run).toBeVisible();
    await expect(run.getByTestId("run-steps")).toContainText("Read zones on primary");
    await expect(run).not.toHaveAttribute("data-status", "running", { timeout: 60_000 });
    await expect(run.getByTestId("run-verdict")).toHaveAttribute("data-verdict", "converged");
    await expect(run.getByTestId("zone-results")).toContainText("created");
    await expect(page.locator('[data-testid="zone-row"][data-zone="0.168.192.in-addr.arpa"]')).toHaveAttribute("data-converged", "true", { timeout: 30_000 });

    await page.getByTestId("tab-runs").click();
    await expect(page.getByTestId("run-row").first()).toContainText("Zone sync");
    await page.getByTestId("run-row").first().click();
    await expect(page.getByTestId("run-detail")).toContainText("Verify serials");

    // the API: the same sync again is in step, and returns the run with its steps
    const again = await (await request.post(url("main", "/api/v1/sync/zones"), { data: {} })).json();
    expect(again.status).toBe("ok");
    expect(again.steps.length).toBeGreaterThan(2);
    expect(again.results.results.every((r: { outcome: string }) => r.outcome === "in-step")).toBe(true);
  });

  test("Split horizon sync and resolver settings are applied and read back", async ({ operatorRequest, viewerRequest, twin: _twin }) => {
    test.setTimeout(90_000);
    const sh = await (await operatorRequest.post(url("main", "/api/v1/sync/split-horizon"), { data: {} })).json();
    expect(sh.status, sh.error).toBe("ok");
    const rs = await (await operatorRequest.post(url("main", "/api/v1/sync/resolver-settings"), { data: {} })).json();
    expect(rs.status, rs.error).toBe("ok");
    const s = await (await viewerRequest.get(url("main", "/api/v1/technitium/status"))).json();
    expect(s.instances.length).toBe(3);
    for (const i of s.instances) {
      expect(i.splitHorizon.diff, i.name).toEqual([]);
      expect(i.rebinding.diff, i.name).toEqual([]);
      expect(i.cache.settings.cacheMinimumRecordTtl, i.name).toBe(60);
    }
  });

  test("Run now starts a CronJob's Job, refuses a second one while it runs, and streams its log", async ({ operatorPage: page, operatorRequest: request, twin }) => {
    test.setTimeout(120_000);
    await page.goto(url("main", "/technitium"));
    await page.getByTestId("tab-cronjobs").click();
    const row = page.locator('[data-testid="cronjob-row"][data-name="technitium-split-horizon-sync"]');
    await expect(row).toBeVisible({ timeout: 30_000 });
    // the Job's image cannot be pulled until the fault is off: it stays unfinished however slow this machine is (at
    // the twin's speed a Job otherwise runs to the end in about a second)
    await twin.faults.set("cronjob-pull", true);
    try {
      await row.getByTestId("run-now").click();
      const log = page.getByTestId("job-log");
      await expect(log).toBeVisible();
      const job = await log.getAttribute("data-job");
      expect(job).toMatch(/^technitium-split-horizon-sync-manual-/);
      // the Job just created has not finished: a second one is refused, naming it
      const second = await request.post(url("main", "/api/v1/cronjobs/run"), { data: { namespace: "technitium", name: "technitium-split-horizon-sync" } });
      expect(second.status(), await second.text()).toBe(409);
      expect((await second.json()).error.message).toContain(job!);
    } finally {
      await twin.faults.set("cronjob-pull", false);
    }
    await expect(page.getByTestId("job-log-text")).toContainText("starting", { timeout: 60_000 });
    await expect(page.getByTestId("job-state")).toHaveText(/succeeded|failed/, { timeout: 60_000 });
  });
});
