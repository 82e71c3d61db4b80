// Test harness: starts a twin (or, with TWIN_CONTRACT_KUBECONFIG, points at a real cluster for the contract subset).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ApiException, AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { startKubeTwin, type KubeTwin, type KubeTwinOptions } from "../index";
import { kubeFetch } from "../https-fetch";

export const CONTRACT = process.env.TWIN_CONTRACT_KUBECONFIG;

export interface Env {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  objects: KubernetesObjectApi;
  url: string;
  token: string;
  twin?: KubeTwin;
  /** raw fetch with the bearer token */
  raw(method: string, p: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: { get(name: string): string | null }; text: string; json: any }>;
  admin(method: string, p: string, body?: unknown): Promise<any>;
  stop(): Promise<void>;
}

export async function twinEnv(opts: Partial<KubeTwinOptions> = {}, contract = false): Promise<Env> {
  const kc = new KubeConfig();
  let twin: KubeTwin | undefined;
  let dir: string | undefined;
  if (contract && CONTRACT) kc.loadFromFile(CONTRACT);
  else {
    dir = mkdtempSync(path.join(os.tmpdir(), "kube-twin-"));
    twin = await startKubeTwin({ stateDir: dir, speed: 50, ...opts });
    kc.loadFromFile(twin.kubeconfigPath);
  }
  const cluster = kc.getCurrentCluster()!;
  const user = kc.getCurrentUser()!;
  const token = (user as { token?: string }).token ?? "";
  const raw: Env["raw"] = async (method, p, body, headers = {}) => {
    const r = await kubeFetch(cluster.server + p, {
      ca: cluster.caData ? Buffer.from(cluster.caData, "base64").toString("utf8") : undefined,
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await r.text();
    let json: unknown;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, headers: r.headers, text, json };
  };
  return {
    kc, url: cluster.server, token, twin,
    core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), batch: kc.makeApiClient(BatchV1Api), objects: KubernetesObjectApi.makeApiClient(kc),
    raw,
    async admin(method, p, body) {
      const r = await kubeFetch(cluster.server + p, { method, headers: { "x-twin-admin": twin!.adminToken, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      return r.json();
    },
    async stop() { await twin?.stop(); if (dir) rmSync(dir, { recursive: true, force: true }); },
  };
}

export function statusOf(e: unknown): any {
  if (!(e instanceof ApiException)) throw e;
  const b = e.body;
  return typeof b === "string" ? JSON.parse(b) : b;
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | false | null>, timeoutMs = 8000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

export const plain = <T>(o: T): any => JSON.parse(JSON.stringify(o));
