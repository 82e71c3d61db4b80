/**
 * The one deadline helper: `p`, or the error `onTimeout()` builds when `p` has not settled within `ms`. The timer is
 * always cleared. The doors' own budgets (the Kubernetes abort signal, PostgreSQL's statement_timeout, the DNS
 * client's deadline) stop the work itself; this only stops the waiting, so use it where there is nothing to abort.
 * Plain module (no `server-only`): the CLI runs it too.
 */
export async function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
