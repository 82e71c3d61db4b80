import { url } from "./env";
import { expect, test } from "./fixtures";

// Stack: plan, apply (NodeLocal on the twin), rollout progress, config errors, history, roles.
// Apply takes the stack lock: these tests run in order, and in the `serial` project (playwright.config.ts) so no
// other spec holds the lock or changes the stack meanwhile.
test.describe.configure({ mode: "serial" });

test.describe("stack", () => {
  test("a viewer sees the objects but cannot apply; the server refuses it anyway", async ({ viewerPage: page, viewerRequest: request }) => {
    await page.goto(url("main", "/stack"));
    await expect(page.getByRole("heading", { name: "Stack" })).toBeVisible();
    await expect(page.getByTestId("apply-button")).toBeDisabled();
    const r = await request.post(url("main", "/api/v1/stack/apply"), { data: {} });
    expect(r.status()).toBe(403);
    expect((await r.json()).error.message).toContain("admin");
    // the foreign-owner check before a save is a dry run of a config someone sends: admins only, as saving is
    const owners = await request.post(url("main", "/api/v1/stack/owners"), { data: { config: {} } });
    expect(owners.status()).toBe(403);
  });

  test("an invalid config is refused field by field and nothing is saved", async ({ adminPage: page, adminRequest: request }) => {
    await page.goto(url("main", "/stack"));
    await page.getByTestId("tab-config").click();
    await page.getByTestId("field-nodelocal.linkLocalIp").fill("169.254.20");
    await page.getByTestId("config-save").click();
    await expect(page.locator('[data-testid="field-error"][data-field="nodelocal.linkLocalIp"]')).toContainText("IPv4");
    const cfg = await request.get(url("main", "/api/v1/stack/config"));
    expect((await cfg.json()).current.config.nodelocal.linkLocalIp).toBe("169.254.20.10");
  });

  test("objects another manager owns are named in the Apply dialog and left out unless ownership is taken", async ({ adminPage: page, adminRequest: request, twin: _twin }) => {
    test.setTimeout(120_000);
    const plan = await (await request.get(url("main", "/api/v1/stack/plan"))).json();
    const foreign = plan.objects.filter((o: { state: string; component: string }) => o.state === "conflict" && o.component !== "nodelocal") as { key: string; conflicts: { manager: string }[] }[];
    expect(foreign.length, "the homelab twin seeds Terraform-owned objects").toBeGreaterThan(0);
    const first = foreign[0];

    await page.goto(url("main", `/stack?take=${encodeURIComponent(first.key)}`));
    await expect(page.getByTestId("stack-objects")).toBeVisible({ timeout: 30_000 });
    await page.getByTestId("apply-button").click();
    for (const c of ["technitium", "coredns"]) await page.getByTestId(`apply-component-${c}`).check();
    const dialog = page.getByTestId("apply-foreign-owners");
    await expect(dialog).toContainText(`${foreign.length} ${foreign.length === 1 ? "object has" : "objects have"} fields another manager owns`);
    for (const o of foreign) {
      const row = dialog.locator(`[data-testid="apply-foreign-object"][data-key="${o.key}"]`);
      await expect(row).toContainText(`owned by ${o.conflicts[0].manager}`);
      // never pre-selected without saying so; the one the CoreDNS page chose to take (?take=) comes ticked
      if (o.key === first.key) {
        await expect(row.getByTestId("apply-take-ownership")).toBeChecked();
        await expect(row.getByTestId("apply-foreign-choice")).toContainText("applied, forcing");
      } else {
        await expect(row.getByTestId("apply-take-ownership")).not.toBeChecked();
        await expect(row.getByTestId("apply-foreign-choice")).toContainText(`left to ${o.conflicts[0].manager}, not applied`);
      }
    }
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByTestId("apply-confirm")).toHaveCount(0);
  });

  test("deploy NodeLocal DNSCache on the twin: plan says missing, apply rolls out 5/5 healthy, history records it", async ({ adminPage: page, adminRequest: request, twin: _twin }) => {
    test.setTimeout(240_000);
    const plan = await (await request.get(url("main", "/api/v1/stack/plan"))).json();
    const nodelocal = plan.objects.filter((o: { component: string }) => o.component === "nodelocal");
    expect(nodelocal.length).toBeGreaterThanOrEqual(5);
    const keys = nodelocal.map((o: { key: string }) => o.key);

    await page.goto(url("main", "/stack"));
    await expect(page.getByTestId("stack-objects")).toBeVisible({ timeout: 30_000 });
    await expect(page.locator(`[data-testid="stack-object"][data-key="${keys[keys.length - 1]}"]`)).toBeVisible();

    // nothing else takes the stack lock meanwhile (the `serial` project): the apply starts at once
    const started = await request.post(url("main", "/api/v1/stack/apply"), { data: { objects: keys } });
    expect(started.status(), await started.text()).toBe(200);
    const { id } = await started.json();
    // a second apply while this one rolls the DaemonSet out is refused, naming the holder
    const second = await request.post(url("main", "/api/v1/stack/apply"), { data: { objects: keys } });
    expect(second.status(), await second.text()).toBe(423);
    expect((await second.json()).error.message).toContain("alice");
    type Run = { status: string; rollout: { workloads: { kind: string; healthy: number; desired: number }[] } };
    const runNow = async () => (await (await request.get(url("main", `/api/v1/stack/runs/${id}`))).json()) as Run;
    await expect.poll(async () => (await runNow()).status, { timeout: 200_000, message: `apply run #${id} finishes` }).not.toBe("running");
    const run = await runNow();
    expect(run.status).toBe("ok");
    const ds = run.rollout.workloads.find((w) => w.kind === "DaemonSet")!;
    expect(ds.desired).toBe(5);
    expect(ds.healthy).toBe(5);

    const after = await (await request.get(url("main", `/api/v1/stack/plan?objects=${encodeURIComponent(keys.join(","))}`))).json();
    for (const o of after.objects) expect(o.state, o.key).toBe("in-sync");
    // Kyverno's dnsConfig on the DaemonSet: ignored by the default stack config (ignoreDifferences), never drift
    const dsPlan = after.objects.find((o: { kind: string }) => o.kind === "DaemonSet") as { ignored?: { path: string }[]; external: { path: string }[] };
    expect(dsPlan.ignored?.map((f) => f.path).join(" ")).toContain(".spec.template.spec.dnsConfig");
    expect(dsPlan.external.map((f) => f.path).join(" ")).not.toContain("dnsConfig");

    const hist = await (await request.get(url("main", "/api/v1/stack/runs"))).json();
    expect(hist.items.some((h: { id: number; status: string }) => h.id === id && h.status === "ok")).toBe(true);
    await page.getByTestId("tab-history").click();
    await expect(page.locator(`[data-testid="history-row"][data-id="${id}"]`)).toHaveAttribute("data-status", "ok");

    // what a person sees: the DaemonSet in sync, its injected dnsConfig listed as ignored, no "drift outside intent"
    await page.getByTestId("tab-objects").click();
    await page.getByTestId("plan-button").click();
    const dsRow = page.locator('[data-testid="stack-object"][data-key="DaemonSet kube-system/node-local-dns"]');
    await expect(dsRow).toHaveAttribute("data-state", "in-sync", { timeout: 60_000 });
    await expect(dsRow.getByTestId("object-ignored-badge")).toContainText("ignored");
    await expect(dsRow).not.toContainText("drift outside intent");
    await dsRow.getByRole("button", { name: "Diff" }).click();
    await expect(page.getByTestId("object-ignored")).toContainText(".spec.template.spec.dnsConfig");
    await expect(page.getByTestId("object-ignored")).toContainText("owned by nobody");
  });
});
