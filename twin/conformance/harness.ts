/**
 * The conformance suite's harness: real clients nobody here wrote — kubectl (the image's 1.32), dig (Debian's
 * bind9-dnsutils) and kdig (knot-dnsutils) — run against the twin, or against the real thing with the
 * TWIN_CONTRACT_* switches:
 *   TWIN_CONTRACT_KUBECONFIG=<path>          kubectl checks against a real cluster (read-only and dry-run ones only)
 *   TWIN_CONTRACT_TECHNITIUM_DNS=<ip[:port]> dig checks against a real Technitium instance (no source-address checks:
 *                                            they need the twin's loopback source mapping)
 *   TWIN_CONTRACT_COREDNS_DNS=<ip[:port]>    dig checks against a real CoreDNS (cluster IP reachable from here)
 * A missing client fails the suite (scripts/ensure-system.sh installs dig and kdig; kubectl comes with the image).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export const CONTRACT = {
  kubeconfig: process.env.TWIN_CONTRACT_KUBECONFIG,
  technitiumDns: process.env.TWIN_CONTRACT_TECHNITIUM_DNS,
  corednsDns: process.env.TWIN_CONTRACT_COREDNS_DNS,
};

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a real client; never throws on a non-zero exit (the tests assert on it), throws when it is not installed. */
export async function run(cmd: string, args: string[], o: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {}): Promise<Run> {
  try {
    const r = await exec(cmd, args, { env: { ...process.env, ...o.env }, timeout: o.timeoutMs ?? 30_000, maxBuffer: 16 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    if (e.code === "ENOENT") throw new Error(`${cmd} is not installed: run scripts/ensure-system.sh (dig, kdig) or use a machine image with kubectl`);
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? e.message };
  }
}

/** kubectl with a kubeconfig and a private discovery cache. */
export function kubectl(kubeconfig: string) {
  const cache = mkdtempSync(path.join(os.tmpdir(), "kubectl-cache-"));
  const args = (a: string[]) => ["--kubeconfig", kubeconfig, "--cache-dir", cache, ...a];
  return {
    run: (...a: string[]) => run("kubectl", args(a)),
    /** A long-running kubectl (get -w, logs -f): its stdout lines as they come. */
    stream(...a: string[]): { proc: ChildProcess; lines: string[]; stop(): void } {
      const proc = spawn("kubectl", args(a), { stdio: ["ignore", "pipe", "pipe"] });
      const lines: string[] = [];
      let buf = "";
      proc.stdout!.on("data", (c: Buffer) => {
        buf += c.toString();
        const parts = buf.split("\n");
        buf = parts.pop()!;
        lines.push(...parts);
      });
      return { proc, lines, stop: () => proc.kill() };
    },
  };
}

/** dig (or kdig) against host:port; `source` binds the client address (the twin maps 127.168.x.y to the LAN). */
export function dig(server: { host: string; port: number }, o: { tool?: "dig" | "kdig"; source?: string } = {}) {
  const limits = o.tool === "kdig" ? ["+retry=0", "+timeout=2"] : ["+tries=1", "+time=2"];
  return (...a: string[]) => run(o.tool ?? "dig", [`@${server.host}`, "-p", String(server.port), ...(o.source ? ["-b", o.source] : []), ...limits, ...a]);
}

export function hostPort(text: string, defPort = 53): { host: string; port: number } {
  const m = /^(.+?)(?::(\d+))?$/.exec(text)!;
  return { host: m[1], port: m[2] ? Number(m[2]) : defPort };
}

/** The parts of dig's output the tests read. */
export function parseDig(out: string) {
  const header = /status: (\w+)/.exec(out)?.[1];
  const flags = (/;; flags: ([^;]*);/.exec(out)?.[1] ?? "").trim().split(/\s+/).filter(Boolean);
  const answers = [...out.matchAll(/^(\S+)\s+(\d+)\s+IN\s+(\w+)\s+(.+)$/gm)].filter((m) => !m[0].startsWith(";")).map((m) => ({ name: m[1], ttl: Number(m[2]), type: m[3], data: m[4].trim() }));
  const answerSection = out.split(";; ANSWER SECTION:")[1]?.split("\n\n")[0] ?? "";
  const inAnswer = answers.filter((a) => answerSection.includes(`${a.name}`) && answerSection.includes(a.data));
  const ecs = /CLIENT-SUBNET: (\S+)/.exec(out)?.[1];
  const ednsFlags = /; EDNS: version: (\d+), flags:([^;]*);/.exec(out);
  const ms = Number(/Query time: (\d+) msec/.exec(out)?.[1] ?? NaN);
  return { status: header, flags, answers: inAnswer, ecs, edns: ednsFlags ? { version: Number(ednsFlags[1]), flags: ednsFlags[2].trim().split(/\s+/).filter(Boolean) } : undefined, ms, timedOut: /timed out|no servers could be reached/.test(out) };
}
