import Link from "next/link";
import { Suspense } from "react";
import { pageContext } from "@/server/auth/page-context";
import { type CauseExamples, readCauseExamples, readCauses } from "@/server/clients/causes";
import { readJunkCoverage } from "@/server/clients/junk";
import { toAppError } from "@/server/errors";
import { CAUSE_LABEL, type Cause } from "@/k8s/causes";
import { type ClientKind, KIND_LABEL } from "@/k8s/clients";
import { FailureChart } from "./failure-chart";

export const dynamic = "force-dynamic";

const RANGES = { "24h": 1, "7d": 7, "30d": 30, "90d": 90 } as const;
const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;

export default async function CausesPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await pageContext("/query-logs/causes");
  const sp = await searchParams;
  const range = (Object.keys(RANGES) as (keyof typeof RANGES)[]).find((r) => r === sp.range) ?? "7d";
  const to = new Date();
  const from = new Date(to.getTime() - RANGES[range] * 86_400_000);
  const input = { from: from.toISOString(), to: to.toISOString(), server: sp.server || undefined };
  // the shares first (every count, from the rollups); the example names and clients (top lists, slower over long
  // ranges) stream into their cells when read
  const examples: Examples = readCauseExamples(ctx, input).catch((err) => ({ error: toAppError(err, ctx.requestId).message }));
  const [causes, coverage] = await Promise.allSettled([readCauses(ctx, { ...input, examples: "none" }), readJunkCoverage(ctx, input)]);
  const data = causes.status === "fulfilled" ? causes.value : null;
  const error = causes.status === "rejected" ? toAppError(causes.reason, ctx.requestId).message : null;
  const junk = coverage.status === "fulfilled" ? coverage.value : null;
  const junkError = coverage.status === "rejected" ? toAppError(coverage.reason, ctx.requestId).message : null;
  const logsHref = (q: Record<string, string>) => `/query-logs?${new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), ...q })}`;
  return (
    <>
      <h1>Why queries fail</h1>
      <p className="lede">
        NXDOMAIN and SERVFAIL answers from Technitium&apos;s query log, each failing name classified by cause with its fix, and who keeps asking — named by
        what the client is (see <Link href="/clients">Clients</Link>). The architecture document&apos;s &ldquo;High NXDOMAIN Rate in Logs&rdquo;, answered.
      </p>
      <nav className="filters" aria-label="Range">
        {(Object.keys(RANGES) as (keyof typeof RANGES)[]).map((r) => (
          <Link key={r} href={`/query-logs/causes?${new URLSearchParams({ range: r, ...(sp.server ? { server: sp.server } : {}) })}`} className={r === range ? "active" : undefined} aria-current={r === range ? "page" : undefined}>
            last {r}
          </Link>
        ))}
      </nav>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {data && (
        <>
          <p data-testid="causes-totals">
            <strong>{data.total.nxDomain.toLocaleString("en")}</strong> NXDOMAIN and <strong>{data.total.serverFailure.toLocaleString("en")}</strong> SERVFAIL
            answers; <strong data-testid="causes-classified">{data.total.classified.toLocaleString("en")}</strong> failed answers (blocked ones included)
            classified by cause — every one of them, not a sample.
            {data.behind ? " The rollup is catching up: the newest rows are not counted yet." : ""}
            {data.staleDays > 0 ? ` ${data.staleDays} day${data.staleDays === 1 ? "" : "s"} in this range were classified by older rules (being rebuilt, or their raw rows have expired).` : ""}
          </p>
          <FailureChart causeSeries={data.causeSeries} labels={Object.fromEntries(data.causes.map((c) => [c.cause, c.label]))} />
          <h2>Causes</h2>
          <div className="table-scroll">
            <table className="table" data-testid="causes-table">
              <thead>
                <tr>
                  <th>Cause</th>
                  <th>Share</th>
                  <th>Failures</th>
                  <th>Who asks</th>
                  <th>Top names</th>
                  <th>Fix</th>
                </tr>
              </thead>
              <tbody>
                {data.causes.length === 0 && (
                  <tr>
                    <td colSpan={6} className="muted">
                      No failed queries in this range.
                    </td>
                  </tr>
                )}
                {data.causes.map((c) => (
                  <tr key={c.cause} data-cause={c.cause}>
                    <td>
                      <span className={`badge ${c.actionable ? "badge-warning" : ""}`}>{c.label}</span>
                    </td>
                    <td style={{ whiteSpace: "nowrap" }}>
                      <span className="bar" style={{ display: "inline-block", width: `${Math.round(c.share * 120)}px`, height: 8, background: "var(--warn)", marginRight: 6 }} />
                      {pct(c.share)}
                    </td>
                    <td>{c.count.toLocaleString("en")}</td>
                    <td className="small">
                      {Object.entries(c.byKind)
                        .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
                        .slice(0, 3)
                        .map(([k, n]) => (
                          <div key={k}>
                            {KIND_LABEL[k as ClientKind]} <span className="muted">{pct((n ?? 0) / c.count)}</span>
                          </div>
                        ))}
                    </td>
                    <td className="mono small">
                      <Suspense fallback={<Pending />}>
                        <CauseNames examples={examples} cause={c.cause} logsHref={logsHref} />
                      </Suspense>
                    </td>
                    <td className="small">
                      <Suspense fallback={c.fix}>
                        <CauseFix examples={examples} cause={c.cause} fix={c.fix} />
                      </Suspense>
                      <FixChange cause={c.cause} junk={junk} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Who keeps asking</h2>
          <Suspense>
            <NamesFailed examples={examples} />
          </Suspense>
          <div className="table-scroll">
            <table className="table" data-testid="causes-kinds">
              <thead>
                <tr>
                  <th>Kind</th>
                  <th>Failures</th>
                  <th>Causes</th>
                  <th>Clients</th>
                </tr>
              </thead>
              <tbody>
                {data.byKind.map((k) => (
                  <tr key={k.kind} data-kind={k.kind}>
                    <td>{k.label}</td>
                    <td>{k.count.toLocaleString("en")}</td>
                    <td className="small">
                      {Object.entries(k.causes)
                        .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
                        .slice(0, 3)
                        .map(([c, n]) => (
                          <div key={c}>
                            {CAUSE_LABEL[c as Cause]} <span className="muted">×{(n ?? 0).toLocaleString("en")}</span>
                          </div>
                        ))}
                    </td>
                    <td className="mono small">
                      <Suspense fallback={<Pending />}>
                        <KindClients examples={examples} kind={k.kind} logsHref={logsHref} />
                      </Suspense>
                    </td>
                  </tr>
                ))}
                <Suspense>
                  <OtherKinds examples={examples} counted={data.byKind.map((k) => k.kind)} logsHref={logsHref} />
                </Suspense>
              </tbody>
            </table>
          </div>
        </>
      )}
      <JunkCoverage junk={junk} error={junkError} logsHref={logsHref} />
    </>
  );
}

type Examples = Promise<CauseExamples | { error: string }>;
type Href = (q: Record<string, string>) => string;

function Pending() {
  return (
    <span className="muted" role="status">
      <span className="spinner" aria-hidden /> reading the most frequent…
    </span>
  );
}

/** The cause's most frequent failing names (streamed: the explorer's top lists under NXDOMAIN / SERVFAIL). */
async function CauseNames({ examples, cause, logsHref }: { examples: Examples; cause: Cause; logsHref: Href }) {
  const ex = await examples;
  if ("error" in ex) return <span className="error-text">{ex.error}</span>;
  const names = ex.names[cause] ?? [];
  return (
    <>
      {names.length === 0 &&
        (cause === "blocked" ? (
          <Link href={logsHref({ responseType: "Blocked,UpstreamBlocked,UpstreamBlockedCached" })}>the blocked answers →</Link>
        ) : (
          <span className="muted">none among the most frequent</span>
        ))}
      {names.slice(0, 5).map((n) => (
        <div key={`${n.rcode}|${n.name}`}>
          <Link href={logsHref({ qname: n.name, rcode: n.rcode })}>{n.name}</Link> <span className="muted">×{n.count.toLocaleString("en")}</span>
        </div>
      ))}
      {names.length > 5 && <div className="muted">+{names.length - 5} more</div>}
    </>
  );
}

/** The cause's fix: the generic one until the examples come, then the first example's own (its domain, its host). */
async function CauseFix({ examples, cause, fix }: { examples: Examples; cause: Cause; fix: string }) {
  const ex = await examples;
  return <>{("error" in ex ? undefined : ex.fixes[cause]) ?? fix}</>;
}

async function KindClients({ examples, kind, logsHref }: { examples: Examples; kind: ClientKind; logsHref: Href }) {
  const ex = await examples;
  if ("error" in ex) return <span className="error-text">{ex.error}</span>;
  return (
    <>
      {(ex.clients[kind] ?? []).slice(0, 6).map((c) => (
        <div key={`${c.ip}|${c.name}`}>
          <Link href={logsHref({ client: c.ip })}>{c.name ?? c.ip}</Link>
          {c.name && <span className="muted"> {c.ip}</span>} <span className="muted">×{c.count.toLocaleString("en")}</span>
        </div>
      ))}
    </>
  );
}

/** Frequent failing clients whose kind (at the range's end) counted no failure in the range: the address changed hands. */
async function OtherKinds({ examples, counted, logsHref }: { examples: Examples; counted: ClientKind[]; logsHref: Href }) {
  const ex = await examples;
  if ("error" in ex) return null;
  return (Object.keys(ex.clients) as ClientKind[])
    .filter((kind) => !counted.includes(kind))
    .map((kind) => (
      <tr key={kind} data-kind={kind}>
        <td>{KIND_LABEL[kind]}</td>
        <td>0</td>
        <td className="small muted">none counted: these addresses were something else when they asked</td>
        <td className="mono small">
          <KindClients examples={examples} kind={kind} logsHref={logsHref} />
        </td>
      </tr>
    ));
}

async function NamesFailed({ examples }: { examples: Examples }) {
  const ex = await examples;
  return "namesFailed" in ex && ex.namesFailed ? <p className="warn-text">The client directory could not be read: clients are shown by address only.</p> : null;
}

const NDOTS_SNIPPET = `spec:
  template:
    spec:
      dnsConfig:
        options:
          - name: ndots
            value: "2"`;

/** The fix for a cause, as a change dnsdeck makes (a link to where) or shows (the text to apply). */
function FixChange({ cause, junk }: { cause: Cause; junk: Awaited<ReturnType<typeof readJunkCoverage>> | null }) {
  if (cause === "search-expansion")
    return (
      <details className="fix-change" data-testid="fix-search-expansion">
        <summary>{junk?.proposedNodeLocalBlock ? "The change: NodeLocal's block with the template" : "The change: a workload's ndots"}</summary>
        {junk?.proposedNodeLocalBlock ? (
          <>
            <div className="scroll-box">
              <pre className="mono small">{junk.proposedNodeLocalBlock}</pre>
            </div>
            <div>
              Add this <code>template</code> to the {junk.zone} zone in <Link href="/stack">Stack → config (NodeLocal zones)</Link>, then Plan → Apply: pods&apos;
              search-suffixed names are answered NXDOMAIN on the node.
            </div>
          </>
        ) : (
          <>
            <div>NodeLocal&apos;s {junk?.zone ?? "internal"} block already has the template: what still arrives comes from elsewhere. In the workload that asks:</div>
            <div className="scroll-box">
              <pre className="mono small">{NDOTS_SNIPPET}</pre>
            </div>
            <div>or ask for names with a trailing dot (an FQDN).</div>
          </>
        )}
      </details>
    );
  if (cause === "reverse-no-ptr") return <div><Link href="/zones#consistency">Zones → Consistency: Add PTR for the addresses without one →</Link></div>;
  if (cause === "internal-missing") return <div><Link href="/zones">Zones: add the record (or see who asks, below) →</Link></div>;
  if (cause === "upstream-failure") return <div><Link href="/health">Health → forwarders →</Link></div>;
  return null;
}

const perHour = (x: number) => (x === 0 ? "0" : x < 10 ? x.toFixed(2) : Math.round(x).toLocaleString("en"));

/** Queries matching CoreDNS's ndots template that still reached Technitium, by path, before and after a Corefile change. */
function JunkCoverage({ junk, error, logsHref }: { junk: Awaited<ReturnType<typeof readJunkCoverage>> | null; error: string | null; logsHref: (q: Record<string, string>) => string }) {
  return (
    <>
      <h2>Junk-filter coverage</h2>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {junk && (
        <>
          <p className="small" data-testid="junk-summary">
            Names matching the ndots template <code>{junk.regex}</code> (query-log pattern <code>{junk.pattern}</code>
            {junk.patternExact ? "" : ", the usual shape: the configured regex cannot be expressed as a name pattern"}) should be answered NXDOMAIN before
            Technitium. CoreDNS&apos;s {junk.zone} block {junk.templates.coredns ? "has" : <strong>has no</strong>} the template; NodeLocal&apos;s {junk.zone} block,
            which forwards straight to Technitium, {junk.templates.nodelocal ? "has its own" : <strong>has none</strong>}.{" "}
            {junk.change ? (
              <>
                Split at the last Corefile change in the range: <span className="mono">{junk.change.at.replace("T", " ").slice(0, 19)}</span> ({junk.change.label}).
              </>
            ) : junk.changesUnknown ? (
              "dnsdeck's apply records could not be read, so the range is shown whole."
            ) : (
              "No Corefile change in this range."
            )}
          </p>
          <div className="table-scroll">
            <table className="table" data-testid="junk-table">
              <thead>
                <tr>
                  <th>Path to Technitium</th>
                  <th>Filtered by</th>
                  {junk.periods.map((p) => (
                    <th key={p.key}>{p.key === "range" ? "Reached Technitium" : p.key === "before" ? "Before the change" : "After the change"}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {junk.periods[0].rows.map((row, i) => (
                  <tr key={row.path} data-path={row.path}>
                    <td>{row.label}</td>
                    <td className="small">{row.filteredBy}</td>
                    {junk.periods.map((p) => {
                      const r = p.rows[i];
                      return (
                        <td key={p.key} data-period={p.key}>
                          <Link href={logsHref({ from: p.from, to: p.to, qname: junk.pattern, clientKind: r.clientKind })} data-testid="junk-count">
                            {r.approximate ? "≈ " : ""}
                            {r.count.toLocaleString("en")}
                          </Link>{" "}
                          <span className="muted small">({perHour(r.perHour)}/h)</span>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
