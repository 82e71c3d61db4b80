/** Shown while a page's server data loads (live reads of Kubernetes and Technitium can take a few seconds). */
export default function Loading() {
  return (
    <p className="muted" role="status" data-testid="page-loading">
      <span className="spinner" aria-hidden="true" /> Loading…
    </p>
  );
}
