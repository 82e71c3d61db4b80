import { spawn } from "node:child_process";
import http from "node:http";
import { type APIRequestContext } from "@playwright/test";
import { ADMIN, OPERATOR, VIEWER, jwtFor, url } from "./env";
import { expect, test } from "./fixtures";
import { type Discovered, discoverPages, discoverRoutes } from "./security-tree";

// The trust boundary, attacked as an outsider would, on the production build: every page and route found in the
// tree, from an untrusted address and with bad tokens, as HTML, RSC, prefetch and API; every mutation as a lower
// role; oversized, NUL, 64-bit and absurd inputs; state compared before and after each refusal.

const MARKER = `planted-secret-${Date.now().toString(36)}`;
const pages = discoverPages();
const routes = discoverRoutes();

/** POST routes that change something: the role they need and their audit action. */
const MUTATIONS: Record<string, { role: "operator" | "admin"; action: string; body: object; method?: "PUT" | "DELETE" }> = {
  "/api/v1/stack/config": { role: "admin", action: "stack.config.save", body: { config: {}, note: "x" } },
  "/api/v1/stack/apply": { role: "admin", action: "stack.apply", body: {} },
  "/api/v1/stack/rollback": { role: "admin", action: "stack.rollback", body: { toRun: 1 } },
  "/api/v1/stack/restart": { role: "admin", action: "stack.restart", body: { kind: "DaemonSet", namespace: "kube-system", name: "node-local-dns" } },
  "/api/v1/sync/zones": { role: "operator", action: "sync.zones", body: {} },
  "/api/v1/sync/split-horizon": { role: "operator", action: "sync.split-horizon", body: {} },
  "/api/v1/consistency/split-horizon": { role: "admin", action: "zones.split-horizon.fix", body: { translation: { external: "176.12.22.99", internal: "10.0.20.200" }, baseRevision: null } },
  "/api/v1/sync/resolver-settings": { role: "operator", action: "sync.resolver-settings", body: {} },
  "/api/v1/cronjobs/run": { role: "operator", action: "cronjobs.run", body: { namespace: "technitium", name: "technitium-zone-sync" } },
  "/api/v1/zones/viktorbarzin.lan/records": { role: "operator", action: "zones.records.add", body: { name: "sec-probe", type: "A", value: "10.0.20.9" } },
  // PUT here; DELETE on the same path is refused by the same verb pattern (e2e/records.spec.ts checks it)
  "/api/v1/zones/viktorbarzin.lan/records/technitium-zone-sync/A": { role: "operator", action: "zones.records.update", body: { current: "10.0.20.9", value: "10.0.20.8" }, method: "PUT" },
};
/** POST routes that only read (no audit row; stack/owners is a dry run for admins), and routes that need no identity at all. */
const READ_POSTS = new Set(["/api/v1/trace", "/api/v1/corefile/validate", "/api/v1/stack/owners"]);
const OPEN = new Set(["/api/v1/health", "/api/v1/ready"]);
/** start.mjs's internal answer for refused server-action posts: 404 unless start.mjs sent the request there. */
const INTERNAL = new Set(["/api/v1/refused"]);

interface Raw {
  status: number;
  body: string;
  ms: number;
}

/** `declared`: send headers saying this many bytes follow, then only `body`, and wait for the answer (no race with a reset). */
type RawOptions = { method?: string; headers?: Record<string, string>; body?: string | Buffer; from?: string; chunks?: Buffer[]; declared?: number };

/**
 * A raw HTTP request, optionally from another local source address (127.0.0.7 is not a trusted proxy). Follows the
 * 307 Next.js answers an RSC request without its cache-busting `_rsc` parameter, like the router does.
 */
async function raw(target: string, opts: RawOptions = {}): Promise<Raw> {
  let r = await once(target, opts);
  for (let hops = 0; (r.status === 307 || r.status === 308) && r.location && hops < 3; hops++) r = await once(new URL(r.location, target).toString(), opts);
  return r;
}

