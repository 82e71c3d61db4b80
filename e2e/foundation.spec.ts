import http from "node:http";
import { ADMIN, asUser, jwtFor, url } from "./env";
import { expect, test } from "./fixtures";

/** A raw HTTP request from a chosen local source address, to play a caller that is not the trusted proxy. */
function rawGet(target: string, headers: Record<string, string>, localAddress: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(target, { headers, localAddress }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test.describe("identity through Authentik headers", () => {
  test("health needs no identity", async ({ request }) => {
    const r = await request.get(url("main", "/api/v1/health"));
    expect(r.status()).toBe(200);
    expect(await r.json()).toEqual({ status: "ok" });
  });

  test("no identity headers: API and pages answer 401 and nothing runs", async ({ request, page }) => {
    const api = await request.get(url("main", "/api/v1/whoami"));
    expect(api.status()).toBe(401);
    expect((await api.json()).error.code).toBe("unauthenticated");
    const res = await page.goto(url("main", "/stack"));
    expect(res?.status()).toBe(401);
    await expect(page.getByRole("heading", { name: /401/ })).toBeVisible();
  });

  test("forged headers from an address outside TRUSTED_PROXY_CIDRS are refused", async () => {
    // The app trusts 127.0.0.1 only; this request leaves from 127.0.0.7.
    const r = await rawGet(url("main", "/api/v1/whoami").replace("127.0.0.1", "127.0.0.1"), { ...ADMIN }, "127.0.0.7");
    expect(r.status).toBe(401);
    expect(r.body).toContain("not from a trusted proxy");
    // A client-sent copy of the peer header changes nothing: the server overwrites it with the real peer.
    const spoof = await rawGet(url("main", "/api/v1/whoami"), { ...ADMIN, "x-dnsdeck-peer": "127.0.0.1" }, "127.0.0.7");
    expect(spoof.status).toBe(401);
  });

  test("a trusted request shows the person's name and role", async ({ operatorRequest, viewerPage: page }) => {
    const r = await operatorRequest.get(url("main", "/api/v1/whoami"));
    expect(r.status()).toBe(200);
    expect(await r.json()).toEqual({ user: "oscar", groups: ["dns-operators"], role: "operator" });
    await page.goto(url("main", "/"));
    await expect(page.getByTestId("user-name")).toHaveText("victor");
    await expect(page.getByTestId("user-role")).toHaveText("viewer");
    await expect(page.getByRole("link", { name: "Log out" })).toHaveAttribute("href", "/outpost.goauthentik.io/sign_out");
  });

  test("someone in no mapped group gets 403", async ({ request }) => {
    const r = await request.get(url("main", "/api/v1/whoami"), { headers: asUser("mallory", ["family"]) });
    expect(r.status()).toBe(403);
  });

  test("every section is reachable from the navigation", async ({ adminPage: page }) => {
    await page.goto(url("main", "/"));
    for (const name of ["Architecture", "Resolution paths", "Stack", "CoreDNS", "Technitium", "Query logs", "Audit", "Overview"]) {
      await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name, exact: true }).click();
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
    }
  });
});

