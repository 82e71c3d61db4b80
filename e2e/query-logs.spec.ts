import { type Page } from "@playwright/test";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { migrate } from "../prisma/migrate";
import { startApp } from "../scripts/lib/app-process";
import { startEmbeddedPostgres } from "../scripts/lib/embedded-pg";
import { generateQueryLogs } from "../twin/querylogs/generate";
import { E2E, url } from "./env";
import { expect, test } from "./fixtures";

// Query-log explorer: the API against a dns_logs table filled the way Technitium fills it, and the page (filters in
// the URL, click-to-filter, keyset "older" paging, row details, export links).

/** The query-log database e2e/global-setup.ts created; the twin fills its dns_logs table as Technitium would. */
const logDatabaseUrl = () => {
  const u = process.env.E2E_QUERYLOG_DATABASE_URL;
  if (!u) throw new Error("E2E_QUERYLOG_DATABASE_URL is unset: e2e/global-setup.ts creates the query-log database");
  return u;
};

test.beforeAll(async ({ twin: _twin }) => {
  // the twin filled two days of rows at its start (e2e/global-setup.ts): the specs below read them
  const c = new pg.Client({ connectionString: logDatabaseUrl() });
  await c.connect();
  try {
    const rows = Number((await c.query(`SELECT count(*) AS n FROM dns_logs WHERE timestamp > now() - interval '2 days'`)).rows[0].n);
    expect(rows, "rows the twin wrote to dns_logs").toBeGreaterThan(20_000);
  } finally {
    await c.end();
  }
});