function once(target: string, opts: RawOptions): Promise<Raw & { location?: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    // Node sends a DELETE body with neither Content-Length nor chunking unless told; say its length like fetch and curl do
    const headers = opts.declared !== undefined ? { ...opts.headers, "content-length": String(opts.declared) } : opts.body !== undefined && !Object.keys(opts.headers ?? {}).some((h) => /^content-length$/i.test(h)) ? { ...opts.headers, "content-length": String(Buffer.byteLength(opts.body)) } : opts.headers;
    const req = http.request(target, { method: opts.method ?? "GET", headers, localAddress: opts.from }, (res) => {
      const location = res.headers.location;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - t0, location });
        if (opts.declared !== undefined) req.destroy();
      });
      res.on("error", () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - t0 }));
    });
    req.on("error", (err) => (err.message.includes("EPIPE") || err.message.includes("ECONNRESET") ? resolve({ status: 0, body: err.message, ms: performance.now() - t0 }) : reject(err)));
    if (opts.declared !== undefined) req.write(opts.body ?? "");
    else if (opts.chunks) {
      for (const c of opts.chunks) req.write(c);
      req.end();
    } else req.end(opts.body);
  });
}

/** What a refusal may not change: config revisions, apply runs, sync runs, the lock (read with an admin's request). */
async function state(adminRequest: APIRequestContext): Promise<string> {
  const get = async (p: string) => (await adminRequest.get(url("main", p))).json();
  const [config, applies, syncs, lock] = await Promise.all([get("/api/v1/stack/config?limit=100"), get("/api/v1/stack/runs?limit=100"), get("/api/v1/sync/runs?pageSize=100"), get("/api/v1/stack/lock")]);
  return JSON.stringify({
    current: config.current.id,
    revisions: config.revisions.items.map((r: { id: number }) => r.id),
    applies: applies.items.map((a: { id: number }) => a.id),
    syncs: syncs.runs.map((r: { id: number }) => r.id),
    lock: lock.lock?.holder ?? null,
  });
}

// Every state comparison below assumes nothing else changes the stack meanwhile: in order, and in the `serial`
// project (playwright.config.ts) with the specs that sync, apply or save.
test.describe.configure({ mode: "serial" });

