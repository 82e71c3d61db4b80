import { url } from "./env";
import { expect, test } from "./fixtures";

// Zones and records: the zones on the primary with serials per instance, and the user story — add an A record with
// its PTR through the page and watch the proof converge on all three Technitium instances (the twin, over DNS).
const records = (zone: string) => url("main", `/api/v1/zones/${zone}/records`);

// A record change is a sync run (the sync lock): in order, and in the `serial` project (playwright.config.ts).
test.describe.configure({ mode: "serial" });

test.describe("records", () => {

  test("a viewer sees zones with serials per instance and the dynamic-update ACL, but cannot change a record", async ({ viewerPage: page, viewerRequest: request, twin: _twin }) => {
    await page.goto(url("main", "/zones"));
    const lan = page.locator('[data-testid="zones-table"] tr[data-zone="viktorbarzin.lan"]');
    // the first load asks three instances over the API and DNS while the twin is still busy seeding
    await expect(lan).toBeVisible({ timeout: 45_000 });
    await expect(page.getByTestId("serial-viktorbarzin.lan-primary")).toContainText(/\d{10} \/ \d{10}/);
    await expect(page.getByTestId("update-acl-viktorbarzin.lan")).toContainText("10.0.20.1, 10.0.10.1, 192.168.1.2");
    await page.getByTestId("open-zone-viktorbarzin.lan").click();
    await expect(page.locator('[data-testid="records-table"] tr[data-name="idrac"][data-type="A"]')).toBeVisible();
    await expect(page.getByTestId("record-add")).toHaveCount(0);
    const r = await request.post(records("viktorbarzin.lan"), { data: { name: "viewer-try", type: "A", value: "10.0.20.9" } });
    expect(r.status()).toBe(403);
    for (const method of ["PUT", "DELETE"]) {
      const w = await request.fetch(`${records("viktorbarzin.lan")}/idrac/A`, { method, data: { current: "192.168.1.4", value: "192.168.1.4" } });
      expect(w.status(), method).toBe(403);
    }
  });

  test("bad input is a 400 naming the field and writes nothing; a stale precondition is a 409 with the current value", async ({ viewerRequest, operatorRequest, twin: _twin }) => {
    const before = await (await viewerRequest.get(`${records("viktorbarzin.lan")}?name=idrac`)).json();
    const bad = await operatorRequest.post(records("viktorbarzin.lan"), { data: { name: "bad name", type: "A", value: "10.0.20.300", ttl: 0 } });
    expect(bad.status()).toBe(400);
    const msg = (await bad.json()).error.message as string;
    for (const field of ["name", "value", "ttl"]) expect(msg).toContain(`${field}:`);
    const stale = await operatorRequest.put(`${records("viktorbarzin.lan")}/idrac/A`, { data: { current: "192.168.1.99", value: "192.168.1.5", force: true } });
    expect(stale.status()).toBe(409);
    expect((await stale.json()).error.details.current).toEqual(["192.168.1.4"]);
    const after = await (await viewerRequest.get(`${records("viktorbarzin.lan")}?name=idrac`)).json();
    expect(after).toEqual(before);
  });

  test("a record Kea DDNS writes is marked, and changing it warns and needs an explicit force", async ({ operatorPage: page, twin: _twin }) => {
    await page.goto(url("main", "/zones"));
    await page.getByTestId("open-zone-viktorbarzin.lan").click();
    const row = page.locator('[data-testid="records-table"] tr[data-name="printer"][data-type="A"]');
    await expect(row.getByTestId("record-owner")).toHaveAttribute("data-owner", "kea-ddns");
    await row.getByTestId("record-edit").click();
    await expect(page.getByTestId("owner-warning")).toContainText("Kea DDNS");
    await page.getByTestId("record-value").fill("192.168.1.31");
    await page.getByTestId("record-submit").click();
    await expect(page.getByTestId("record-error")).toContainText("kea-ddns");
    await expect(page.getByTestId("sync-run")).toHaveCount(0);
  });

  test("add an A record with its PTR and see the proof converge on all three instances", async ({ operatorPage: page, viewerRequest: request, twin: _twin }) => {
    test.setTimeout(120_000);
    const host = `e2e-${Date.now().toString(36)}`;
    await page.goto(url("main", "/zones"));
    await page.getByTestId("open-zone-viktorbarzin.lan").click();
    await page.getByTestId("record-add").click();
    await page.getByTestId("record-name").fill(host);
    await page.getByTestId("record-type").selectOption("A");
    await page.getByTestId("record-ttl").fill("300");
    await page.getByTestId("record-value").fill("10.0.20.240");
    const ptr = page.getByTestId("record-ptr");
    await expect(ptr).toBeChecked();
    await expect(page.getByTestId("record-form")).toContainText(`240.20.0.10.in-addr.arpa → ${host}.viktorbarzin.lan in 20.0.10.in-addr.arpa`);
    await page.getByTestId("record-submit").click();

    const run = page.getByTestId("sync-run");
    await expect(run).toBeVisible();
    await expect(run).toContainText("Record change");
    await expect(run.getByTestId("run-verdict")).toHaveAttribute("data-verdict", "converged", { timeout: 60_000 });
    const steps = run.getByTestId("run-steps");
    await expect(steps).toContainText(`write on primary: add ${host}.viktorbarzin.lan A 10.0.20.240`);
    await expect(steps).toContainText("with its PTR 240.20.0.10.in-addr.arpa in 20.0.10.in-addr.arpa");
    for (const n of ["secondary", "tertiary"]) await expect(steps).toContainText(`${n}: resync viktorbarzin.lan and 20.0.10.in-addr.arpa`);
    // then proven where clients ask: a pod's path and a LAN client's path, hop by hop, each answering the new address
    for (const path of ["pod path", "LAN client path"]) {
      const step = steps.locator("li", { hasText: `${path}: ${host}.viktorbarzin.lan A` });
      await expect(step).toContainText("all answer 10.0.20.240");
    }
    const items = run.getByTestId("item-results");
    for (const n of ["primary", "secondary", "tertiary"]) await expect(items.locator("tr", { hasText: n })).toHaveAttribute("data-outcome", "in-step");

    const row = page.locator(`[data-testid="records-table"] tr[data-name="${host}"][data-type="A"]`);
    await expect(row).toBeVisible();
    await expect(row.getByTestId("record-owner")).toHaveAttribute("data-owner", "dnsdeck");
    await expect(row.locator(".badge-ok")).toHaveCount(3);

    // the PTR is there too, on every instance
    const rev = await (await request.get(`${url("main", "/api/v1/zones/20.0.10.in-addr.arpa/records")}?name=240`)).json();
    expect(rev.records).toEqual([expect.objectContaining({ name: "240", type: "PTR", value: `${host}.viktorbarzin.lan.`, instances: { primary: true, secondary: true, tertiary: true } })]);

    // and the run is in the history with its audit row
    const hist = await (await request.get(url("main", "/api/v1/sync/runs?kind=record"))).json();
    expect(hist.runs[0]).toMatchObject({ kind: "record", status: "ok", createdBy: "oscar" });
  });

  test("the consistency report finds an A without its PTR and its one-click fix adds it; a new public IP is said with the config change to make", async ({ operatorPage: page, operatorRequest, twin }) => {
    test.setTimeout(120_000);
    const host = `lonely-${Date.now().toString(36)}`;
    const added = await operatorRequest.post(records("viktorbarzin.lan"), { data: { name: host, type: "A", value: "10.0.20.231", ttl: 300, wait: true } });
    expect(added.status()).toBe(200);
    expect((await added.json()).status).toBe("ok");

    // Overview says it too: the seed's octoprint and this host lack their PTR
    await page.goto(url("main", "/"));
    await expect(page.getByTestId("summary-records")).toContainText("2 A records without PTR", { timeout: 30_000 });

    await page.goto(url("main", "/zones"));
    const report = page.getByTestId("consistency");
    await report.scrollIntoViewIfNeeded(); // the report is read once the panel comes near the viewport
    const row = report.locator(`tr[data-kind="a-without-ptr"][data-name="${host}.viktorbarzin.lan"]`);
    await expect(row).toBeVisible({ timeout: 30_000 });
    await expect(row).toContainText("has no PTR: a reverse lookup of 10.0.20.231 (231.20.0.10.in-addr.arpa) gets NXDOMAIN");
    await row.getByRole("button", { name: `Add PTR 231 → ${host}.viktorbarzin.lan.` }).click();
    await page.getByTestId("confirm-ok").click();
    const run = page.getByTestId("sync-run");
    await expect(run.getByTestId("run-verdict")).toHaveAttribute("data-verdict", "converged", { timeout: 60_000 });
    await expect(run.getByTestId("run-steps")).toContainText(`write on primary: add 231.20.0.10.in-addr.arpa PTR ${host}.viktorbarzin.lan.`);
    // the report is read again when the run ends: the finding is gone, on Overview too
    await expect(row).toHaveCount(0, { timeout: 30_000 });
    await page.goto(url("main", "/"));
    await expect(page.getByTestId("summary-records")).toContainText("1 A without PTR", { timeout: 30_000 });
    await page.goto(url("main", "/zones"));
    await report.scrollIntoViewIfNeeded();

    // the ISP hands out a new address: the names still resolve publicly, to an address the translation does not map
    await twin.faults.set("isp-new-public-ip", true);
    try {
      await report.getByTestId("horizon-names").fill("immich.viktorbarzin.me, mail.viktorbarzin.me, blog.viktorbarzin.me");
      await report.getByTestId("horizon-check").click();
      const problem = report.locator('[data-testid="horizon-problem"][data-kind="ip-changed"]');
      await expect(problem).toBeVisible({ timeout: 30_000 });
      await expect(problem).toContainText("now resolve to 176.12.22.99 on the Internet, but the Split Horizon translation maps 176.12.22.76");
      await expect(problem).toContainText('{"176.12.22.99":"10.0.20.200"}');
      const immich = report.locator('[data-testid="horizon-names-table"] tr[data-name="immich.viktorbarzin.me"]');
      await expect(immich.locator('td[data-instance="primary"]')).toHaveText("176.12.22.99");
      await expect(immich.locator('td[data-instance="primary"]')).toHaveAttribute("data-ok", "no");
      await expect(report.getByTestId("horizon")).toContainText("blog.viktorbarzin.me (proxied)");
    } finally {
      await twin.faults.set("isp-new-public-ip", false);
    }
    await report.getByTestId("consistency-refresh").click();
    await expect(report.locator('[data-testid="horizon-problem"][data-kind="ip-changed"]')).toHaveCount(0, { timeout: 30_000 });
    await expect(report.locator('[data-testid="horizon-names-table"] tr[data-name="immich.viktorbarzin.me"] td[data-instance="primary"]')).toHaveText("10.0.20.200");
  });

  test("an admin maps the ISP's new public IP with one click (a config revision, then the Split Horizon sync), and maps it back the same way", async ({ adminPage: page, adminRequest, twin }) => {
    test.setTimeout(150_000);
    const report = page.getByTestId("consistency");
    const problem = report.locator('[data-testid="horizon-problem"][data-kind="ip-changed"]');
    const lanGets = (instance: string) => report.locator(`[data-testid="horizon-names-table"] tr[data-name="immich.viktorbarzin.me"] td[data-instance="${instance}"]`);
    const revisions = async () => (await (await adminRequest.get(url("main", "/api/v1/stack/config"))).json()).revisions.items ?? [];
    const mapWithOneClick = async (to: string, was: string) => {
      await page.goto(url("main", "/zones"));
      await report.scrollIntoViewIfNeeded();
      await report.getByTestId("horizon-names").fill("immich.viktorbarzin.me, headscale.viktorbarzin.me");
      await report.getByTestId("horizon-check").click();
      await expect(problem).toContainText(`now resolve to ${to} on the Internet, but the Split Horizon translation maps ${was}`, { timeout: 30_000 });
      await problem.getByTestId("horizon-config-fix").click();
      await expect(page.getByTestId("confirm-dialog")).toContainText(`{"${to}":"10.0.20.200"} (replacing "${was}")`);
      await page.getByTestId("confirm-ok").click();
      const run = page.getByTestId("sync-run");
      await expect(run.getByTestId("run-verdict")).toHaveAttribute("data-verdict", "converged", { timeout: 60_000 });
      await report.getByTestId("consistency-refresh").click();
      await expect(problem).toHaveCount(0, { timeout: 30_000 });
      // the sync wrote the stack config to every instance: each now translates the address for LAN clients
      for (const i of ["primary", "secondary", "tertiary"]) {
        await expect(lanGets(i)).toHaveText("10.0.20.200");
        await expect(lanGets(i)).toHaveAttribute("data-ok", "yes");
      }
    };
    const before = await revisions();
    await twin.faults.set("isp-new-public-ip", true);
    try {
      await mapWithOneClick("176.12.22.99", "176.12.22.76");
    } finally {
      await twin.faults.set("isp-new-public-ip", false);
    }
    const saved = await revisions();
    expect(saved[0].id).toBeGreaterThan(before[0]?.id ?? 0);
    expect(saved[0]).toMatchObject({ createdBy: "alice", note: "Split Horizon: 176.12.22.99 → 10.0.20.200 (was 176.12.22.76) in group lan — from the consistency report" });
    // the ISP gives the old address back: the report says so the other way round, and one click restores it
    await mapWithOneClick("176.12.22.76", "176.12.22.99");
    const config = (await (await adminRequest.get(url("main", "/api/v1/stack/config"))).json()).current.config;
    expect(config.technitium.splitHorizon.groups[0].externalToInternalTranslation).toEqual({ "176.12.22.76": "10.0.20.200" });
  });
});