test.describe("query logs", () => {
  test("the API returns decoded rows newest first with a keyset cursor", async ({ viewerRequest: request }) => {
    const r = await request.get(url("main", "/api/v1/query-logs?limit=20&from=" + new Date(Date.now() - 3 * 86_400_000).toISOString()));
    expect(r.status()).toBe(200);
    const body = await r.json();
    expect(body.rows.length).toBe(20);
    const row = body.rows[0];
    for (const k of ["id", "timestamp", "server", "clientIp", "protocol", "responseType", "rtt", "rcode", "qname", "qtype", "qclass", "answer"]) expect(row).toHaveProperty(k);
    expect(["Udp", "Tcp", "Tls", "Https", "Quic"]).toContain(row.protocol);
    expect(Number(body.rows[0].id)).toBeGreaterThan(Number(body.rows[19].id));
    expect(body.nextCursor).toBe(body.rows[19].id);
    const next = await (await request.get(url("main", `/api/v1/query-logs?limit=20&cursor=${body.nextCursor}&from=${new Date(Date.now() - 3 * 86_400_000).toISOString()}`))).json();
    expect(Number(next.rows[0].id)).toBeLessThan(Number(body.nextCursor));
    // ahead=1: the page after comes in the same answer, the very rows (and cursor) its own request returns
    const span = `from=${new Date(Date.now() - 3 * 86_400_000).toISOString()}&to=${new Date(Date.now() - 60_000).toISOString()}`;
    const both = await (await request.get(url("main", `/api/v1/query-logs?limit=20&ahead=1&${span}`))).json();
    expect(both.rows.length).toBe(20);
    expect(both.ahead.rows.length).toBe(20);
    const asked = await (await request.get(url("main", `/api/v1/query-logs?limit=20&cursor=${both.nextCursor}&${span}`))).json();
    expect(both.ahead.rows.map((r: { id: string }) => r.id)).toEqual(asked.rows.map((r: { id: string }) => r.id));
    expect(both.ahead.nextCursor).toBe(asked.nextCursor);
    expect((await request.get(url("main", `/api/v1/query-logs?ahead=yes&${span}`))).status()).toBe(400);
  });

  test("bad input is a 400 naming the parameter; injection payloads are refused", async ({ viewerRequest: request }) => {
    for (const [q, name] of [
      ["client=10.0.0.0/40", "client"],
      ["from=last%20tuesday", "from"],
      ["rcode=NoSuchRcode", "rcode"],
      ["qname=x'%3B%20DROP%20TABLE%20dns_logs%3B--", "qname"],
    ]) {
      const r = await request.get(url("main", `/api/v1/query-logs?${q}`));
      expect(r.status()).toBe(400);
      expect((await r.json()).error.message).toContain(name);
    }
    const ok = await request.get(url("main", "/api/v1/query-logs?limit=1"));
    expect(ok.status()).toBe(200);
  });

  test("export streams CSV and is audited as a bulk read", async ({ viewerRequest: request, adminRequest }) => {
    const r = await request.get(url("main", "/api/v1/query-logs/export?format=csv&rcode=NxDomain"));
    expect(r.status()).toBe(200);
    expect(r.headers()["content-type"]).toContain("text/csv");
    const text = await r.text();
    const lines = text.trim().split("\r\n");
    expect(lines[0]).toBe("id,timestamp,server,clientIp,protocol,responseType,rtt,rcode,qname,qtype,qclass,answer,clientKind,clientName,clientPath");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.includes(",NxDomain,"))).toBe(true);
    const audit = await (await adminRequest.get(url("main", "/api/v1/audit?action=querylogs.export&user=victor&limit=1"))).json();
    expect(audit.rows[0]).toMatchObject({ action: "querylogs.export", user: "victor" });
  });

  test("the page shows rows in time order and charts; older pages by cursor; clicking a value filters by it; the view is a URL", async ({ viewerPage: page }) => {
    await page.goto(url("main", "/query-logs?range=7d"));
    await expect(page.getByTestId("ql-row").first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("ql-volume-chart")).toBeVisible();
    const times = await page.getByTestId("ql-time").allInnerTexts();
    expect(times.length).toBe(50);
    expect([...times].sort().reverse()).toEqual(times);
    await page.getByTestId("ql-older").click();
    await expect(page).toHaveURL(/cursor=\d+/);
    await expect(page.getByTestId("ql-newest")).toBeVisible();
    // the older page replaces the first one once its request answers
    await expect.poll(async () => (await page.getByTestId("ql-time").allInnerTexts())[0] <= times[times.length - 1]).toBe(true);
    const client = await page.getByTestId("val-client").first().innerText();
    await page.getByTestId("val-client").first().click();
    await expect(page).toHaveURL(new RegExp(`client=${client.replace(/\./g, "\\.")}`));
    await expect(page.getByTestId("ql-row").first()).toBeVisible();
    await expect.poll(async () => new Set(await page.getByTestId("val-client").allInnerTexts())).toEqual(new Set([client]));
    await page.getByTestId("ql-time").first().click();
    await expect(page.getByTestId("ql-details")).toBeVisible();
    await page.getByTestId("ql-exclude-client").click();
    await expect(page).toHaveURL(/client=%21|client=!/);
    await expect(page.getByTestId("ql-export-csv")).toHaveAttribute("href", /\/api\/v1\/query-logs\/export\?.*format=csv/);
  });

  test("one round trip per panel per change: the page brings its panels' data, a change asks each panel's API once and renders nothing on the server", async ({ viewerPage: page }) => {
    const api: string[] = [];
    const navigations: string[] = [];
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith("/api/v1/query-logs")) api.push(`${u.pathname}?parts=${u.searchParams.get("parts") ?? ""}&${u.searchParams}`);
      // a client-side navigation's own fetch (not a link prefetch): what a filter change costs
      else if (u.pathname === "/query-logs" && r.headers()["rsc"] === "1" && !r.headers()["next-router-prefetch"]) navigations.push(u.search);
    });
    const noneTwice = () => expect(api.length, `asked twice: ${api.join(" ; ")}`).toBe(new Set(api).size);
    // a page asked for by its cursor: "Older →" read ahead in the background
    const isPrefetch = (a: string) => /[?&]cursor=\d+/.test(a);
    const panels = () => api.filter((a) => !isPrefetch(a));
    await page.goto(url("main", "/query-logs?range=24h"));
    await expect(page.getByTestId("ql-row").first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("ql-top-names")).toBeVisible();
    await expect(page.getByTestId("ql-volume-chart")).toBeVisible();
    await page.waitForLoadState("networkidle");
    // the server page reads rows, charts and top lists with the page (first-screen.ts); one that was slower than its
    // budget is asked for by the view — once
    expect(panels().length).toBeLessThanOrEqual(3);
    expect(api.filter(isPrefetch).length).toBeLessThanOrEqual(1);
    noneTwice();
    api.length = 0;
    await page.getByTestId("ql-rcode").selectOption("NxDomain");
    await page.getByTestId("ql-apply").click();
    await expect(page).toHaveURL(/rcode=NxDomain/);
    await expect.poll(async () => new Set(await page.getByTestId("val-rcode").allInnerTexts())).toEqual(new Set(["NxDomain"]));
    await page.waitForLoadState("networkidle");
    // a change made on the page is not a server render of the whole page: each panel asks for itself, once
    expect(navigations).toEqual([]);
    await expect(page.getByTestId("ql-older")).toBeVisible();
    // the next page came in the rows' own answer (ahead=1): no second rows request for it
    expect(api.filter(isPrefetch), "the next page is not asked for apart").toEqual([]);
    expect(panels().filter((a) => a.startsWith("/api/v1/query-logs?")).every((a) => /[?&]ahead=1(&|$)/.test(a))).toBe(true);
    expect(panels().length).toBe(3);
    noneTwice();
    for (const a of api) expect(a).toMatch(/rcode=NxDomain/);
    // "Older →" is then drawn from memory: new rows, no request
    api.length = 0;
    const firstTime = await page.getByTestId("ql-time").first().innerText();
    await page.getByTestId("ql-older").click();
    await expect(page).toHaveURL(/cursor=\d+/);
    await expect.poll(() => page.getByTestId("ql-time").first().innerText()).not.toBe(firstTime);
    const cur = new URL(page.url()).searchParams.get("cursor");
    expect(api.filter((a) => new RegExp(`[?&]cursor=${cur}(&|$)`).test(a)), `asked again on "Older →": ${api.join(" ; ")}`).toEqual([]);
    expect(panels(), "the same view's charts and top lists are not asked again").toEqual([]);
    await page.goBack();
    // the URL is still the state: Back returns to the unfiltered rows
    await page.goBack();
    await expect(page).not.toHaveURL(/rcode=/);
    await expect.poll(async () => (await page.getByTestId("val-rcode").allInnerTexts()).some((t) => t !== "NxDomain")).toBe(true);
  });

  test("the RTT chart says why it is empty where no answer was Recursive, and draws where answers were", async ({ viewerPage: page }) => {
    await page.goto(url("main", "/query-logs?range=24h&responseType=Authoritative"));
    await expect(page.getByTestId("ql-rtt-empty")).toContainText("No Recursive answers", { timeout: 30_000 });
    await expect(page.getByTestId("ql-rtt-chart").locator("svg.recharts-surface")).toHaveCount(0);
    await expect(page.getByTestId("ql-rtt-legend")).toHaveCount(0);
    await page.goto(url("main", "/query-logs?range=24h&responseType=Recursive"));
    await expect(page.getByTestId("ql-rtt-chart").locator("svg.recharts-surface")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("ql-rtt-empty")).toHaveCount(0);
  });

  test("dragging across the volume chart zooms the range to the buckets dragged over", async ({ viewerPage: page }) => {
    await page.goto(url("main", "/query-logs?range=24h"));
    // the plot itself, not a legend icon (also an svg.recharts-surface, and earlier in the document)
    const chart = page.getByTestId("ql-volume-chart").locator(".recharts-wrapper > svg.recharts-surface").first();
    await expect(chart).toBeVisible({ timeout: 30_000 });
    const box = (await chart.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.4, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.55, y, { steps: 8 });
    await page.mouse.move(box.x + box.width * 0.7, y, { steps: 8 });
    await page.mouse.up();
    await expect(page).toHaveURL(/range=custom/);
    const u = new URL(page.url());
    const span = Date.parse(u.searchParams.get("to")!) - Date.parse(u.searchParams.get("from")!);
    expect(span).toBeGreaterThanOrEqual(2 * 3600_000);
    expect(span).toBeLessThan(12 * 3600_000);
    await expect(page.getByTestId("ql-range")).toHaveValue("custom");
  });

  test("RTT chart: p50/p90/p99 over every instance by default, per instance when split; a legend entry hides its line", async ({ viewerPage: page }) => {
    await page.goto(url("main", "/query-logs?range=24h"));
    const rtt = page.getByTestId("ql-rtt-chart");
    const lines = rtt.locator("path.recharts-line-curve");
    await expect(lines).toHaveCount(3, { timeout: 30_000 });
    await expect(page.getByTestId("ql-rtt-legend").getByRole("button")).toHaveText(["p50", "p90", "p99"]);
    // the API's merged percentiles are what is drawn: one point per bucket with answers, server ""
    const stats = await (await page.request.get(url("main", "/api/v1/query-logs/stats?range=24h&parts=rtt"))).json();
    expect(stats.rttAll.length).toBeGreaterThan(0);
    expect(new Set(stats.rttAll.map((p: { server: string }) => p.server))).toEqual(new Set([""]));
    const servers = new Set(stats.rtt.map((p: { server: string }) => p.server));
    expect(servers.size).toBeGreaterThanOrEqual(2);

    await page.getByTestId("ql-split").check();
    await expect(lines).toHaveCount(3 * servers.size);
    await expect(rtt.getByRole("heading")).toContainText("by instance");
    const first = page.getByTestId("ql-rtt-legend").getByRole("button").first();
    await first.click();
    await expect(first).toHaveAttribute("aria-pressed", "false");
    await expect(lines).toHaveCount(3 * servers.size - 1);
    await first.click();
    await expect(lines).toHaveCount(3 * servers.size);
    // the volume chart split too: one area per instance, named in its legend
    await expect(page.getByTestId("ql-volume-legend").getByRole("button")).toHaveText([...servers].sort() as string[]);
  });

  test("50 random filter changes in quick succession on PostgreSQL: no 5xx, no console errors", async ({ viewerPage: page }) => {
    await randomFilterChanges(page, url("main", "/query-logs?range=24h"), 50);
  });
});

