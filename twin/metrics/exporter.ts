/**
 * One `/metrics` HTTP endpoint per CoreDNS pod and per NodeLocal node, on the loopback stand-in of its address
 * (pod 10.244.1.5 → 127.244.1.5, node 10.0.20.101 → 127.0.20.101) and one shared port, plus Prometheus file_sd target
 * files that follow the endpoints as pods come and go — what Kubernetes service discovery gives the homelab's
 * Prometheus. Each target carries `instance` as the real address (`10.244.1.5:9153`, `10.0.20.101:9253`), `pod`,
 * `namespace` and `node`, so queries read like the cluster's.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";

export interface EndpointSpec {
  /** scrape job: "coredns", "node-local-dns" or "kube-state-metrics" */
  job: string;
  /** loopback address to listen on */
  host: string;
  /** the real address shown as `instance` */
  instance: string;
  labels: Record<string, string>;
  render: () => string;
}

interface Endpoint extends EndpointSpec {
  server: http.Server;
}

export class MetricsExporter {
  private endpoints = new Map<string, Endpoint>();
  private stopped = false;

  constructor(
    readonly port: number,
    readonly targetsDir: string,
    readonly jobs: string[],
  ) {
    mkdirSync(targetsDir, { recursive: true });
    for (const j of jobs) this.writeTargets(j);
  }

  targetsFile(job: string): string {
    return path.join(this.targetsDir, `targets-${job}.json`);
  }

  /** Listen for `key` (idempotent; a changed spec replaces the renderer and labels). */
  async ensure(key: string, spec: EndpointSpec): Promise<void> {
    const cur = this.endpoints.get(key);
    if (cur && cur.host === spec.host) {
      const changed = JSON.stringify(cur.labels) !== JSON.stringify(spec.labels) || cur.instance !== spec.instance;
      Object.assign(cur, { render: spec.render, labels: spec.labels, instance: spec.instance });
      if (changed) this.writeTargets(spec.job);
      return;
    }
    if (cur) await this.remove(key);
    if (this.stopped) return;
    const ep: Endpoint = { ...spec, server: http.createServer() };
    ep.server.on("request", (req, res) => {
      if (req.url?.split("?")[0] !== "/metrics") {
        res.writeHead(404).end("404 page not found\n");
        return;
      }
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(ep.render());
    });
    await new Promise<void>((resolve, reject) => {
      ep.server.once("error", reject);
      ep.server.listen(this.port, spec.host, () => resolve());
    });
    this.endpoints.set(key, ep);
    this.writeTargets(spec.job);
  }

  async remove(key: string): Promise<void> {
    const ep = this.endpoints.get(key);
    if (!ep) return;
    this.endpoints.delete(key);
    await new Promise<void>((r) => ep.server.close(() => r()));
    ep.server.closeAllConnections?.();
    this.writeTargets(ep.job);
  }

  keys(): string[] {
    return [...this.endpoints.keys()];
  }

  /** Write atomically so Prometheus never reads half a file. */
  private writeTargets(job: string): void {
    if (this.stopped || !this.jobs.includes(job)) return;
    const groups = [...this.endpoints.values()]
      .filter((e) => e.job === job)
      .map((e) => ({ targets: [`${e.host}:${this.port}`], labels: { instance: e.instance, ...e.labels } }));
    const file = this.targetsFile(job);
    writeFileSync(`${file}.tmp`, JSON.stringify(groups, null, 1));
    renameSync(`${file}.tmp`, file);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const ep of this.endpoints.values()) {
      ep.server.closeAllConnections?.();
      await new Promise<void>((r) => ep.server.close(() => r()));
    }
    this.endpoints.clear();
  }
}