test.describe("security: discovered from the tree", () => {
  test("every discovered route has a case", () => {
    expect(pages.length).toBeGreaterThanOrEqual(8);
    expect(routes.length).toBeGreaterThanOrEqual(25);
    for (const r of routes) {
      for (const m of r.methods) {
        if (m === "GET" || OPEN.has(r.path) || INTERNAL.has(r.path)) continue;
        expect(MUTATIONS[r.path] || READ_POSTS.has(r.path), `${m} ${r.path} (${r.file}) needs a case in e2e/security.spec.ts`).toBeTruthy();
      }
    }
  });

  test("plant a marker: an audit note and a config revision note", async ({ adminRequest: request }) => {
    const cur = await (await request.get(url("main", "/api/v1/stack/config"))).json();
    const saved = await request.post(url("main", "/api/v1/stack/config"), { data: { config: cur.current.config, note: MARKER } });
    expect(saved.status()).toBe(200);
    const audit = await (await request.get(url("main", "/api/v1/audit?action=stack.config.save&limit=5"))).text();
    expect(audit).toContain(MARKER);
    const stack = await (await request.get(url("main", "/api/v1/stack/config"))).text();
    expect(stack).toContain(MARKER);
  });

  const variants: [string, Record<string, string>][] = [
    ["HTML", { accept: "text/html" }],
    ["RSC", { RSC: "1" }],
    ["prefetch", { RSC: "1", "Next-Router-Prefetch": "1" }],
  ];

  test("every page, from an untrusted address with forged Authentik headers: 401 as HTML, RSC and prefetch, no data", async () => {
    for (const p of pages)
      for (const [kind, h] of variants)
        for (const target of [p.path, `${p.path}${p.path.includes("?") ? "&" : "?"}user=alice&action=stack.`]) {
          const r = await raw(url("main", target), { headers: { ...ADMIN, ...h, "x-dnsdeck-peer": "127.0.0.1" }, from: "127.0.0.7" });
          expect(r.status, `${kind} ${target}`).toBe(401);
          expect(r.body, `${kind} ${target}`).not.toContain(MARKER);
        }
  });

  test("every page with a forged, expired or not-yet-valid JWT: 401 as HTML, RSC and prefetch, no data", async () => {
    const good = await jwtFor("alice", ["dns-admins"]);
    const tokens = {
      forged: good.replace(/\.[^.]+$/, ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
      expired: await jwtFor("alice", ["dns-admins"], { exp: Math.floor(Date.now() / 1000) - 3600 }),
      "nbf in the future": await jwtFor("alice", ["dns-admins"], { nbf: Math.floor(Date.now() / 1000) + 3600 }),
      "non-string user": await jwtFor(["alice"], ["dns-admins"]),
    };
    for (const p of pages)
      for (const [kind, h] of variants)
        for (const [label, token] of Object.entries(tokens)) {
          const r = await raw(url("jwt", p.path), { headers: { ...ADMIN, ...h, "x-authentik-jwt": token } });
          expect(r.status, `${label} ${kind} ${p.path}`).toBe(401);
          expect(r.body).not.toContain(MARKER);
        }
  });

  test("every route and method, untrusted or with a bad JWT: 401 (open ones excepted), no data", async () => {
    const bad = (await jwtFor("alice", ["dns-admins"], { nbf: Math.floor(Date.now() / 1000) + 3600 })) as string;
    for (const r of routes as Discovered[])
      for (const method of r.methods) {
        const body = method === "GET" ? undefined : JSON.stringify(MUTATIONS[r.path]?.body ?? {});
        const headers = { ...ADMIN, "content-type": "application/json", "x-dnsdeck-peer": "127.0.0.1", "x-dnsdeck-peer-proof": "guess" };
        const untrusted = await raw(url("main", r.path), { method, headers, body, from: "127.0.0.7" });
        const jwt = await raw(url("jwt", r.path), { method, headers: { ...headers, "x-authentik-jwt": bad }, body });
        for (const [label, res] of [["untrusted", untrusted], ["jwt", jwt]] as const) {
          const expected = OPEN.has(r.path) ? [200, 503] : INTERNAL.has(r.path) ? [404] : [401];
          expect(expected, `${label} ${method} ${r.path}: ${res.status} ${res.body.slice(0, 200)}`).toContain(res.status);
          expect(res.body).not.toContain(MARKER);
        }
      }
  });

  test("a flood of refused strangers makes about one audit row, not one per request", async ({ adminRequest }) => {
    const count = async () => (await (await adminRequest.get(url("main", "/api/v1/audit?result=refused&user=anonymous&limit=200"))).json()).rows as { count: number; error: string }[];
    const answers = await Promise.all(Array.from({ length: 200 }, () => raw(url("main", "/api/v1/whoami"), { from: "127.0.0.9" })));
    expect(answers.every((a) => a.status === 401)).toBe(true);
    // counted in memory, written once a second
    await expect.poll(async () => (await count()).filter((r) => r.error.includes("127.0.0.9")).reduce((n, r) => n + r.count, 0), { timeout: 10_000 }).toBe(200);
    expect((await count()).filter((r) => r.error.includes("127.0.0.9")).length).toBeLessThanOrEqual(2);
  });

  test("every mutating route as a lower role: 403, an audit row, nothing changed", async ({ request, adminRequest }) => {
    const before = await state(adminRequest);
    for (const [p, m] of Object.entries(MUTATIONS)) {
      const lower = m.role === "admin" ? [["victor", VIEWER], ["oscar", OPERATOR]] : [["victor", VIEWER]];
      for (const [user, headers] of lower as [string, Record<string, string>][]) {
        const r = await request.fetch(url("main", p), { method: m.method ?? "POST", headers, data: m.body });
        expect(r.status(), `${user} ${p}`).toBe(403);
        const rows = (await (await adminRequest.get(url("main", `/api/v1/audit?action=${m.action}&result=refused&user=${user}&limit=1`))).json()).rows;
        expect(rows[0], `${user} ${p}`).toMatchObject({ user, result: "refused", httpStatus: 403 });
      }
    }
    expect(await state(adminRequest)).toBe(before);
  });

  test("NUL strings, 64-bit ids, long cursors, absurd ranges, bad dates and IPs: 4xx within a second or two, nothing changed", async ({ request, adminRequest }) => {
    const before = await state(adminRequest);
    const cases: [string, string, Record<string, string>, unknown?][] = [
      ["POST", "/api/v1/stack/rollback", ADMIN, { toRun: 2147483648 }],
      ["POST", "/api/v1/stack/rollback", ADMIN, { toRun: 1, undo: 99999999999 }],
      ["POST", "/api/v1/stack/apply", ADMIN, { revision: 2 ** 53 }],
      ["POST", "/api/v1/stack/config", ADMIN, { config: {}, note: "a\u0000b" }],
      ["POST", "/api/v1/sync/resolver-settings", OPERATOR, { wait: "\u0000" }],
      ["POST", "/api/v1/cronjobs/run", OPERATOR, { namespace: "technitium\u0000", name: "technitium-zone-sync" }],
      ["POST", "/api/v1/trace", VIEWER, { name: "a\u0000.lan", clientClass: "lan" }],
      ["POST", "/api/v1/corefile/validate", VIEWER, { target: "coredns", corefile: ".:53 {\u0000}" }],
      ["GET", "/api/v1/stack/runs/2147483648", VIEWER],
      ["GET", "/api/v1/sync/runs/99999999999999999999", VIEWER],
      ["GET", "/api/v1/audit?before=99999999999999999999999", VIEWER],
      ["GET", "/api/v1/audit?user=%00", VIEWER],
      ["GET", "/api/v1/stack/config?before=2147483648", VIEWER],
      ["GET", "/api/v1/query-logs?cursor=123456789012345", VIEWER],
      ["GET", "/api/v1/query-logs?after=99999999999", VIEWER],
      ["GET", "/api/v1/query-logs?from=2026-02-30", VIEWER],
      ["GET", "/api/v1/query-logs?from=2026-13-01T00:00:00Z", VIEWER],
      ["GET", "/api/v1/query-logs?client=fffff::", VIEWER],
      ["GET", "/api/v1/query-logs?client=1:2:3:4:5:6:7:8:9:10", VIEWER],
      ["GET", "/api/v1/query-logs?client=:::::::::", VIEWER],
      ["GET", "/api/v1/query-logs/stats?bucket=1m&from=2020-01-01", VIEWER],
      ["GET", "/api/v1/query-logs/export?from=1000-01-01&to=1000-01-02", VIEWER],
      ["GET", "/api/v1/paths/ndots?namespace=%00", VIEWER],
    ];
    for (const [method, p, headers, body] of cases) {
      const t0 = performance.now();
      const r = method === "GET" ? await request.get(url("main", p), { headers }) : await request.post(url("main", p), { headers, data: body });
      const ms = performance.now() - t0;
      expect(r.status(), `${method} ${p} ${JSON.stringify(body)}: ${await r.text()}`).toBeGreaterThanOrEqual(400);
      expect(r.status(), `${method} ${p}`).toBeLessThan(500);
      expect((await r.json()).error.message, p).toBeTruthy();
      expect(ms, `${method} ${p}`).toBeLessThan(2000);
    }
    expect(await state(adminRequest)).toBe(before);
  });

  test("the query-log stats DoS range is answered fast and clipped to the retention", async ({ viewerRequest }) => {
    const t0 = performance.now();
    const r = await viewerRequest.get(url("main", "/api/v1/query-logs/stats?from=1000-01-01T00:00:00Z&to=9999-12-31T00:00:00Z"));
    const ms = performance.now() - t0;
    const body = await r.text();
    expect(r.status(), body.slice(0, 300)).toBe(200);
    expect(body.length).toBeLessThan(2_000_000);
    expect(new Date(JSON.parse(body).from).getTime()).toBeGreaterThan(Date.now() - 92 * 86_400_000);
    expect(ms).toBeLessThan(5000);
  });

  test("oversized bodies: 413 before they are read, declared or chunked, authenticated or not", async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, "a");
    const json = { ...ADMIN, "content-type": "application/json" };
    // declared: the server answers from Content-Length alone, with only the first KiB sent (so the 413 is readable, not
    // lost to a reset while a 2 MiB body is still being written)
    const declared = await raw(url("main", "/api/v1/corefile/validate"), { method: "POST", headers: json, body: big.subarray(0, 1024), declared: big.length });
    const chunked = await raw(url("main", "/api/v1/corefile/validate"), { method: "POST", headers: { ...json, "transfer-encoding": "chunked" }, chunks: Array.from({ length: 32 }, () => big.subarray(0, 64 * 1024)) });
    const stranger = await raw(url("main", "/api/v1/stack/config"), { method: "POST", headers: { "content-type": "application/json" }, body: big, from: "127.0.0.7" });
    const actionPost = await raw(url("main", "/stack"), { method: "POST", headers: { ...ADMIN, "next-action": "00aa", "content-type": "text/plain;charset=UTF-8" }, body: big });
    for (const [label, r] of [["declared", declared], ["chunked", chunked], ["stranger", stranger], ["server action", actionPost]] as const) {
      expect([413, 0], `${label}: ${r.status} ${r.body.slice(0, 200)}`).toContain(r.status);
      expect(r.ms, label).toBeLessThan(2000);
    }
    expect(declared.status).toBe(413);
    expect(declared.body).toContain("larger than");
  });
});