test.describe("who asked: every row names its client, and filters by kind or name narrow the rows", () => {
  // Rows as Technitium logs them, from three kinds of client: the NodeLocal cache on k8s-node2 (its InternalIP, as
  // the twin's Kubernetes API reports it), a LAN device and pfSense's dnsmasq on the K8s VLAN.
  const qname = `who-${Date.now().toString(36)}.viktorbarzin.lan`;
  const senders: [string, number][] = [
    ["10.0.20.102", 3],
    ["192.168.1.140", 4],
    ["10.0.20.1", 2],
  ];
  const since = () => new Date(Date.now() - 30 * 60_000).toISOString();
  test.beforeAll(async () => {
    const c = new pg.Client({ connectionString: logDatabaseUrl() });
    await c.connect();
    try {
      for (const [ip, n] of senders)
        await c.query(
          `INSERT INTO dns_logs (server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer)
           SELECT 'technitium', now() - make_interval(secs => g * 7), $1, 0, 1, NULL, 3, $2, 1, 1, NULL FROM generate_series(1, $3::int) g`,
          [ip, qname, n],
        );
    } finally {
      await c.end();
    }
  });

  test("the API names each row's client with its kind, name and path; clientKind / clientName narrow the rows; the export carries them", async ({ viewerRequest: request }) => {
    const get = async (q: string) => {
      const r = await request.get(url("main", `/api/v1/query-logs?qname=${qname}&from=${since()}&${q}`));
      expect(r.status(), await r.text()).toBe(200);
      return (await r.json()).rows as { clientIp: string; client: { kind: string; label: string; name: string | null; path: string; pathClass: string | null } | null }[];
    };
    // the directory reads the Kubernetes API every 30 s: wait until it has named the node
    await expect.poll(async () => (await get("")).find((r) => r.clientIp === "10.0.20.102")?.client?.kind, { timeout: 45_000 }).toBe("nodelocal-node");
    const rows = await get("");
    expect(rows.length).toBe(9);
    const node = rows.find((r) => r.clientIp === "10.0.20.102")!.client!;
    expect([node.label, node.name, node.pathClass]).toEqual(["NodeLocal node", "k8s-node2", "pod-internal"]);
    expect(node.path).toContain("bypassing CoreDNS");
    expect(rows.find((r) => r.clientIp === "192.168.1.140")!.client!.kind).toBe("lan-device");
    expect(rows.find((r) => r.clientIp === "10.0.20.1")!.client!.label).toBe("pfSense gateway");
    const nodeRows = await get("clientKind=nodelocal-node&clientName=k8s-node2");
    expect(nodeRows.map((r) => r.clientIp)).toEqual(["10.0.20.102", "10.0.20.102", "10.0.20.102"]);
    expect(new Set((await get("clientKind=lan-device,pfsense")).map((r) => r.clientIp))).toEqual(new Set(["192.168.1.140", "10.0.20.1"]));
    expect((await get("clientKind=!lan-device")).length).toBe(5);
    expect(await get("clientName=k8s-node3")).toEqual([]);
    const bad = await request.get(url("main", `/api/v1/query-logs?clientKind=toaster`));
    expect(bad.status()).toBe(400);
    expect((await bad.json()).error.message).toContain("clientKind");
    const csv = await (await request.get(url("main", `/api/v1/query-logs/export?format=csv&qname=${qname}&from=${since()}&clientKind=nodelocal-node`))).text();
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("id,timestamp,server,clientIp,protocol,responseType,rtt,rcode,qname,qtype,qclass,answer,clientKind,clientName,clientPath");
    expect(lines.length).toBe(4);
    expect(lines.slice(1).every((l) => l.includes(",10.0.20.102,") && l.includes(",nodelocal-node,k8s-node2,"))).toBe(true);
    const stats = await (await request.get(url("main", `/api/v1/query-logs/stats?parts=top&qname=${qname}&from=${since()}`))).json();
    const top = stats.top.clients as { key: string; count: number; client: { label: string } | null }[];
    expect(top.map((e) => [e.key, e.count, e.client?.label])).toEqual([
      ["192.168.1.140", 4, "LAN device"],
      ["10.0.20.102", 3, "NodeLocal node"],
      ["10.0.20.1", 2, "pfSense gateway"],
    ]);
  });

  test("the page shows who asked; clicking a kind filters by it (a chip), and a name typed in the form narrows further", async ({ viewerPage: page, viewerRequest: request }) => {
    await expect
      .poll(async () => JSON.stringify(await (await request.get(url("main", `/api/v1/query-logs?qname=${qname}&from=${since()}&clientKind=nodelocal-node`))).json()), { timeout: 45_000 })
      .toContain("k8s-node2");
    await page.goto(url("main", `/query-logs?range=1h&qname=${qname}`));
    await expect(page.getByTestId("ql-row")).toHaveCount(9, { timeout: 30_000 });
    await expect.poll(async () => new Set(await page.getByTestId("ql-client-kind").allInnerTexts())).toEqual(new Set(["NodeLocal node", "LAN device", "pfSense gateway"]));
    const nodeRow = page.getByTestId("ql-row").filter({ hasText: "10.0.20.102" }).first();
    await expect(nodeRow.getByTestId("ql-client-name")).toHaveText("k8s-node2");
    await expect(nodeRow.getByTestId("ql-client-path")).toHaveAttribute("href", "/paths?class=pod-internal");
    // the top clients list names them too
    await expect(page.getByTestId("ql-top-clients").getByTestId("ql-client-kind").first()).toBeVisible();
    await nodeRow.getByTestId("ql-client-kind").click();
    await expect(page).toHaveURL(/clientKind=nodelocal-node/);
    await expect(page.getByTestId("ql-active-filters")).toContainText("clientKind: NodeLocal node");
    await expect(page.getByTestId("ql-row")).toHaveCount(3);
    await expect.poll(async () => new Set(await page.getByTestId("ql-client-kind").allInnerTexts())).toEqual(new Set(["NodeLocal node"]));
    // a name that ran nothing here: nothing matches
    await page.getByTestId("ql-clientName").fill("k8s-node3");
    await page.getByTestId("ql-apply").click();
    await expect(page).toHaveURL(/clientName=k8s-node3/);
    await expect(page.getByText("Nothing matches in this range.")).toBeVisible();
    // LAN device chosen in the form instead (the name cleared): the LAN rows only
    await page.getByTestId("ql-clientName").fill("");
    await page.getByTestId("ql-clientKind").selectOption("lan-device");
    await page.getByTestId("ql-apply").click();
    await expect(page.getByTestId("ql-row")).toHaveCount(4);
    await expect.poll(async () => new Set(await page.getByTestId("val-client").allInnerTexts())).toEqual(new Set(["192.168.1.140"]));
  });
});