test.describe("verified Authentik JWT", () => {
  test("a valid token is the identity; its claims win over plain headers", async ({ request }) => {
    const r = await request.get(url("jwt", "/api/v1/whoami"), { headers: { "x-authentik-jwt": await jwtFor("alice", ["dns-admins"]), "x-authentik-groups": "nobody" } });
    expect(r.status()).toBe(200);
    expect(await r.json()).toMatchObject({ user: "alice", role: "admin" });
  });

  test("bad signature, expired token, or no token at all: 401", async ({ request }) => {
    const forged = (await jwtFor("alice", ["dns-admins"])).replace(/\.[^.]+$/, ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    for (const headers of [{ "x-authentik-jwt": forged }, { "x-authentik-jwt": await jwtFor("alice", ["dns-admins"], { exp: 1 }) }, ADMIN]) {
      const r = await request.get(url("jwt", "/api/v1/whoami"), { headers });
      expect(r.status()).toBe(401);
    }
  });
});

test.describe("cross-site requests", () => {
  test("a server action posted with another site's Origin is refused and changes nothing", async ({ page, request }) => {
    // Find the demo role switcher's action id the way the browser calls it.
    await page.goto(url("demo", "/"));
    const call = page.waitForRequest((r) => r.method() === "POST" && !!r.headers()["next-action"]);
    await page.getByLabel("Demo role").selectOption("operator");
    const req = await call;
    await expect(page.getByTestId("user-role")).toHaveText("operator");
    const state = await page.context().cookies();
    const cookie = state.map((c) => `${c.name}=${c.value}`).join("; ");
    const r = await request.post(url("demo", "/"), {
      headers: { ...req.headers(), origin: "http://evil.example", cookie, "sec-fetch-site": "cross-site" },
      data: '[{"role":"viewer"}]',
    });
    expect(r.status()).not.toBe(200);
    await page.reload();
    await expect(page.getByTestId("user-role")).toHaveText("operator");
  });
});

test.describe("database down at start", () => {
  test("the app starts, /api/v1/ready names the database, pages that need it say so", async ({ request, page }) => {
    const r = await request.get(url("nodb", "/api/v1/ready"));
    expect(r.status()).toBe(503);
    const body = await r.json();
    const dbDep = body.dependencies.find((d: { name: string }) => d.name === "database");
    expect(dbDep).toMatchObject({ ok: false });
    expect(dbDep.error).toMatch(/unreachable/);
    await page.goto(url("nodb", "/audit"));
    await expect(page.getByText(/database is unreachable: the audit log cannot be shown/)).toBeVisible();
  });
});

test.describe("demo mode", () => {
  test("banner and role switcher; the chosen role is what the server enforces", async ({ page }) => {
    await page.goto(url("demo", "/"));
    await expect(page.getByRole("status")).toContainText("Demo");
    await page.getByLabel("Demo role").selectOption("viewer");
    await expect(page.getByTestId("user-role")).toHaveText("viewer");
    const who = await page.evaluate(async () => (await fetch("/api/v1/whoami")).json());
    expect(who.role).toBe("viewer");
  });
});

test.describe("roles are enforced by the server and every refusal is audited", () => {
  test("a viewer calling an operator action gets 403 and the refusal is in the audit log", async ({ viewerRequest, adminRequest }) => {
    const r = await viewerRequest.post(url("main", "/api/v1/sync/zones"), { data: {} });
    expect(r.status()).toBe(403);
    expect((await r.json()).error.message).toMatch(/needs the operator role/);
    const audit = await adminRequest.get(url("main", "/api/v1/audit?action=sync.zones&result=refused&user=victor"));
    const rows = (await audit.json()).rows as { user: string; role: string; result: string; httpStatus: number }[];
    expect(rows[0]).toMatchObject({ user: "victor", role: "viewer", result: "refused", httpStatus: 403 });
  });

  test("an operator may not apply the stack (admin only): 403, nothing applied", async ({ operatorRequest: request }) => {
    const before = await (await request.get(url("main", "/api/v1/stack/runs"))).json();
    const r = await request.post(url("main", "/api/v1/stack/apply"), { data: {} });
    expect(r.status()).toBe(403);
    const after = await (await request.get(url("main", "/api/v1/stack/runs"))).json();
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
  });

  test("a cross-site POST to an API route is refused even with a valid identity", async ({ adminRequest: request }) => {
    const r = await request.post(url("main", "/api/v1/sync/zones"), { headers: { origin: "http://evil.example" }, data: {} });
    expect(r.status()).toBe(403);
    expect((await r.json()).error.message).toMatch(/cross-site/);
    const audit = await request.get(url("main", "/api/v1/audit?action=sync.zones&result=refused&user=alice"));
    expect(((await audit.json()).rows as { error: string }[])[0].error).toMatch(/cross-site/);
  });
});