test.describe("security: server actions", () => {
  test("a lower role replaying the config-save action is refused with an audit row; cross-site and malformed posts get a clear 4xx and an audit row", async ({ adminPage: page, adminRequest }) => {
    await page.goto(url("main", "/stack"));
    await page.getByTestId("tab-config").click();
    const call = page.waitForRequest((r) => r.method() === "POST" && !!r.headers()["next-action"]);
    await page.getByTestId("config-save").click();
    const req = await call;
    const actionId = req.headers()["next-action"];
    const body = req.postData() ?? "";
    await expect(page.getByTestId("config-message")).toBeVisible();
    await page.close();

    const before = await state(adminRequest);
    const base = { "next-action": actionId, "content-type": req.headers()["content-type"] ?? "text/plain;charset=UTF-8", accept: "text/x-component" };
    for (const [user, who] of [["victor", VIEWER], ["oscar", OPERATOR]] as const) {
      const r = await raw(url("main", "/stack"), { method: "POST", headers: { ...who, ...base }, body });
      expect(r.status, user).toBe(200);
      expect(r.body, user).toContain("forbidden");
      const rows = (await (await adminRequest.get(url("main", `/api/v1/audit?action=stack.config.save&user=${user}&limit=1`))).json()).rows;
      expect(rows[0], user).toMatchObject({ result: "refused", httpStatus: 403, via: "action" });
    }
    const cross = await raw(url("main", "/stack"), { method: "POST", headers: { ...ADMIN, ...base, origin: "http://evil.example", "sec-fetch-site": "cross-site" }, body });
    expect(cross.status).toBe(403);
    expect(cross.body).toContain("cross-site");
    const malformed = await raw(url("main", "/stack"), { method: "POST", headers: { ...ADMIN, ...base, "next-action": "not-an-id';--" }, body });
    expect(malformed.status).toBe(400);
    const badType = await raw(url("main", "/stack"), { method: "POST", headers: { ...ADMIN, ...base, "content-type": "application/xml" }, body: "<x/>" });
    expect(badType.status).toBe(400);
    const rows = (await (await adminRequest.get(url("main", "/api/v1/audit?action=server-action&user=alice&limit=5"))).json()).rows as { error: string }[];
    expect(rows.some((r) => /cross-site/.test(r.error))).toBe(true);
    expect(rows.some((r) => /malformed Next-Action/.test(r.error))).toBe(true);
    expect(await state(adminRequest)).toBe(before);
  });
});

