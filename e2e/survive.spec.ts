// dnsdeck survives its own death (issue 15): real server processes of the production build on real PostgreSQL and the
// twin, killed with SIGKILL mid-sync and mid-apply, drained with SIGTERM, and two of them on one database.
// This spec starts its own database, twin and apps (ports E2E_PORT_BASE+10…) so killing them touches no other spec.
import { type APIRequestContext } from "@playwright/test";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { type AppProcess, startApp } from "../scripts/lib/app-process";
import { freshDatabase, type TestDatabase } from "../server/testing/db";
import { kubeFetch } from "../twin/kube/https-fetch";
import { type Twin, startTwin } from "../twin/main";
import { generateQueryLogs } from "../twin/querylogs/generate";
import { ADMIN, OPERATOR, VIEWER } from "./env";
import { type Faults, expect, faultPanel, test } from "./fixtures";

const root = path.resolve(import.meta.dirname, "..");
const base = Number(process.env.E2E_PORT_BASE ?? 3100) + 10;
const LEASE = 3; // DNSDECK_LEASE_SECONDS for these apps: a dead holder's lock is gone within 3 s
const stateDir = path.join(root, "test-results", "e2e-survive");

test.describe.configure({ mode: "serial" });

let appDb: TestDatabase;
let logDb: TestDatabase;
let twin: Twin | null = null;
let faults: Faults;
let env: Record<string, string> = {};
const apps: AppProcess[] = [];
let nextPort = base;

const logOf = (a: AppProcess) => path.join(stateDir, `app-${a.port}.log`);

async function app(extra: Record<string, string> = {}): Promise<AppProcess> {
  const port = nextPort++;
  const a = await startApp({ port, env: { ...env, ...extra }, logFile: path.join(stateDir, `app-${port}.log`) });
  apps.push(a);
  void a.exited.then(() => gone.add(a));
  return a;
}

const gone = new Set<AppProcess>();
/** The process the previous test left running (it goes on where that one ended), else a new one. */
async function running(): Promise<AppProcess> {
  const last = apps.at(-1);
  return last && !gone.has(last) ? last : app();
}

/** Polls `fn` until `until` holds (expect.poll: the failure shows the last value), and returns that value. */
async function poll<T>(fn: () => Promise<T>, until: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  let last: T | undefined;
  await expect
    .poll(
      async () => {
        last = await fn();
        return until(last) ? "reached" : String(JSON.stringify(last)).slice(0, 600);
      },
      { timeout: timeoutMs, intervals: [200], message: what },
    )
    .toBe("reached");
  return last as T;
}

type SyncRun = { id: number; status: string; steps: { name: string; status: string }[]; error: string | null };
type ApplyRun = {
  id: number;
  status: string;
  configRevisionId: number;
  steps: { key: string; status: string }[];
  error: string | null;
  applied: string[];
  rollout?: {
    readBack?: { objects: { key: string; state: string }[]; remaining: string[] };
    verify?: { ok: boolean; pending?: boolean; interrupted?: boolean; hops: { hop: string; ok: boolean }[] };
    rollbackTo?: number | null;
  };
};

const getJson = async (request: APIRequestContext, u: string, headers = VIEWER) => (await request.get(u, { headers })).json();

test.beforeAll(async () => {
  test.setTimeout(180_000);
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  appDb = await freshDatabase({ prefix: "dnsdeck_e2e_survive" });
  logDb = await freshDatabase({ prefix: "dnsdeck_e2e_survive_logs", migrated: false });
  twin = await startTwin({ stateDir: path.join(stateDir, "twin"), speed: 4 });
  faults = faultPanel(twin.admin.panelUrl);
  env = {
    DATABASE_URL: appDb.url,
    QUERYLOG_DATABASE_URL: logDb.url,
    AUTH_MODE: "authentik",
    ADMIN_GROUPS: "dns-admins",
    OPERATOR_GROUPS: "dns-operators",
    VIEWER_GROUPS: "dns-viewers",
    TRUSTED_PROXY_CIDRS: "127.0.0.1/32,::1/128",
    DNSDECK_LEASE_SECONDS: String(LEASE),
    DNSDECK_SHUTDOWN_GRACE_SECONDS: "20",
    ...twin.appEnv,
    // a Corefile change is verified for 5 s in rounds every 2.5 s: the twin's CoreDNS loads it within ~2.3 s (its API
    // poll + reload), so the last round sees the new Corefile (the twin's own default is 10 s; a kubeadm cluster's 90 s)
    DNSDECK_VERIFY_WINDOW_MS: "5000",
    DNSDECK_ROLLOUT_POLL_MS: "500",
  };
});

