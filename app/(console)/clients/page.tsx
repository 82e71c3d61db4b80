import Link from "next/link";
import { CLIENT_KINDS, KIND_LABEL } from "@/k8s/clients";
import { pageContext } from "@/server/auth/page-context";
import { searchClients } from "@/server/clients/verbs";
import { describeDbError } from "@/server/db/client";
import { toAppError } from "@/server/errors";

export const dynamic = "force-dynamic";

const when = (iso: string | null) => (iso ? iso.replace("T", " ").slice(0, 19) : "");

export default async function ClientsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await pageContext("/clients");
  const sp = await searchParams;
  let data: Awaited<ReturnType<typeof searchClients>> | null = null;
  let error: string | null = null;
  try {
    data = await searchClients(ctx, { q: sp.q || undefined, kind: sp.kind || undefined, page: sp.page ?? 1 });
  } catch (err) {
    const e = toAppError(err, ctx.requestId);
    if (e.code !== "bad_request") error = describeDbError(e);
    else
      return (
        <>
          <h1>Clients</h1>
          <p className="error-text">
            The search in the address is invalid: {e.message}. <Link href="/clients">Clear it</Link>
          </p>
        </>
      );
  }
  const href = (page: number) => {
    const p = new URLSearchParams();
    if (sp.q) p.set("q", sp.q);
    if (sp.kind) p.set("kind", sp.kind);
    p.set("page", String(page));
    return `/clients?${p}`;
  };
  return (
    <>
      <h1>Clients</h1>
      <p className="lede">
        Who asks Technitium, named by what each address is or was: CoreDNS pods and NodeLocal nodes from the Kubernetes API (with history, so an old query-log
        row is named by what its address was then), pfSense&apos;s gateways, and LAN / VPN devices by their reverse name. The kind says which path the query took.
      </p>
      {data?.status.stale && (
        <p className="alert warn" role="status" data-testid="directory-stale">
          The Kubernetes API has not been read {data.status.lastOkAt ? `since ${when(data.status.lastOkAt)}` : "yet"}
          {data.status.lastError ? ` (${data.status.lastError})` : ""}: pod and node names may be out of date. The history is kept; it refreshes every 30 s.
        </p>
      )}
      <form className="filters" method="get" action="/clients">
        <label>
          Address or name <input name="q" defaultValue={sp.q ?? ""} placeholder="e.g. coredns, k8s-node2, 192.168.1.8" maxLength={100} />
        </label>
        <label>
          Kind
          <select name="kind" defaultValue={sp.kind ?? ""}>
            <option value="">any</option>
            {CLIENT_KINDS.filter((k) => k !== "unknown").map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
        <Link href="/clients">Clear</Link>
      </form>
      {error && <p className="error-text" role="alert">{error}: the client directory cannot be shown until it is back.</p>}
      {data && (
        <>
          <div className="table-scroll">
            <table className="table" data-testid="clients-table">
              <thead>
                <tr>
                  <th>Address</th>
                  <th>Kind</th>
                  <th>Name</th>
                  <th>Node / network</th>
                  <th>From</th>
                  <th>Until</th>
                  <th>Path to Technitium</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {data.entries.length === 0 && (
                  <tr>
                    <td colSpan={8} className="muted">
                      Nothing matches.
                    </td>
                  </tr>
                )}
                {data.entries.map((e) => (
                  <tr key={`${e.ip}|${e.validFrom ?? "ptr"}`}>
                    <td className="mono">{e.ip}</td>
                    <td>
                      <span className={`badge kind-${e.kind}`}>{KIND_LABEL[e.kind]}</span>
                    </td>
                    <td className="mono">{e.name ?? <span className="muted">—</span>}</td>
                    <td>{e.node ?? e.network ?? ""}</td>
                    <td className="mono small">{when(e.validFrom)}</td>
                    <td className="mono small">{e.validFrom ? (e.validTo ? when(e.validTo) : <span className="badge badge-ok">now</span>) : ""}</td>
                    <td className="small">
                      {e.pathClass ? <Link href={`/paths?class=${e.pathClass}`}>{e.path}</Link> : e.path}
                    </td>
                    <td className="small">
                      <Link href={`/query-logs?client=${encodeURIComponent(e.ip)}`}>queries →</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small" data-testid="clients-pager">
            {data.total} entr{data.total === 1 ? "y" : "ies"} · page {data.page} of {data.pages}
            {data.page > 1 && (
              <>
                {" "}
                · <Link href={href(data.page - 1)}>← Newer</Link>
              </>
            )}
            {data.page < data.pages && (
              <>
                {" "}
                · <Link href={href(data.page + 1)}>Older →</Link>
              </>
            )}
          </p>
        </>
      )}
    </>
  );
}
