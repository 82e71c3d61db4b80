import { readiness } from "@/server/health/readiness";

export const dynamic = "force-dynamic";

export default async function Overview() {
  const r = await readiness();
  return (
    <>
      <h1>Overview</h1>
      <p className="lede">The DNS stack's dependencies as dnsdeck sees them right now.</p>
      <section className="cards" aria-label="Dependencies">
        {r.dependencies.map((d) => (
          <div key={d.name} className={`card ${d.ok ? "ok" : "bad"}`} data-testid={`dep-${d.name}`}>
            <div className="card-title">{d.name}</div>
            <div className="card-value">{d.ok ? "reachable" : "down"}</div>
            {d.detail && <div className="muted">{d.detail}</div>}
            {d.error && <div className="error-text">{d.error}</div>}
          </div>
        ))}
      </section>
    </>
  );
}