test.afterAll(async () => {
  for (const a of apps) await a.stop().catch(() => {});
  await twin?.stop().catch(() => {});
  await appDb?.drop().catch(() => {});
  await logDb?.drop().catch(() => {});
});

test("SIGKILL mid zone sync: a new process shows the run interrupted with its done steps and the step in flight, and a new sync runs", async ({ request }) => {
  test.setTimeout(150_000);
  const a = await app();
  await faults.set("tech-tertiary-slow", true); // every call to the tertiary takes 4 s: a step is reliably in flight
  const r = await request.post(`${a.url}/api/v1/sync/zones`, { headers: OPERATOR, data: { wait: false } });
  expect(r.status()).toBe(200);
  const { id } = (await r.json()) as SyncRun;
  const mid = await poll(
    () => getJson(request, `${a.url}/api/v1/sync/runs/${id}`) as Promise<SyncRun>,
    (v) => v.steps.some((s) => s.status === "ok") && v.steps.some((s) => s.status === "running"),
    60_000,
    "a sync step in flight after a finished one",
  );
  const done = mid.steps.filter((s) => s.status === "ok").map((s) => s.name);
  a.kill("SIGKILL");
  await a.exited;

  const b = await app();
  const killedAt = Date.now();
  // seconds, not minutes (the lease is 3 s; the rest is a cold process's first answers on a loaded machine)
  const run = await poll(() => getJson(request, `${b.url}/api/v1/sync/runs/${id}`) as Promise<SyncRun>, (v) => v.status !== "running", 30_000, "the killed run leaves running");
  expect(Date.now() - killedAt).toBeLessThan(30_000);
  expect(run.status).toBe("interrupted");
  // every step saved as done before the kill still reads done; the one in flight reads interrupted; none is running
  for (const name of done) expect(run.steps.find((s) => s.name === name)?.status, name).toBe("ok");
  expect(run.steps.filter((s) => s.status === "interrupted").length).toBeGreaterThanOrEqual(1);
  expect(run.steps.some((s) => s.status === "running")).toBe(false);
  expect(run.error).toContain("lock held by oscar, dnsdeck process");
  await faults.set("tech-tertiary-slow", false);

  // the lock died with the process: a new sync starts and converges
  const again = await request.post(`${b.url}/api/v1/sync/zones`, { headers: OPERATOR, data: {} });
  expect(again.status()).toBe(200);
  expect(((await again.json()) as SyncRun).status).toBe("ok");

  // the sync page shows it as interrupted, not running
  const list = await getJson(request, `${b.url}/api/v1/sync/runs?kind=zones`);
  expect(list.runs.find((x: SyncRun) => x.id === id).status).toBe("interrupted");
  b.kill("SIGKILL");
  await b.exited;
});

