/**
 * dnsdeck's command line, run by the stack's CronJobs in dnsdeck's image (`node dist/cli.js <command>`) and by
 * operators. The same sync code as the Technitium page's buttons; every run is recorded (trigger "cli", or "cronjob"
 * when DNSDECK_TRIGGER=cronjob) with an audit row. With PUSHGATEWAY_URL set, every zone sync (here or from the page)
 * pushes the alerting metrics.
 *
 *   zone-sync [--remove-orphans]   create missing Secondary zones, resync laggards, verify serials
 *   split-horizon-sync             Split Horizon + DNS Rebinding Protection configs on every instance
 *   resolver-settings              cache/serve-stale settings and stub zones on every instance
 *   anomaly-push [--window 15m]    push the last window's query counts for the anomaly alerts (server/prometheus)
 *
 * Exit codes: 0 ok, 1 partial (some zone/instance failed), 2 failed, 3 refused (another run of the same kind is
 * running, or the desired config is invalid), 64 usage. Bundled by the integrator with esbuild (--conditions=react-server
 * so `server-only` resolves to its empty build).
 */
import os from "node:os";

const COMMANDS = { "zone-sync": "zones", "split-horizon-sync": "split-horizon", "resolver-settings": "resolver-settings" } as const;
type Command = keyof typeof COMMANDS;

const USAGE = `usage: dnsdeck <command> [--remove-orphans] [--json]
commands:
  zone-sync            create missing Secondary zones on the replicas, resync lagging ones, verify serials
  split-horizon-sync   push the Split Horizon + DNS Rebinding Protection configs and read them back
  resolver-settings    apply cache min/max TTL, serve-stale, cache size and stub zones, and read them back
  anomaly-push         push the last window's logged query counts to the Pushgateway (dns-anomaly-monitor)`;

type Env = Record<string, string | undefined>;

export function cronJobName(env: Env, command: string): string {
  if (env.DNSDECK_CRONJOB_NAME) return env.DNSDECK_CRONJOB_NAME;
  // Job pod names are <cronjob>-<minutes|manual-id>-<5 chars>
  const host = env.HOSTNAME ?? "";
  const m = /^(.*?)-(?:\d+|manual-[a-z0-9]+)-[a-z0-9]{5}$/.exec(host);
  return m ? m[1] : `technitium-${command}`;
}

