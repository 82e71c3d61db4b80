import { url } from "./env";
import { expect, test } from "./fixtures";

// Corefile editor and validator: the HTTP API (line:column errors, roles) and the CoreDNS page (form, raw editor,
// live validation, save into the stack config).

const SEED = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . 10.0.20.1 8.8.8.8 1.1.1.1 {
       policy sequential
       health_check 5s
       max_fails 2
    }
    cache {
       success 10000 300 6
       denial 10000 300 60
       serve_stale 86400s
    }
    loop
    reload
    loadbalance
}
`;

test.describe("corefile validate API", () => {
  test("a viewer validates the seed's Corefile: valid, no errors", async ({ viewerRequest }) => {
    const r = await viewerRequest.post(url("main", "/api/v1/corefile/validate"), { data: { target: "coredns", corefile: SEED } });
    expect(r.status()).toBe(200);
    expect(await r.json()).toEqual({ valid: true, errors: [] });
  });

  test("a NodeLocal forward loop and a removed ready are reported at line and column", async ({ viewerRequest: request }) => {
    const loop = `cluster.local:53 {\n    errors\n    health 169.254.20.10:8080\n    reload\n    forward . 10.96.0.10\n}\n`;
    const r = await request.post(url("main", "/api/v1/corefile/validate"), { data: { target: "nodelocal", corefile: loop } });
    const body = await r.json();
    expect(body.valid).toBe(false);
    expect(body.errors).toContainEqual(expect.objectContaining({ line: 5, column: 15, message: expect.stringContaining("Forward loop") }));

    const noReady = await request.post(url("main", "/api/v1/corefile/validate"), { data: { target: "coredns", corefile: SEED.replace("    ready\n", "") } });
    const nr = await noReady.json();
    expect(nr.valid).toBe(false);
    expect(nr.errors[0]).toMatchObject({ line: 1, column: 1 });
    expect(nr.errors[0].message).toContain("'ready' is missing");

    const notCompiled = await request.post(url("main", "/api/v1/corefile/validate"), { data: { target: "nodelocal", corefile: SEED } });
    expect((await notCompiled.json()).errors).toContainEqual(expect.objectContaining({ line: 6, column: 5, message: expect.stringContaining("missing a plugin") }));
  });

  test("bad input is a 400 that names the field; no identity is a 401", async ({ viewerRequest, request }) => {
    const bad = await viewerRequest.post(url("main", "/api/v1/corefile/validate"), { data: { target: "bind9", corefile: SEED } });
    expect(bad.status()).toBe(400);
    expect((await bad.json()).error.message).toContain("target");
    const anon = await request.post(url("main", "/api/v1/corefile/validate"), { data: { target: "coredns", corefile: SEED } });
    expect(anon.status()).toBe(401);
  });
});

test.describe("CoreDNS page", () => {
  test("a viewer sees both rendered Corefiles as valid and cannot save", async ({ viewerPage: page }) => {
    await page.goto(url("main", "/coredns"));
    await expect(page.getByRole("heading", { name: "CoreDNS" })).toBeVisible();
    await expect(page.getByTestId("corefile-editor-coredns")).toHaveValue(/forward \. 10\.0\.20\.1 8\.8\.8\.8 1\.1\.1\.1/);
    await expect(page.getByTestId("corefile-status")).toHaveAttribute("data-valid", "true");
    await expect(page.getByTestId("corefile-save")).toBeDisabled();
    await page.getByTestId("tab-nodelocal").click();
    await expect(page.getByTestId("corefile-editor-nodelocal")).toHaveValue(/health 169\.254\.20\.10:8080/);
    await expect(page.getByTestId("validation-profile")).toContainText("node-cache 1.23.1");
    await expect(page.getByTestId("corefile-status")).toHaveAttribute("data-valid", "true");
  });

  test("raw editor: a broken line shows line:column live and blocks saving; fixing it clears the error", async ({ adminPage: page }) => {
    await page.goto(url("main", "/coredns"));
    await page.getByTestId("edit-raw").click();
    const editor = page.getByTestId("corefile-editor-coredns");
    const text = await editor.inputValue();
    // Go durations have no "d" unit: serve_stale 1d fails at CoreDNS start
    await editor.fill(text.replace("serve_stale 86400s", "serve_stale 1d"));
    const err = page.locator('[data-testid="corefile-error"][data-severity="error"]').first();
    await expect(err).toContainText("not a Go duration");
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.trim() === "serve_stale 86400s");
    await expect(err).toHaveAttribute("data-line", String(line + 1));
    await expect(err).toHaveAttribute("data-column", String(lines[line].indexOf("86400s") + 1));
    await expect(page.getByTestId("corefile-save")).toBeDisabled();
    await editor.fill(text);
    await expect(page.getByTestId("corefile-status")).toHaveAttribute("data-valid", "true");
  });

  test("form: a forwarder that loops through NodeLocal is refused; a good change saves as a new revision", async ({ adminPage: page, adminRequest: request, twin: _twin }) => {
    // the twin's ConfigMap kube-system/coredns is Terraform's (its managedFields), as the homelab's is
    const before = await (await request.get(url("main", "/api/v1/stack/config"))).json();
    await page.goto(url("main", "/coredns"));
    const fwd = page.getByTestId("field-coredns.forwarders");
    await fwd.fill("169.254.20.10, 1.1.1.1");
    await expect(page.locator('[data-testid="corefile-error"]').first()).toContainText("intercepted by NodeLocal");
    await expect(page.getByTestId("corefile-save")).toBeDisabled();
    await fwd.fill("10.0.20.1, 1.1.1.1");
    await expect(page.getByTestId("corefile-status")).toHaveAttribute("data-valid", "true");
    await page.getByTestId("corefile-note").fill("e2e: drop 8.8.8.8");
    await page.getByTestId("corefile-save").click();
    // Terraform owns the live Corefile (the homelab's ConfigMap): named before anything is saved, with the choice
    const owners = page.getByTestId("foreign-owners");
    await expect(owners).toContainText("ConfigMap kube-system/coredns", { timeout: 60_000 }); // a server-side dry run per object first
    await expect(owners).toContainText(".data.Corefile owned by Terraform");
    await expect(page.getByTestId("owners-take")).toContainText("take ownership from Terraform");
    const unsaved = await (await request.get(url("main", "/api/v1/stack/config"))).json();
    expect(unsaved.current.id, "nothing is saved before the choice").toBe(before.current.id);
    await page.getByTestId("owners-leave").click();
    await expect(page.getByTestId("save-result")).toContainText("stays with Terraform");
    await expect(page.getByTestId("save-result")).toContainText("Saved as stack config revision");
    const after = await (await request.get(url("main", "/api/v1/stack/config"))).json();
    // a new revision (on a fresh database the config before was the built-in default, id null)
    expect(after.current.id).toEqual(expect.any(Number));
    expect(after.current.id).not.toBe(before.current.id);
    expect(after.current.config.coredns.forwarders).toEqual(["10.0.20.1", "1.1.1.1"]);
    expect(after.current.note).toContain("ConfigMap kube-system/coredns: left to Terraform");
    // put the previous desired config back so other specs see the homelab's values
    const restore = await request.post(url("main", "/api/v1/stack/config"), { data: { config: before.current.config, note: "e2e: restore" } });
    expect(restore.status()).toBe(200);
  });

  test("NodeLocal form: a bare boolean flag value is refused at the field (Go flag parsing would stop node-cache)", async ({ adminPage: page }) => {
    await page.goto(url("main", "/coredns"));
    await page.getByTestId("tab-nodelocal").click();
    await page.getByTestId("field-nodelocal.extraArgs").fill("-skipteardown true");
    await expect(page.locator('[data-testid="field-error"][data-field="nodelocal.extraArgs"]')).toContainText("not a flag");
    await expect(page.getByTestId("corefile-save")).toBeDisabled();
    await page.getByTestId("field-nodelocal.extraArgs").fill("-skipteardown=false");
    await expect(page.locator('[data-testid="field-error"][data-field="nodelocal.extraArgs"]')).toHaveCount(0);
    await expect(page.getByTestId("corefile-save")).toBeEnabled();
  });
});
