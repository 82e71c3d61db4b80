import { defineConfig, devices } from "@playwright/test";

// End-to-end tests drive Debian's Chromium (never a downloaded browser) against the production build started by
// e2e/global-setup.ts on the twin. Reporter: list for people, JSON for the summary line of `npm test`.
// Specs that take the stack or sync lock (apply, rollback, restart, sync, a record change), save the stack config,
// turn a twin fault on, trace through the DNS path such a fault breaks, or compare the stack's state before and after:
// they run one at a time in one worker (project `serial`); the other worker runs the specs that share nothing with
// them (survive.spec.ts has its own database, twin and apps). A new spec runs in `parallel` unless it is named here.
const SERIAL = /\/(architecture|corefile|foundation|health|records|security|stack|technitium)\.spec\.ts$/;

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: 2,
  projects: [
    { name: "serial", testMatch: SERIAL, workers: 1 },
    { name: "parallel", testIgnore: SERIAL },
  ],
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? "test-results/e2e.json" }]],
  use: {
    ...devices["Desktop Chrome"],
    baseURL: process.env.E2E_BASE_URL ?? `http://127.0.0.1:${process.env.E2E_PORT_BASE ?? 3100}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
});
