// Debian's Prometheus and Pushgateway as child processes for the demo and the tests: their own ports (free ones by
// default), their own config and data directory, never the system services. Installed by scripts/ensure-system.sh.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

export interface ScrapeJob {
  job: string;
  /** file_sd target files (the twin writes and updates them as pods come and go). */
  files?: string[];
  targets?: string[];
  honorLabels?: boolean;
}

export interface PrometheusProcess {
  url: string;
  pushgatewayUrl: string;
  configFile: string;
  /** Re-read config and rules (POST /-/reload). */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  dir: string;
  jobs: ScrapeJob[];
  /** Absolute paths of rule files. */
  ruleFiles?: string[];
  /** Scrape and evaluation interval in seconds (default 5). */
  intervalSeconds?: number;
  port?: number;
  pushgatewayPort?: number;
  retention?: string;
}

const PROMETHEUS = "/usr/bin/prometheus";
const PUSHGATEWAY = "/usr/bin/prometheus-pushgateway";

/** A free TCP port on 127.0.0.1 (bind to 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export function prometheusConfig(o: { jobs: ScrapeJob[]; ruleFiles: string[]; intervalSeconds: number; pushgateway: string }): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [`global: {scrape_interval: ${o.intervalSeconds}s, evaluation_interval: ${o.intervalSeconds}s}`, `rule_files: [${o.ruleFiles.map(q).join(", ")}]`, "scrape_configs:"];
  const all: ScrapeJob[] = [...o.jobs, { job: "pushgateway", targets: [o.pushgateway], honorLabels: true }];
  for (const j of all) {
    lines.push(`  - job_name: ${q(j.job)}`);
    if (j.honorLabels) lines.push("    honor_labels: true");
    if (j.files?.length) lines.push(`    file_sd_configs: [{files: [${j.files.map(q).join(", ")}], refresh_interval: 2s}]`);
    if (j.targets?.length) lines.push(`    static_configs: [{targets: [${j.targets.map(q).join(", ")}]}]`);
  }
  return lines.join("\n") + "\n";
}

function spawnLogged(bin: string, args: string[], log: string): ChildProcess {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run scripts/ensure-system.sh (installs Debian's prometheus and prometheus-pushgateway)`);
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  const sink = createWriteStream(log);
  child.stdout?.pipe(sink);
  child.stderr?.pipe(sink);
  return child;
}

async function waitReady(url: string, child: ChildProcess, what: string, log: string): Promise<void> {
  let exited: number | null = null;
  child.once("exit", (c) => (exited = c ?? 1));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== null) throw new Error(`${what} exited with code ${exited} while starting (log: ${log})`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${what} was not ready within 30 s (log: ${log})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });

export async function startPrometheus(o: StartPrometheusOptions): Promise<PrometheusProcess> {
  mkdirSync(path.join(o.dir, "data"), { recursive: true });
  const port = o.port ?? (await freePort());
  const pgwPort = o.pushgatewayPort ?? (await freePort());
  const pgwAddr = `127.0.0.1:${pgwPort}`;
  const pgwLog = path.join(o.dir, "pushgateway.log");
  const pgw = spawnLogged(PUSHGATEWAY, [`--web.listen-address=${pgwAddr}`, "--persistence.file=", "--web.enable-admin-api"], pgwLog);
  try {
    await waitReady(`http://${pgwAddr}/-/ready`, pgw, "the Pushgateway", pgwLog);
  } catch (err) {
    await stopChild(pgw);
    throw err;
  }
  const configFile = path.join(o.dir, "prometheus.yml");
  writeFileSync(configFile, prometheusConfig({ jobs: o.jobs, ruleFiles: o.ruleFiles ?? [], intervalSeconds: o.intervalSeconds ?? 5, pushgateway: pgwAddr }));
  const log = path.join(o.dir, "prometheus.log");
  const prom = spawnLogged(
    PROMETHEUS,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(o.dir, "data")}`, `--storage.tsdb.retention.time=${o.retention ?? "8d"}`, `--web.listen-address=127.0.0.1:${port}`, "--web.enable-lifecycle"],
    log,
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${url}/-/ready`, prom, "Prometheus", log);
  } catch (err) {
    await Promise.all([stopChild(prom), stopChild(pgw)]);
    throw err;
  }
  return {
    url,
    pushgatewayUrl: `http://${pgwAddr}`,
    configFile,
    async reload() {
      const r = await fetch(`${url}/-/reload`, { method: "POST" });
      if (!r.ok) throw new Error(`Prometheus reload answered HTTP ${r.status}: ${await r.text()}`);
    },
    async stop() {
      await Promise.all([stopChild(prom), stopChild(pgw)]);
    },
  };
}

/** The project's alert rules, as shipped (k8s/deploy/alerts/dns-alerts.yml). */
export const RULES_FILE = path.resolve(import.meta.dirname, "..", "..", "k8s", "deploy", "alerts", "dns-alerts.yml");

/** A copy of the rules with every `for:` shortened (tests: an alert fires seconds after its condition holds). */
export function rulesWithShortFor(outFile: string, forSeconds: number): string {
  const text = readFileSync(RULES_FILE, "utf8").replace(/^(\s+for:\s*)\S+$/gm, `$1${forSeconds}s`);
  writeFileSync(outFile, text);
  return outFile;
}
