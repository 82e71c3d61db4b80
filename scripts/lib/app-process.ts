// Start the built dnsdeck (standalone server through server/start.mjs) as a child process and wait until it serves.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import net from "node:net";
import path from "node:path";

export interface AppProcess {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  /** Send a signal (tests: SIGKILL mid-run, SIGTERM to drain); `exited` settles with the exit code or signal. */
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | string>;
}

const root = path.resolve(import.meta.dirname, "..", "..");

/**
 * Refuses a port something already listens on: the new server would exit with EADDRINUSE while the health check below
 * was answered by the old one (an earlier run killed before its teardown leaves `next-server` processes behind), and
 * the tests would then talk to a stale server with another database.
 */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new Error(`port ${port} on 127.0.0.1 is already taken — an earlier run's server? Find it with \`ss -ltnp 'sport = :${port}'\` and stop it, or move the ports (E2E_PORT_BASE, PORT)`)
          : err,
      ),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

export async function startApp(opts: { port: number; env: Record<string, string>; logFile?: string; inheritOutput?: boolean }): Promise<AppProcess> {
  await assertPortFree(opts.port);
  const child: ChildProcess = spawn(process.execPath, [path.join(root, "server", "start.mjs")], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", HOSTNAME: "127.0.0.1", ...opts.env, PORT: String(opts.port) },
    stdio: opts.inheritOutput ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  if (!opts.inheritOutput) {
    const sink = opts.logFile ? createWriteStream(opts.logFile) : null;
    child.stdout?.on("data", (d) => sink?.write(d));
    child.stderr?.on("data", (d) => sink?.write(d));
  }
  let exited: number | null = null;
  child.on("exit", (code) => (exited = code ?? 1));
  const exitedP = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? 1)));
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`dnsdeck exited with code ${exited} while starting${opts.logFile ? ` (log: ${opts.logFile})` : ""}`);
    try {
      const r = await fetch(`${url}/api/v1/health`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`dnsdeck did not answer on ${url} within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    port: opts.port,
    pid: child.pid!,
    kill: (signal) => void child.kill(signal),
    exited: exitedP,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
