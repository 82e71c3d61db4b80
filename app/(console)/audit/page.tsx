import Link from "next/link";
import { type AuditQuery, listAudit } from "@/server/audit/list";
import { pageContext } from "@/server/auth/page-context";
import { describeDbError } from "@/server/db/client";
import { toAppError } from "@/server/errors";

export const dynamic = "force-dynamic";

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await pageContext("/audit");
  const sp = await searchParams;
  let data: Awaited<ReturnType<typeof listAudit>> | null = null;
  let error: string | null = null;
  try {
    data = await listAudit(ctx, sp);
  } catch (err) {
    const e = toAppError(err, ctx.requestId);
    if (e.code === "bad_request")
      return (
        <>
          <h1>Audit</h1>
          <p className="error-text">
            The filter in the address is invalid: {e.message}. <Link href="/audit">Clear filters</Link>
          </p>
        </>
      );
    error = describeDbError(e);
  }
  const one = (k: string) => (typeof sp[k] === "string" ? sp[k] : undefined);
  const q: Partial<AuditQuery> = { user: one("user"), action: one("action"), result: one("result") as AuditQuery["result"] };
  const nextHref = (before: string) => {
    const p = new URLSearchParams();
    if (q.user) p.set("user", q.user);
    if (q.action) p.set("action", q.action);
    if (q.result) p.set("result", q.result);
    p.set("before", before);
    return `/audit?${p}`;
  };
  return (
    <>
      <h1>Audit</h1>
      <p className="lede">Every change and every refused attempt, newest first.</p>
      <form className="filters" method="get" action="/audit">
        <label>
          User <input name="user" defaultValue={q.user ?? ""} />
        </label>
        <label>
          Action <input name="action" defaultValue={q.action ?? ""} placeholder="e.g. stack." />
        </label>
        <label>
          Result
          <select name="result" defaultValue={q.result ?? ""}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="refused">refused</option>
            <option value="failed">failed</option>
            <option value="partial">partial</option>
            <option value="pending">pending</option>
          </select>
        </label>
        <button type="submit">Filter</button>
        <Link href="/audit">Clear</Link>
      </form>
      {error && <p className="error-text" role="alert">{error}: the audit log cannot be shown until it is back. The rest of dnsdeck keeps working.</p>}
      {data && (
        <>
          <div className="table-scroll">
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Role</th>
                <th>Action</th>
                <th>Target</th>
                <th>Result</th>
                <th>ms</th>
                <th>Error / input</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.length === 0 && (
                <tr>
                  <td colSpan={8} className="muted">
                    Nothing matches.
                  </td>
                </tr>
              )}
              {data.rows.map((r) => (
                <tr key={r.id} className={`result-${r.result}`}>
                  <td className="mono">{r.at.replace("T", " ").slice(0, 19)}</td>
                  <td>
                    {r.user}
                    {r.count > 1 && <span className="muted small"> ×{r.count}</span>}
                  </td>
                  <td>{r.role ?? "—"}</td>
                  <td className="mono">{r.action}</td>
                  <td className="mono">{r.target ?? ""}</td>
                  <td>
                    <span className={`badge badge-${r.result}`}>{r.result}</span>
                  </td>
                  <td>{r.durationMs}</td>
                  <td className="mono small">{r.error ?? (r.input ? JSON.stringify(r.input).slice(0, 160) : "")}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
          {data.nextBefore && (
            <p>
              <Link href={nextHref(data.nextBefore)}>Older →</Link>
            </p>
          )}
        </>
      )}
    </>
  );
}
