import { expect, test } from "@playwright/test";
import pg from "pg";
import { generateQueryLogs } from "../twin/querylogs/generate";
import { ADMIN, VIEWER, url } from "./env";

// Query-log explorer: the API against a dns_logs table filled the way Technitium fills it, and the page (filters in
// the URL, click-to-filter, keyset "older" paging, row details, export links).

test.beforeAll(async () => {
  const dbUrl = process.env.E2E_QUERYLOG_DATABASE_URL;
  if (!dbUrl) return;
  // The twin normally fills the table; fill it here when it did not.
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const has = await c.query(`SELECT to_regclass('dns_logs') AS t`);
    const rows = has.rows[0].t ? Number((await c.query(`SELECT count(*) AS n FROM dns_logs`)).rows[0].n) : 0;
    if (rows === 0) await generateQueryLogs({ databaseUrl: dbUrl, days: 2, perDay: 20_000, endAt: new Date(Date.now() - 5 * 60_000) });
  } finally {
    await c.end();
  }
});

test.describe("query logs", () => {
  test("the API returns decoded rows newest first with a keyset cursor", async ({ request }) => {
    const r = await request.get(url("main", "/api/v1/query-logs?limit=20&from=" + new Date(Date.now() - 3 * 86_400_000).toISOString()), { headers: VIEWER });
    expect(r.status()).toBe(200);
    const body = await r.json();
    expect(body.rows.length).toBe(20);
    const row = body.rows[0];
    for (const k of ["id", "timestamp", "server", "clientIp", "protocol", "responseType", "rtt", "rcode", "qname", "qtype", "qclass", "answer"]) expect(row).toHaveProperty(k);
    expect(["Udp", "Tcp", "Tls", "Https", "Quic"]).toContain(row.protocol);
    expect(Number(body.rows[0].id)).toBeGreaterThan(Number(body.rows[19].id));
    expect(body.nextCursor).toBe(body.rows[19].id);
    const next = await (await request.get(url("main", `/api/v1/query-logs?limit=20&cursor=${body.nextCursor}&from=${new Date(Date.now() - 3 * 86_400_000).toISOString()}`), { headers: VIEWER })).json();
    expect(Number(next.rows[0].id)).toBeLessThan(Number(body.nextCursor));
  });

  test("bad input is a 400 naming the parameter; injection payloads are refused", async ({ request }) => {
    for (const [q, name] of [
      ["client=10.0.0.0/40", "client"],
      ["from=last%20tuesday", "from"],
      ["rcode=NoSuchRcode", "rcode"],
      ["qname=x'%3B%20DROP%20TABLE%20dns_logs%3B--", "qname"],
    ]) {
      const r = await request.get(url("main", `/api/v1/query-logs?${q}`), { headers: VIEWER });
      expect(r.status()).toBe(400);
      expect((await r.json()).error.message).toContain(name);
    }
    const ok = await request.get(url("main", "/api/v1/query-logs?limit=1"), { headers: VIEWER });
    expect(ok.status()).toBe(200);
  });

  test("export streams CSV and is audited as a bulk read", async ({ request }) => {
    const r = await request.get(url("main", "/api/v1/query-logs/export?format=csv&rcode=NxDomain"), { headers: VIEWER });
    expect(r.status()).toBe(200);
    expect(r.headers()["content-type"]).toContain("text/csv");
    const text = await r.text();
    const lines = text.trim().split("\r\n");
    expect(lines[0]).toBe("id,timestamp,server,clientIp,protocol,responseType,rtt,rcode,qname,qtype,qclass,answer");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.includes(",NxDomain,"))).toBe(true);
    const audit = await (await request.get(url("main", "/api/v1/audit?action=querylogs.export"), { headers: ADMIN })).json();
    expect(JSON.stringify(audit)).toContain("querylogs.export");
  });

  test("the page shows rows and charts; clicking a value filters by it and the view is a URL; older pages by cursor", async ({ page }) => {
    await page.setExtraHTTPHeaders(VIEWER);
    await page.goto(url("main", "/query-logs?range=7d"));
    await expect(page.getByTestId("ql-row").first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("ql-charts")).toBeVisible();
    const client = await page.getByTestId("val-client").first().innerText();
    await page.getByTestId("val-client").first().click();
    await expect(page).toHaveURL(new RegExp(`client=${client.replace(/\./g, "\\.")}`));
    await expect(page.getByTestId("ql-row").first()).toBeVisible();
    const clients = await page.getByTestId("val-client").allInnerTexts();
    expect(clients.every((c) => c === client)).toBe(true);
    const older = page.getByTestId("ql-older");
    if (await older.count()) {
      await older.click();
      await expect(page).toHaveURL(/cursor=\d+/);
      await expect(page.getByTestId("ql-newest")).toBeVisible();
    }
    await page.getByTestId("ql-row").first().locator("button").first().click();
    await expect(page.getByTestId("ql-details")).toBeVisible();
    await page.getByTestId("ql-exclude-client").click();
    await expect(page).toHaveURL(/client=%21|client=!/);
    await expect(page.getByTestId("ql-export-csv")).toHaveAttribute("href", /\/api\/v1\/query-logs\/export\?.*format=csv/);
  });
});