test("junk-filter coverage: template-matching names that reached Technitium, counted by the path they took", async ({ viewerRequest: request, viewerPage: page }) => {
  // On an instance name of its own so the twin's live traffic does not add to the counts: five search-domain
  // expansions from the NodeLocal cache on k8s-node2, two from a LAN device, one real name (not junk) from the node.
  // The names are this run's own, so they are in no dictionary yet while the rows sit past the watermark (the example
  // names then come from the tail alone — once missed, see server/querylogs/top.ts).
  const run = `r${Date.now().toString(36)}`;
  const server = `e2e-junk-${run}`;
  const c = new pg.Client({ connectionString: logDatabaseUrl() });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO dns_logs (server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer)
       SELECT $4::text, now() - make_interval(secs => 20 + i * 5), ip, 0, 1, NULL, rc, q, 1, 1, NULL
         FROM unnest($1::text[], $2::text[], $3::smallint[]) WITH ORDINALITY AS x(ip, q, rc, i)`,
      [
        ["10.0.20.102", "10.0.20.102", "10.0.20.102", "10.0.20.102", "10.0.20.102", "192.168.1.140", "192.168.1.140", "10.0.20.102"],
        [`redis-${run}.svc.cluster.local.viktorbarzin.lan`, `redis-${run}.svc.cluster.local.viktorbarzin.lan`, `api-${run}.github.com.viktorbarzin.lan`, `db-${run}.cluster.local.viktorbarzin.lan`, `x-${run}.svc.viktorbarzin.lan`, `printer-${run}.home.viktorbarzin.lan`, `printer-${run}.home.viktorbarzin.lan`, "immich.viktorbarzin.lan"],
        [3, 3, 3, 3, 3, 3, 3, 0],
        server,
      ],
    );
  } finally {
    await c.end();
  }
  const from = new Date(Date.now() - 20 * 60_000).toISOString();
  const read = async () => {
    const r = await request.get(url("main", `/api/v1/query-logs/junk-coverage?from=${from}&server=${server}`));
    expect(r.status(), await r.text()).toBe(200);
    return r.json();
  };
  // the directory names the node within its 30 s refresh
  await expect.poll(async () => (await read()).periods.at(-1).rows.find((x: { path: string }) => x.path === "nodelocal").count, { timeout: 45_000 }).toBe(5);
  const body = await read();
  expect(body.pattern).toBe("*.*.viktorbarzin.lan");
  expect(body.patternExact).toBe(true);
  const counts = Object.fromEntries(body.periods.at(-1).rows.map((x: { path: string; count: number }) => [x.path, x.count]));
  expect(counts).toEqual({ coredns: 0, nodelocal: 5, other: 2 });
  const bad = await request.get(url("main", `/api/v1/query-logs/junk-coverage?from=yesterday`));
  expect(bad.status()).toBe(400);
  // causes: every failed answer counted under its cause, and who asked by kind — the 7 search-domain expansions
  // (2+ labels before viktorbarzin.lan), 5 of them from the node's NodeLocal; the NOERROR row is not a failure
  const causes = await request.get(url("main", `/api/v1/query-logs/causes?from=${from}&server=${server}`));
  expect(causes.status(), await causes.text()).toBe(200);
  const cb = await causes.json();
  expect(cb.total).toEqual({ nxDomain: 7, serverFailure: 0, classified: 7 });
  expect(cb.causes.map((c: { cause: string; count: number }) => [c.cause, c.count])).toEqual([["search-expansion", 7]]);
  expect(cb.causes[0].byKind["nodelocal-node"]).toBe(5);
  expect(cb.byKind.find((k: { kind: string }) => k.kind === "nodelocal-node").causes).toEqual({ "search-expansion": 5 });
  // its example names: every failing name of this run, counted, though no rollup has seen them yet
  expect(Object.fromEntries(cb.causes[0].names.map((n: { name: string; count: number }) => [n.name, n.count]))).toEqual({
    [`redis-${run}.svc.cluster.local.viktorbarzin.lan`]: 2,
    [`printer-${run}.home.viktorbarzin.lan`]: 2,
    [`api-${run}.github.com.viktorbarzin.lan`]: 1,
    [`db-${run}.cluster.local.viktorbarzin.lan`]: 1,
    [`x-${run}.svc.viktorbarzin.lan`]: 1,
  });
  // the shares alone (what the page renders first): the same counts, no examples; a bad value is refused
  const sharesOnly = await (await request.get(url("main", `/api/v1/query-logs/causes?from=${from}&server=${server}&examples=none`))).json();
  expect(sharesOnly.total).toEqual(cb.total);
  expect(sharesOnly.causes.map((c: { cause: string; count: number; names: unknown[] }) => [c.cause, c.count, c.names.length])).toEqual([["search-expansion", 7, 0]]);
  expect((await request.get(url("main", `/api/v1/query-logs/causes?from=${from}&examples=maybe`))).status()).toBe(400);
  await page.goto(url("main", `/query-logs/causes?range=24h&server=${server}`));
  await expect(page.getByTestId("causes-classified")).toHaveText("7");
  const row = page.getByTestId("causes-table").locator('tr[data-cause="search-expansion"]');
  await expect(row).toContainText("NodeLocal node 71 %");
  // the example names stream into the row after the counts
  await expect(row.locator('a[href*="qname="]').first()).toBeVisible();
  await expect(page.getByTestId("causes-chart")).toBeVisible();
  // its fix, shown as the change: NodeLocal's block has the template in this config, so the workload's ndots
  await row.getByTestId("fix-search-expansion").locator("summary").click();
  await expect(row.getByTestId("fix-search-expansion")).toContainText("name: ndots");
  // the causes page shows the three paths, each count linking to the rows behind it
  await page.goto(url("main", "/query-logs/causes?range=24h"));
  await expect(page.getByTestId("junk-summary")).toContainText("*.*.viktorbarzin.lan");
  // the failing clients above it are named by kind (from the same named top lists)
  await expect(page.getByTestId("causes-kinds").locator("tbody tr").first()).toBeVisible();
  const kinds = await page.getByTestId("causes-kinds").locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-kind")));
  expect(kinds.filter((k) => k !== "unknown").length, kinds.join(", ")).toBeGreaterThan(0);
  const rows = page.getByTestId("junk-table").locator("tbody tr");
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId("junk-table").locator('tr[data-path="nodelocal"]').getByTestId("junk-count").first()).toHaveAttribute("href", /clientKind=nodelocal-node.*|qname=.*clientKind=nodelocal-node/);
});

test.describe("query logs on the embedded database (PGlite, as npm run demo uses)", () => {
  let stops: (() => Promise<unknown>)[] = [];
  test.beforeAll(async () => {
    test.setTimeout(180_000);
    const [app, logs] = await Promise.all([startEmbeddedPostgres({ port: 0 }), startEmbeddedPostgres({ port: 0 })]);
    stops = [() => app.stop(), () => logs.stop()];
    await migrate(app.url);
    await generateQueryLogs({ databaseUrl: logs.url, days: 1, perDay: 6000, endAt: new Date(Date.now() - 5 * 60_000), parallel: 1 });
    const started = await startApp({ port: E2E.ports.embedded, env: { DATABASE_URL: app.url, QUERYLOG_DATABASE_URL: logs.url, AUTH_MODE: "demo", DNSDECK_FORCE_DEMO_IN_PRODUCTION: "true", TECHNITIUM_INSTANCES: "primary=http://127.0.0.1:9,secondary=http://127.0.0.1:9,tertiary=http://127.0.0.1:9", TECHNITIUM_TOKEN_PRIMARY: "unset", TECHNITIUM_TOKEN_SECONDARY: "unset", TECHNITIUM_TOKEN_TERTIARY: "unset" }, logFile: path.join(os.tmpdir(), `dnsdeck-e2e-embedded-${E2E.ports.embedded}.log`) });
    stops.unshift(() => started.stop());
  });
  test.afterAll(async () => {
    for (const s of stops) await s().catch(() => {});
  });

  test("50 random filter changes in quick succession: no 5xx, no console errors", async ({ page }) => {
    await randomFilterChanges(page, url("embedded", "/query-logs?range=24h"), 50);
  });
});

/**
 * Drive the filters as an impatient person would: 50 changes, most without waiting for the previous one's answers.
 * Fails on any 5xx answer, any console error and any page error; ends on a settled page with rows or "nothing".
 */
async function randomFilterChanges(page: Page, start: string, n: number) {
  test.setTimeout(180_000); // 50 server navigations, each with three panel requests
  const problems: string[] = [];
  page.on("response", (r) => r.status() >= 500 && problems.push(`${r.status()} ${r.url()}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()} (${m.location().url})`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(start);
  await expect(page.getByTestId("ql-row").first()).toBeVisible({ timeout: 60_000 });
  const clients = [...new Set(await page.getByTestId("val-client").allInnerTexts())];
  const names = [...new Set(await page.getByTestId("val-qname").allInnerTexts())].filter((x) => x !== "(root)");
  let seed = 20261203;
  const rnd = (k: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % k;
  };
  const pick = <T,>(xs: T[]) => xs[rnd(xs.length)];
  const steps: string[] = [];
  const select = async (id: string) => {
    const opts = await page.getByTestId(id).locator("option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    const v = pick(opts);
    steps.push(`${id}=${v}`);
    await page.getByTestId(id).selectOption(v);
  };
  const type = async (id: string, values: string[]) => {
    const v = pick(values);
    steps.push(`${id}=${v}`);
    await page.getByTestId(id).fill(v);
  };
  for (let i = 0; i < n; i++) {
    const action = rnd(9);
    if (action === 0) await select("ql-server");
    else if (action === 1) await type("ql-client", [...clients, "192.168.1.0/24", "10.244.0.0/16", `!${pick(clients)}`, ""]);
    else if (action === 2) await type("ql-qname", [...names, "*.viktorbarzin.lan", "~goo", "!~a", "~emrsn", ""]);
    else if (action === 3) await select(pick(["ql-rcode", "ql-responseType", "ql-qtype", "ql-protocol"]));
    else if (action === 4) await select("ql-range");
    else if (action === 5 && (await page.getByTestId("ql-active-filters").count())) {
      // a navigation still in flight may take the chip or the link away between seeing it and clicking it, as under a
      // person's mouse: that is not a failure of the page
      steps.push("remove a chip");
      await page.getByTestId("ql-active-filters").getByRole("button").first().click({ timeout: 5_000 }).catch(() => steps.push("(chip gone)"));
    } else if (action === 6 && (await page.getByTestId("ql-older").count())) {
      steps.push("older");
      await page.getByTestId("ql-older").click({ timeout: 5_000 }).catch(() => steps.push("(older gone)"));
    }
    if (rnd(2) === 0 || action === 4) {
      steps.push("apply");
      await page.getByTestId("ql-apply").click();
    }
  }
  await page.getByTestId("ql-apply").click();
  await expect(page.getByTestId("ql-rows")).toBeVisible();
  await expect.poll(async () => (await page.getByTestId("ql-row").count()) > 0 || (await page.getByText("Nothing matches in this range.").count()) > 0, { timeout: 30_000 }).toBe(true);
  await page.waitForLoadState("networkidle");
  expect(problems, `after: ${steps.join(" → ")}`).toEqual([]);
}