test.describe("security: dnsdeck's database down", () => {
  test("Run now and syncs are refused with 503 because the audit trail cannot be written; nothing runs", async ({ request }) => {
    for (const [p, data] of [["/api/v1/cronjobs/run", { namespace: "technitium", name: "technitium-zone-sync" }], ["/api/v1/sync/zones", {}], ["/api/v1/stack/apply", {}]] as const) {
      const r = await request.post(url("nodb", p), { data });
      expect(r.status(), p).toBe(503);
      expect((await r.json()).error.message, p).toMatch(/audit trail cannot be written.*nothing was done/);
    }
  });
});

test.describe("security: start paths", () => {
  const base = Number(process.env.E2E_PORT_BASE ?? 3100);
  const env = (port: number, over: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: "production" as const,
    NEXT_TELEMETRY_DISABLED: "1",
    HOSTNAME: "127.0.0.1",
    PORT: String(port),
    DATABASE_URL: process.env.E2E_DATABASE_URL ?? "",
    AUTH_MODE: "authentik",
    TRUSTED_PROXY_CIDRS: "127.0.0.1/32",
    ADMIN_GROUPS: "dns-admins",
    VIEWER_GROUPS: "dns-viewers",
    TECHNITIUM_INSTANCES: "primary=http://127.0.0.1:9",
    TECHNITIUM_TOKEN_PRIMARY: "unset",
    ...over,
  });

  /** Start a command in its own process group; resolves once /api/v1/health answers, or with its exit code. */
  async function launch(cmd: string, args: string[], port: number, over: Record<string, string> = {}) {
    const child = spawn(cmd, args, { cwd: new URL("..", import.meta.url).pathname, env: env(port, over), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d));
    child.stderr.on("data", (d: Buffer) => (output += d));
    let exitCode: number | null = null;
    const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve((exitCode = code ?? 1))));
    const stop = async () => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        /* already gone */
      }
      await exited;
    };
    // whichever comes first: /api/v1/health answers, or the process exits
    const seen: { first?: "up" | { code: number } } = {};
    await expect
      .poll(
        async () => {
          if (exitCode !== null) seen.first = { code: exitCode };
          else if ((await fetch(`http://127.0.0.1:${port}/api/v1/health`).catch(() => null))?.ok) seen.first = "up";
          return seen.first;
        },
        { timeout: 60_000, intervals: [250], message: `${cmd} ${args.join(" ")} answers or exits` },
      )
      .toBeDefined();
    return { first: seen.first!, stop, output: () => output };
  }

  test("npm start runs the real entry point: a client cannot supply the peer, a spoofed admin saves nothing", async ({ adminRequest }) => {
    test.setTimeout(120_000);
    const port = base + 4;
    const app = await launch("npm", ["start"], port);
    try {
      expect(app.first, app.output()).toBe("up");
      const target = `http://127.0.0.1:${port}`;
      const before = await state(adminRequest);
      const spoof = { ...ADMIN, "x-dnsdeck-peer": "127.0.0.1", "x-dnsdeck-peer-proof": "0".repeat(64), "x-forwarded-for": "127.0.0.1", "content-type": "application/json" };
      const who = await raw(`${target}/api/v1/whoami`, { headers: spoof, from: "127.0.0.7" });
      expect(who.status).toBe(401);
      const save = await raw(`${target}/api/v1/stack/config`, { method: "POST", headers: spoof, body: JSON.stringify({ config: {}, note: "mallory" }), from: "127.0.0.7" });
      expect(save.status).toBe(401);
      const page = await raw(`${target}/stack`, { headers: { ...spoof, RSC: "1" }, from: "127.0.0.7" });
      expect(page.status).toBe(401);
      expect(page.body).not.toContain(MARKER);
      // the genuine proxy still works
      const genuine = await raw(`${target}/api/v1/whoami`, { headers: ADMIN });
      expect(genuine.status).toBe(200);
      expect(await state(adminRequest)).toBe(before);
    } finally {
      await app.stop();
    }
  });

  test("another start path (the standalone server.js directly) trusts nobody, even a copied peer header", async () => {
    test.setTimeout(120_000);
    const port = base + 5;
    const app = await launch(process.execPath, [`${process.env.NEXT_DIST_DIR || ".next"}/standalone/server.js`], port);
    try {
      expect(app.first, app.output()).toBe("up");
      for (const headers of [ADMIN, { ...ADMIN, "x-dnsdeck-peer": "127.0.0.1", "x-dnsdeck-peer-proof": "guess" }]) {
        const r = await raw(`http://127.0.0.1:${port}/api/v1/whoami`, { headers });
        expect(r.status).toBe(401);
        expect(r.body).toContain("npm start");
      }
    } finally {
      await app.stop();
    }
  });

  test("TRUSTED_PROXY_CIDRS that admits everyone stops dnsdeck at start unless forced", async () => {
    test.setTimeout(120_000);
    const refused = await launch(process.execPath, ["server/start.mjs"], base + 6, { TRUSTED_PROXY_CIDRS: "0.0.0.0/0,::/0" });
    expect(refused.first).toEqual({ code: 1 });
    expect(refused.output()).toContain("TRUSTED_PROXY_CIDRS: admits every");
    const forced = await launch(process.execPath, ["server/start.mjs"], base + 6, { TRUSTED_PROXY_CIDRS: "0.0.0.0/0", DNSDECK_FORCE_TRUST_ALL: "true" });
    try {
      expect(forced.first, forced.output()).toBe("up");
    } finally {
      await forced.stop();
    }
  });
});
