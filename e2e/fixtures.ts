// Playwright fixtures for the end-to-end specs: a page and a request context per role, already carrying the headers
// Traefik passes after Authentik's forward auth, and the homelab twin, which a test that needs it declares — a
// missing twin fails that test, it never skips it.
import { type APIRequestContext, type Browser, type Page, type PlaywrightWorkerArgs, expect, test as base } from "@playwright/test";
import { ADMIN, OPERATOR, VIEWER } from "./env";

/** A fault of the twin's panel (twin/panel.ts), read and set through its HTTP API. */
export interface Faults {
  active(id: string): Promise<boolean>;
  /** Turns the fault on or off and reads it back; fails on a fault id the twin does not know. */
  set(id: string, on: boolean): Promise<void>;
}

export function faultPanel(panelUrl: string): Faults {
  const active = async (id: string) => {
    const r = await fetch(`${panelUrl}/api/faults`);
    expect(r.status, `the twin's fault panel at ${panelUrl}`).toBe(200);
    const fault = ((await r.json()) as { id: string; active: boolean }[]).find((f) => f.id === id);
    if (!fault) throw new Error(`the twin has no fault "${id}" (twin/panel.ts)`);
    return fault.active;
  };
  return {
    active,
    async set(id, on) {
      // the panel only toggles: toggle when the fault is not already as wanted, then read it back
      if ((await active(id)) !== on) await fetch(`${panelUrl}/toggle?id=${encodeURIComponent(id)}`, { method: "POST", redirect: "manual" });
      expect(await active(id), `twin fault ${id}`).toBe(on);
    },
  };
}

/** The homelab twin e2e/global-setup.ts started for the suite's apps. */
export interface TwinFixture {
  admin: { panelUrl: string; kubeUrl: string; dnsPort: number };
  /** DNS_ADDRESS_MAP the apps were given: cluster addresses → the twin's loopback ports. */
  dnsAddressMap: string;
  faults: Faults;
}

interface RoleFixtures {
  adminPage: Page;
  operatorPage: Page;
  viewerPage: Page;
  adminRequest: APIRequestContext;
  operatorRequest: APIRequestContext;
  viewerRequest: APIRequestContext;
}

/** A page in its own browser context sending a role's headers (the test's `use` options — viewport etc. — apply). */
const rolePage = (headers: Record<string, string>) =>
  async ({ browser }: { browser: Browser }, use: (p: Page) => Promise<void>) => {
    const context = await browser.newContext({ extraHTTPHeaders: headers });
    await use(await context.newPage());
    await context.close();
  };

const roleRequest = (headers: Record<string, string>) =>
  async ({ playwright }: PlaywrightWorkerArgs, use: (r: APIRequestContext) => Promise<void>) => {
    const request = await playwright.request.newContext({ extraHTTPHeaders: headers });
    await use(request);
    await request.dispose();
  };

export const test = base.extend<RoleFixtures, { twin: TwinFixture }>({
  adminPage: rolePage(ADMIN),
  operatorPage: rolePage(OPERATOR),
  viewerPage: rolePage(VIEWER),
  adminRequest: roleRequest(ADMIN),
  operatorRequest: roleRequest(OPERATOR),
  viewerRequest: roleRequest(VIEWER),
  twin: [
    async ({}, use) => {
      const admin = JSON.parse(process.env.E2E_TWIN_ADMIN || "{}") as Partial<TwinFixture["admin"]>;
      const dnsAddressMap = process.env.E2E_DNS_ADDRESS_MAP ?? "";
      if (!admin.panelUrl || !dnsAddressMap)
        throw new Error("the homelab twin is not running (E2E_TWIN_ADMIN / E2E_DNS_ADDRESS_MAP unset): e2e/global-setup.ts starts it from twin/main.ts, and a test that needs it fails without it");
      await use({ admin: admin as TwinFixture["admin"], dnsAddressMap, faults: faultPanel(admin.panelUrl) });
    },
    { scope: "worker" },
  ],
});

export { expect };