export async function main(
  argv: string[],
  env: Env = process.env,
  out: (s: string) => void = (s) => void process.stdout.write(s + "\n"),
  err: (s: string) => void = (s) => void process.stderr.write(s + "\n"),
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "anomaly-push") return runAnomalyPush(rest, env, out, err);
  if (!command || command === "--help" || command === "-h" || !(command in COMMANDS)) {
    (command && command !== "--help" && command !== "-h" ? err : out)(command && !(command in COMMANDS) && command !== "--help" && command !== "-h" ? `unknown command "${command}"\n${USAGE}` : USAGE);
    return command && command !== "--help" && command !== "-h" ? 64 : 0;
  }
  const unknown = rest.filter((a) => a !== "--remove-orphans" && a !== "--json");
  if (unknown.length) {
    err(`unknown option ${unknown.join(" ")}\n${USAGE}`);
    return 64;
  }
  // The CLI serves no HTTP, so the proxy allow-list the web app needs is irrelevant here.
  if (!process.env.TRUSTED_PROXY_CIDRS && (process.env.AUTH_MODE ?? "authentik") === "authentik") process.env.TRUSTED_PROXY_CIDRS = "127.0.0.1/32";

  const { env: loadEnv, EnvError } = await import("@/server/env");
  try {
    loadEnv();
  } catch (e) {
    err(e instanceof EnvError ? e.message : String(e));
    return 2;
  }
  const { SYNC_VERBS } = await import("@/server/sync/verbs");
  const { cliContext } = await import("@/server/auth/ctx");
  const { toAppError } = await import("@/server/errors");
  const { pushMetrics, renderZoneSyncMetrics, pushUrl } = await import("@/server/sync/metrics");

  const kind = COMMANDS[command as Command];
  const cron = env.DNSDECK_TRIGGER === "cronjob";
  const user = cron ? `cronjob:${cronJobName(env, command)}` : `cli:${env.USER ?? safeUser()}`;
  const removeOrphans = rest.includes("--remove-orphans");
  let code = 0;
  let run: Awaited<ReturnType<(typeof SYNC_VERBS)[typeof kind]>> | undefined;
  let failure: string | undefined;
  // The same verb as the page's button: audited before anything is sent (503, nothing done, if it cannot be).
  try {
    const ctx = cliContext(user as `cronjob:${string}` | `cli:${string}`);
    run = await SYNC_VERBS[kind](ctx, kind === "zones" ? { removeOrphans, wait: true } : { wait: true });
    code = run.status === "ok" ? 0 : run.status === "partial" ? 1 : 2;
  } catch (e) {
    const ae = toAppError(e);
    failure = ae.message;
    code = ae.code === "conflict" || ae.code === "bad_request" ? 3 : 2;
  }

  if (rest.includes("--json")) out(JSON.stringify(run ?? { error: failure }, null, 2));
  else if (run) out(describeRun(run));
  else err(`${command}: ${failure}`);

  if (run?.metrics?.pushedTo) out(`metrics pushed to ${run.metrics.pushedTo}`);
  if (run?.metrics?.error) err(run.metrics.error);
  // No run at all (not refused by a running one, which pushes its own result): still tell the alerts it failed.
  if (command === "zone-sync" && !run && code !== 3 && env.PUSHGATEWAY_URL) {
    try {
      await pushMetrics(env.PUSHGATEWAY_URL, renderZoneSyncMetrics({ status: 1, failures: 1, lastRunUnixSeconds: Date.now() / 1000, zoneCounts: {} }));
    } catch (e) {
      err(`could not push metrics to ${pushUrl(env.PUSHGATEWAY_URL)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return code;
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return "unknown";
  }
}

interface RunLike {
  id: number;
  kind: string;
  status: string;
  summary: string | null;
  steps: { name: string; status: string; message?: string }[];
  results: unknown;
}

const MARK: Record<string, string> = { ok: "✓", warning: "!", failed: "✗", skipped: "-", running: "…" };

export function describeRun(run: RunLike): string {
  const lines = [`${run.kind} sync run #${run.id}: ${run.status.toUpperCase()}`, run.summary ?? "", "", "steps:"];
  for (const s of run.steps) lines.push(`  ${MARK[s.status] ?? "?"} ${s.name}${s.message ? ` — ${s.message}` : ""}`);
  const r = run.results as { results?: { zone: string; replica: string; outcome: string; message?: string }[]; items?: { instance: string; item: string; outcome: string; message?: string }[] } | null;
  if (r?.results?.length) {
    lines.push("", "zones:");
    for (const x of r.results) lines.push(`  ${x.zone.padEnd(28)} ${x.replica.padEnd(12)} ${x.outcome}${x.message && x.outcome !== "in-step" ? ` — ${x.message}` : ""}`);
  }
  if (r?.items?.length) {
    lines.push("", "instances:");
    for (const x of r.items) lines.push(`  ${x.instance.padEnd(12)} ${x.item.padEnd(26)} ${x.outcome}${x.message ? ` — ${x.message}` : ""}`);
  }
  return lines.join("\n");
}

const isEntry = (() => {
  const a = process.argv[1] ?? "";
  return /(^|[\\/])cli\.(ts|js|mjs|cjs)$/.test(a);
})();
if (isEntry) {
  main(process.argv.slice(2)).then(
    async (code) => {
      try {
        const { db } = await import("@/server/db/client");
        await db().$disconnect();
      } catch {
        /* nothing to close */
      }
      process.exit(code);
    },
    (e) => {
      process.stderr.write(`dnsdeck: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
}

async function runAnomalyPush(rest: string[], env: Env, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (!process.env.TRUSTED_PROXY_CIDRS && (process.env.AUTH_MODE ?? "authentik") === "authentik") process.env.TRUSTED_PROXY_CIDRS = "127.0.0.1/32";
  const { env: loadEnv, EnvError } = await import("@/server/env");
  try {
    loadEnv();
  } catch (e) {
    err(e instanceof EnvError ? e.message : String(e));
    return 2;
  }
  const { anomalyPush } = await import("@/server/prometheus/anomaly-cli");
  const cron = env.DNSDECK_TRIGGER === "cronjob";
  return anomalyPush(rest, out, err, cron ? `cronjob:${cronJobName(env, "dns-anomaly-monitor")}` : `cli:${env.USER ?? safeUser()}`);
}