test("SIGKILL mid apply (DaemonSet rolling out): the run reads interrupted with the applied objects, the lock is released, and an apply runs again", async ({ request }) => {
  test.setTimeout(240_000);
  const a = await app();
  const plan = await getJson(request, `${a.url}/api/v1/stack/plan`, ADMIN);
  const keys: string[] = plan.objects.filter((o: { component: string }) => o.component === "nodelocal").map((o: { key: string }) => o.key);
  expect(keys.some((k) => k.startsWith("DaemonSet"))).toBe(true);
  const started = await request.post(`${a.url}/api/v1/stack/apply`, { headers: ADMIN, data: { objects: keys } });
  expect(started.status()).toBe(200);
  const { id } = (await started.json()) as ApplyRun;
  const mid = await poll(
    () => getJson(request, `${a.url}/api/v1/stack/runs/${id}`, ADMIN) as Promise<ApplyRun>,
    (v) => v.steps.some((s) => s.status === "rolling-out"),
    90_000,
    "the DaemonSet rolling out",
  );
  const lock = await getJson(request, `${a.url}/api/v1/stack/lock`, VIEWER);
  expect(lock.lock.holder).toBe("alice");
  expect(lock.lock.process).toMatch(/\/\d+\//);
  a.kill("SIGKILL");
  await a.exited;

  const b = await app();
  const run = await poll(() => getJson(request, `${b.url}/api/v1/stack/runs/${id}`, ADMIN) as Promise<ApplyRun>, (v) => v.status !== "running", 30_000, "the killed apply leaves running");
  expect(run.status).toBe("interrupted");
  const before = mid.steps.filter((s) => s.status === "applied" || s.status === "healthy").map((s) => s.key);
  for (const k of before) expect(["applied", "healthy"], k).toContain(run.steps.find((s) => s.key === k)?.status);
  const inFlight = run.steps.filter((s) => s.status === "interrupted");
  expect(inFlight.map((s) => s.key)).toEqual(mid.steps.filter((s) => s.status === "rolling-out").map((s) => s.key));
  expect(run.steps.some((s) => ["applying", "rolling-out"].includes(s.status))).toBe(false);
  expect(run.error).toContain("lock held by alice, dnsdeck process");
  expect((await getJson(request, `${b.url}/api/v1/stack/lock`, VIEWER)).lock).toBeNull();

  // a live process reads back what the cluster now holds for each object of the run: everything applied before the
  // kill, and the DaemonSet that was rolling out (its spec had reached the API server), hold this run's version;
  // Resume would apply exactly the objects still different
  const rb = (await poll(() => getJson(request, `${b.url}/api/v1/stack/runs/${id}`, ADMIN) as Promise<ApplyRun>, (v) => !!v.rollout?.readBack, 30_000, "the read-back")).rollout!.readBack!;
  expect(rb.objects.map((o) => o.key).sort()).toEqual(run.steps.map((s) => s.key).sort());
  for (const k of [...before, ...inFlight.map((s) => s.key)]) expect(rb.objects.find((o) => o.key === k)?.state, k).toBe("in-sync");
  expect(rb.remaining).toEqual(rb.objects.filter((o) => o.state !== "in-sync").map((o) => o.key));

  // the history page says interrupted, and the run page shows which step was in flight
  const hist = await getJson(request, `${b.url}/api/v1/stack/runs`, ADMIN);
  expect(hist.items.find((h: { id: number }) => h.id === id).status).toBe("interrupted");

  // applying again is accepted (the lock is free) and finishes the rollout
  const again = await request.post(`${b.url}/api/v1/stack/apply`, { headers: ADMIN, data: { objects: keys } });
  expect(again.status()).toBe(200);
  const id2 = ((await again.json()) as ApplyRun).id;
  const end = await poll(() => getJson(request, `${b.url}/api/v1/stack/runs/${id2}`, ADMIN) as Promise<ApplyRun>, (v) => v.status !== "running", 180_000, "the second apply finishes");
  expect(end.status).toBe("ok");
  await b.stop();
});

test("two processes on one database: concurrent zone syncs → exactly one runs, the other gets 409 naming it; one rollup worker holds the advisory lock", async ({ request }) => {
  test.setTimeout(120_000);
  const [a, b] = await Promise.all([app(), app()]);
  await faults.set("tech-tertiary-slow", true);
  try {
    const [ra, rb] = await Promise.all([
      request.post(`${a.url}/api/v1/sync/zones`, { headers: OPERATOR, data: { wait: false } }),
      request.post(`${b.url}/api/v1/sync/zones`, { headers: OPERATOR, data: { wait: false } }),
    ]);
    const statuses = [ra.status(), rb.status()].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = (await (ra.status() === 200 ? ra : rb).json()) as SyncRun;
    const loser = await (ra.status() === 409 ? ra : rb).json();
    expect(loser.error.message).toContain(`run #${winner.id}`);
    // either replica shows the same run live
    const fromA = (await getJson(request, `${a.url}/api/v1/sync/runs/${winner.id}`)) as SyncRun;
    const fromB = (await getJson(request, `${b.url}/api/v1/sync/runs/${winner.id}`)) as SyncRun;
    expect(fromA.status).toBe("running");
    expect(fromB.status).toBe("running");
  } finally {
    await faults.set("tech-tertiary-slow", false);
  }

  // the rollup worker: both processes tick (first tick after 2 s), only one holds the advisory lock
  const c = new pg.Client({ connectionString: appDb.url });
  await c.connect();
  try {
    const holders = async () =>
      (await c.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND classid = $1 AND objid = 1 AND granted`, [0x646e73])).rows[0].n as number;
    await poll(holders, (n) => n === 1, 30_000, "one advisory lock holder");
    const holderPid = async () =>
      (await c.query(`SELECT a.application_name AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.classid = $1 AND l.objid = 1 AND l.granted`, [0x646e73])).rows[0]?.n as string | undefined;
    // both processes have ticked: each has its leader session on this database, and the one not holding the lock has
    // asked for it (its last statement) — and still exactly one holds it
    const first = await holderPid();
    const sessions = async () =>
      (await c.query(`SELECT application_name AS n, query, state FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'dnsdeck-leader-1/%'`)).rows as { n: string; query: string; state: string }[];
    const ticked = await poll(sessions, (ss) => ss.length === 2 && ss.some((x) => x.n !== first && x.state === "idle" && x.query.includes("pg_try_advisory_lock")), 30_000, "both processes asked for the rollup lock");
    expect(ticked.map((x) => x.n).sort()).toEqual([`dnsdeck-leader-1/${a.pid}`, `dnsdeck-leader-1/${b.pid}`].sort());
    expect(await holders()).toBe(1);
    expect(await holderPid()).toBe(first);
    // the holder dies: the other process takes over on its next tick (its connection closes, PostgreSQL frees the lock)
    const [dying, surviving] = first === `dnsdeck-leader-1/${a.pid}` ? [a, b] : [b, a];
    expect(first).toBe(`dnsdeck-leader-1/${dying.pid}`);
    dying.kill("SIGKILL");
    await dying.exited;
    await poll(holderPid, (n) => n === `dnsdeck-leader-1/${surviving.pid}`, 40_000, "the surviving process takes the rollup lock over");
    expect(await holders()).toBe(1);
    await surviving.stop();
  } finally {
    await c.end();
  }
});

test("SIGTERM: new changes are refused with 503 and a clear message, the running sync finishes, then the process exits", async ({ request }) => {
  test.setTimeout(120_000);
  // a grace longer than the slowed sync takes: the process must wait for the run to finish, then exit
  const a = await app({ DNSDECK_SHUTDOWN_GRACE_SECONDS: "60" });
  await faults.set("tech-tertiary-slow", true);
  try {
    const r = await request.post(`${a.url}/api/v1/sync/zones`, { headers: OPERATOR, data: { wait: false } });
    expect(r.status()).toBe(200);
    const { id } = (await r.json()) as SyncRun;
    a.kill("SIGTERM");
    // the process has taken the signal: it says so, naming the one run it waits for
    await expect.poll(() => readFileSync(logOf(a), "utf8"), { timeout: 10_000, message: "the drain has begun" }).toContain("SIGTERM: refusing new changes; waiting up to 60 s for 1 running operation(s)");
    const refused = await request.post(`${a.url}/api/v1/sync/split-horizon`, { headers: OPERATOR, data: {} });
    expect(refused.status()).toBe(503);
    expect((await refused.json()).error.message).toContain("dnsdeck is shutting down; retry in a few seconds (another replica will take it)");
    // reads still work while it drains
    expect((await getJson(request, `${a.url}/api/v1/sync/runs/${id}`)).status).toBe("running");
    const t0 = Date.now();
    const code = await a.exited;
    const drained = Date.now() - t0;
    expect(code).toBe(0);
    expect(drained, "the run finished inside the grace").toBeLessThan(60_000);
    const b = await app();
    const run = (await getJson(request, `${b.url}/api/v1/sync/runs/${id}`)) as SyncRun;
    // it waited for the run, which finished with its real outcome (slow is not failing)
    expect(run.status, run.error ?? "").toBe("ok");
    await b.stop();
  } finally {
    await faults.set("tech-tertiary-slow", false);
  }
});

test("SIGKILL mid split-horizon sync: a new process shows the run interrupted with its done steps and the step in flight, and a new sync runs", async ({ request }) => {
  test.setTimeout(120_000);
  const a = await app();
  await faults.set("tech-tertiary-slow", true);
  const r = await request.post(`${a.url}/api/v1/sync/split-horizon`, { headers: OPERATOR, data: { wait: false } });
  expect(r.status()).toBe(200);
  const { id } = (await r.json()) as SyncRun;
  const tertiary = (v: SyncRun) => v.steps.find((s) => s.name.startsWith("tertiary:"));
  const mid = await poll(
    () => getJson(request, `${a.url}/api/v1/sync/runs/${id}`) as Promise<SyncRun>,
    (v) => v.steps.some((s) => s.status === "ok") && tertiary(v)?.status === "running",
    60_000,
    "the tertiary's step in flight after a finished one",
  );
  a.kill("SIGKILL");
  await a.exited;

  const b = await app();
  const run = await poll(() => getJson(request, `${b.url}/api/v1/sync/runs/${id}`) as Promise<SyncRun>, (v) => v.status !== "running", 30_000, "the killed run leaves running");
  expect(run.status).toBe("interrupted");
  for (const s of mid.steps.filter((x) => x.status === "ok")) expect(run.steps.find((x) => x.name === s.name)?.status, s.name).toBe("ok");
  // the slowed tertiary's step was in flight; only steps in flight at the kill read interrupted
  expect(tertiary(run)?.status).toBe("interrupted");
  for (const s of run.steps.filter((x) => x.status === "interrupted")) expect(mid.steps.find((x) => x.name === s.name)?.status, s.name).toBe("running");
  expect(run.steps.some((s) => s.status === "running")).toBe(false);
  expect(run.error).toContain("lock held by oscar, dnsdeck process");
  await faults.set("tech-tertiary-slow", false);
  // the lock died with the process: a new split-horizon sync runs to the end
  const again = await request.post(`${b.url}/api/v1/sync/split-horizon`, { headers: OPERATOR, data: {} });
  expect(again.status()).toBe(200);
  expect(((await again.json()) as SyncRun).status).toBe("ok");
});

test("SIGKILL while planning: a plan starts nothing, so nothing is left — no run, no lock — and the next process plans again", async ({ request }) => {
  test.setTimeout(90_000);
  const a = await running();
  const kube = twin!.admin;
  const admin = { "x-twin-admin": kube.kubeAdminToken, "content-type": "application/json" };
  // the API server holds the plan's dry run of the DaemonSet: the plan is reliably in flight when the process dies
  const hold = { id: "survive-hold-plan", kind: "api", path: "/daemonsets", method: "PATCH", status: "timeout", delayMs: 60_000 };
  expect((await kubeFetch(`${kube.kubeUrl}/_twin/faults`, { method: "POST", headers: admin, body: JSON.stringify(hold) })).status).toBe(201);
  const runsBefore = ((await getJson(request, `${a.url}/api/v1/stack/runs`, ADMIN)).items as { id: number; status: string }[]).map((r) => r.id);
  const planning = request.get(`${a.url}/api/v1/stack/plan`, { headers: ADMIN, timeout: 60_000 }).catch(() => null);
  const held = async () => ((await (await kubeFetch(`${kube.kubeUrl}/_twin/faults`, { headers: admin })).json()).faults as { id: string; hits?: number }[]).find((f) => f.id === hold.id)?.hits ?? 0;
  await expect.poll(held, { timeout: 30_000, message: "the plan's DaemonSet dry run held by the API server" }).toBeGreaterThan(0);
  a.kill("SIGKILL");
  await a.exited;
  expect(await planning).toBeNull(); // the caller saw the connection die, not a half plan
  expect((await kubeFetch(`${kube.kubeUrl}/_twin/faults/${hold.id}`, { method: "DELETE", headers: admin })).status).toBe(200);

  const b = await app();
  expect((await getJson(request, `${b.url}/api/v1/stack/lock`, VIEWER)).lock).toBeNull();
  const runsAfter = (await getJson(request, `${b.url}/api/v1/stack/runs`, ADMIN)).items as { id: number; status: string }[];
  expect(runsAfter.map((r) => r.id)).toEqual(runsBefore);
  expect(runsAfter.filter((r) => r.status === "running")).toEqual([]);
  const plan = await request.get(`${b.url}/api/v1/stack/plan`, { headers: ADMIN });
  expect(plan.status()).toBe(200);
  const objects = (await plan.json()).objects as { key: string }[];
  expect(objects.map((o) => o.key)).toContain("DaemonSet kube-system/node-local-dns");
});

const COREFILE_CM = "ConfigMap kube-system/coredns";

/** Saves a new desired config as the CoreDNS page does (the same verb as its server action). */
async function saveCoredns(request: APIRequestContext, a: AppProcess, change: (c: { cache: { success: { ttl: number } }; forwarders: string[] }) => void, note: string) {
  const cur = (await getJson(request, `${a.url}/api/v1/stack/config`, ADMIN)).current;
  const config = structuredClone(cur.config);
  change(config.coredns);
  const saved = await request.post(`${a.url}/api/v1/stack/config`, { headers: ADMIN, data: { config, note } });
  expect(saved.status(), await saved.text()).toBe(200);
}

const runOf = (request: APIRequestContext, a: AppProcess, id: number) => getJson(request, `${a.url}/api/v1/stack/runs/${id}`, ADMIN) as Promise<ApplyRun>;

test("SIGKILL while a Corefile change is being verified: the run reads interrupted with the verification in flight, the cluster holds the new Corefile, and Resume verifies it", async ({ request, adminPage: page }) => {
  test.setTimeout(120_000);
  const a = await running();
  // a harmless change: the success cache TTL of the `.` block (Terraform's field: taken over, as the Apply dialog offers)
  await saveCoredns(request, a, (c) => (c.cache.success.ttl = 299), "e2e survive: cache TTL 299");
  const started = await request.post(`${a.url}/api/v1/stack/apply`, { headers: ADMIN, data: { objects: [COREFILE_CM], takeOwnership: true } });
  expect(started.status(), await started.text()).toBe(200);
  const { id } = (await started.json()) as ApplyRun;
  await poll(() => runOf(request, a, id), (v) => v.rollout?.verify?.pending === true, 30_000, "resolution being verified after the Corefile change");
  a.kill("SIGKILL");
  await a.exited;

  const b = await app();
  const stackPage = page.goto(`${b.url}/stack`);
  const run = await poll(() => runOf(request, b, id), (v) => v.status !== "running", 30_000, "the killed apply leaves running");
  expect(run.status).toBe("interrupted");
  // the ConfigMap was applied before the kill and still says so; what was in flight is the verification, and it says so
  expect(run.steps.map((s) => [s.key, s.status])).toEqual([[COREFILE_CM, "applied"]]);
  expect(run.rollout?.verify).toMatchObject({ ok: false, interrupted: true });
  expect(run.rollout?.verify?.pending).toBeUndefined();
  expect(run.error).toContain("lock held by alice, dnsdeck process");
  expect(run.error).toContain("The verification after the Corefile change (resolution through every hop) was in flight and did not finish");
  // read back: the cluster holds this run's Corefile; nothing is left to apply, only to verify
  const rb = (await poll(() => runOf(request, b, id), (v) => !!v.rollout?.readBack, 30_000, "the read-back")).rollout!.readBack!;
  expect(rb.objects).toEqual([{ key: COREFILE_CM, state: "in-sync" }]);
  expect(rb.remaining).toEqual([]);

  // the run page says so, and its Resume runs the verification again, to the end
  await stackPage;
  await page.getByTestId("tab-history").click();
  await page.locator(`[data-testid="history-row"][data-id="${id}"]`).getByRole("button", { name: "Details" }).click();
  const panel = page.getByTestId("apply-run");
  await expect(panel).toHaveAttribute("data-status", "interrupted");
  await expect(panel.getByTestId("verify")).toContainText("not verified — dnsdeck stopped before the 5 s window ended");
  await expect(panel.getByTestId("readback-summary")).toContainText("the cluster holds this run's version of all 1 objects, but the verification of the Corefile change did not finish");
  await panel.getByTestId("run-resume").click();
  await expect(panel.getByRole("heading", { name: /^Apply #\d+$/ })).not.toHaveText(`Apply #${id}`);
  await expect(panel).toHaveAttribute("data-status", "ok", { timeout: 60_000 });
  await expect(panel.getByTestId("verify")).toContainText("Resolution through every hop after the Corefile change: ok");
});

type Trace = { hops: { stage: string; hop: string; rcode: string | null; answers: { data: string }[] }[]; firstBadHop?: { hop: string } };

test("a Corefile that breaks cluster DNS: dnsdeck says the verification failed, a zone sync still works, and Roll back (the run page's button) restores resolution", async ({ request, adminPage: page }) => {
  test.setTimeout(120_000);
  const a = await running();
  const trace = async () => (await request.post(`${a.url}/api/v1/trace`, { headers: VIEWER, data: { name: "github.com", clientClass: "pod-public" } })).json() as Promise<Trace>;
  const corednsAnswers = (t: Trace) => t.hops.filter((h) => h.stage === "coredns").map((h) => `${h.rcode} ${h.answers.map((x) => x.data).join(",")}`);
  // a typo in the forwarders (no DNS server at 10.0.20.99): every public name fails in CoreDNS
  await saveCoredns(request, a, (c) => (c.forwarders = ["10.0.20.99"]), "e2e survive: a forwarder typo");
  const started = await request.post(`${a.url}/api/v1/stack/apply`, { headers: ADMIN, data: { objects: [COREFILE_CM], takeOwnership: true } });
  expect(started.status(), await started.text()).toBe(200);
  const { id } = (await started.json()) as ApplyRun;
  const stackPage = page.goto(`${a.url}/stack`); // a person watching (loads while the change is verified)
  const failed = await poll(() => runOf(request, a, id), (v) => v.status !== "running", 60_000, "the breaking apply ends");
  expect(failed.status).toBe("failed");
  expect(failed.rollout?.verify?.ok).toBe(false);
  expect(failed.error).toContain("a Corefile changed and resolution fails through CoreDNS pod");
  expect(failed.rollout?.rollbackTo).toEqual(expect.any(Number));
  // the chain really is broken: every CoreDNS pod fails the public name
  const broken = await trace();
  expect(corednsAnswers(broken).length).toBeGreaterThan(0);
  for (const c of corednsAnswers(broken)) expect(c).not.toContain("140.82.121.3");
  expect(broken.firstBadHop?.hop).toBeTruthy();

  // dnsdeck reaches Technitium by the Service's ClusterIP, not through the DNS it just broke: a zone sync still runs
  const zs = await request.post(`${a.url}/api/v1/sync/zones`, { headers: OPERATOR, data: {} });
  expect(zs.status()).toBe(200);
  expect(((await zs.json()) as SyncRun).status).toBe("ok");

  // roll back as a person does: the failed run's page offers the last good config
  await stackPage;
  await page.getByTestId("tab-history").click();
  await page.locator(`[data-testid="history-row"][data-id="${id}"]`).getByRole("button", { name: "Details" }).click();
  const panel = page.getByTestId("apply-run");
  await expect(panel).toHaveAttribute("data-status", "failed");
  await expect(panel.getByTestId("verify")).toContainText("Resolution through every hop after the Corefile change: FAILED");
  await panel.getByTestId("rollback-offer").click();
  await expect(panel.getByRole("heading", { name: /^Rollback #\d+$/ })).toBeVisible({ timeout: 15_000 });
  await expect(panel).toHaveAttribute("data-status", "ok", { timeout: 60_000 });
  await expect(panel.getByTestId("verify")).toContainText("Resolution through every hop after the Corefile change: ok");
  // resolution through the chain is back: every CoreDNS pod answers the public name again
  const healed = await poll(trace, (t) => !t.firstBadHop, 30_000, "the trace through the chain answers again");
  for (const c of corednsAnswers(healed)) expect(c).toBe("NOERROR 140.82.121.3");
  await a.stop();
});

test("SIGKILL mid rollup step: the next process finishes the rollups and their counts equal the rows in dns_logs exactly", async ({ request }) => {
  test.setTimeout(150_000);
  // no dnsdeck process runs while dns_logs is written (a worker would roll up a half-loaded table): four days of rows,
  // settled minutes ago
  expect(apps.filter((x) => !gone.has(x)).map((x) => x.port)).toEqual([]);
  const endAt = new Date(Date.now() - 10 * 60_000);
  await generateQueryLogs({ databaseUrl: logDb.url, days: 4, perDay: 40_000, endAt });
  const deck = new pg.Client({ connectionString: appDb.url });
  const logs = new pg.Client({ connectionString: logDb.url });
  await Promise.all([deck.connect(), logs.connect()]);
  try {
    const a = await app();
    // a step's write: its one transaction holds the rollup lock (ROLLUP_LOCK, server/querylogs/db-types.ts)
    const writing = async () => (await deck.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707370 AND granted`)).rows[0].n as number;
    await expect.poll(writing, { timeout: 60_000, intervals: [20], message: "a rollup step writing" }).toBe(1);
    a.kill("SIGKILL");
    await a.exited;
    const total = Number((await logs.query(`SELECT count(*) AS n FROM dns_logs`)).rows[0].n);
    const wm = await deck.query(`SELECT watermark FROM querylog_state`);
    expect(Number(wm.rows[0]?.watermark ?? 0), "the kill left rows to roll up").toBeLessThan(Number((await logs.query(`SELECT max(dlid) AS m FROM dns_logs`)).rows[0].m));

    const b = await app();
    const status = await poll(() => getJson(request, `${b.url}/api/v1/query-logs/status`), (s) => s.rollupBehind === 0, 90_000, "the new process catches up");
    expect(status.rollupError).toBeNull();
    // per UTC day, the rollup's count equals the SQL count: no row counted twice, none missed
    const perDay = async (c: pg.Client, sql: string) => Object.fromEntries((await c.query(sql)).rows.map((r) => [r.day, Number(r.n)]));
    const rolled = await perDay(deck, `SELECT day::text AS day, sum(n) AS n FROM querylog_sig_day GROUP BY day ORDER BY day`);
    const counted = await perDay(logs, `SELECT (timestamp AT TIME ZONE 'UTC')::date::text AS day, count(*) AS n FROM dns_logs GROUP BY 1 ORDER BY 1`);
    expect(rolled).toEqual(counted);
    expect(Number((await deck.query(`SELECT rows_rolled FROM querylog_state`)).rows[0].rows_rolled)).toBe(total);
    // and what the Query logs page shows: the count over the whole range, exact from the rollups
    const from = new Date(endAt.getTime() - 5 * 86_400_000).toISOString();
    const page = await getJson(request, `${b.url}/api/v1/query-logs?from=${from}&limit=1`);
    expect(page.count).toMatchObject({ value: total, kind: "rollup" });
    await b.stop();
  } finally {
    await Promise.all([deck.end(), logs.end()]);
  }
});
