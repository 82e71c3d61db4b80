/** A run's status badge; a running run shows a spinner. */
export function RunStatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge badge-${status}`} data-testid={testId}>
      {status === "running" ? (
        <>
          <span className="spinner" /> running
        </>
      ) : (
        status
      )}
    </span>
  );
}
