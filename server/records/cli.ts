/**
 * `dnsdeck record add|update|delete <zone> <name> <type> <value> [--ttl N] [--ptr] [--current V] [--force] [--json]`:
 * the same verb as the Zones page and `POST/PUT/DELETE /api/v1/zones/{zone}/records…`, audited as the CLI user; it
 * waits for the proof. Exit codes: 0 converged, 1 partial, 2 failed, 3 refused (bad input, stale current, owner), 64
 * usage.
 */
export const RECORD_USAGE = `usage: dnsdeck record add|update|delete <zone> <name> <type> <value> [--ttl N] [--ptr] [--current V] [--force] [--json]
  e.g. dnsdeck record add viktorbarzin.lan nas2 A 10.0.20.250 --ptr`;

export async function recordCommand(args: string[], user: string, out: (s: string) => void, err: (s: string) => void, describe: (run: never) => string): Promise<number> {
  const flags = new Map<string, string | true>();
  const pos: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--ptr" || a === "--force" || a === "--json") flags.set(a, true);
    else if (a === "--ttl" || a === "--current") {
      if (args[i + 1] === undefined) return usage(err, `${a} needs a value`);
      flags.set(a, args[++i]);
    } else if (a.startsWith("--")) return usage(err, `unknown option ${a}`);
    else pos.push(a);
  }
  const [op, zone, name, type, value] = pos;
  if (!["add", "update", "delete"].includes(op ?? "") || pos.length !== 5) return usage(err, pos.length ? "expected: <op> <zone> <name> <type> <value>" : "");
  const { changeZoneRecord } = await import("./verbs");
  const { cliContext } = await import("@/server/auth/ctx");
  const { toAppError } = await import("@/server/errors");
  const input = {
    op,
    zone,
    name,
    type: type.toUpperCase(),
    value,
    ...(flags.has("--ttl") ? { ttl: flags.get("--ttl") } : {}),
    ...(flags.has("--current") ? { current: flags.get("--current") } : {}),
    ...(flags.has("--ptr") ? { ptr: true } : {}),
    ...(flags.has("--force") ? { force: true } : {}),
    wait: true,
  };
  try {
    const run = await changeZoneRecord(cliContext(user as `cli:${string}`), input);
    out(flags.has("--json") ? JSON.stringify(run, null, 2) : describe(run as never));
    return run.status === "ok" ? 0 : run.status === "partial" ? 1 : 2;
  } catch (e) {
    const ae = toAppError(e);
    err(`record ${op}: ${ae.message}`);
    return ae.code === "conflict" || ae.code === "bad_request" || ae.code === "forbidden" ? 3 : 2;
  }
}

function usage(err: (s: string) => void, problem: string): number {
  err(`${problem ? `${problem}\n` : ""}${RECORD_USAGE}`);
  return 64;
}
