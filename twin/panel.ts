// The demo's fault panel: one small page, served by the twin (never by dnsdeck), that breaks the homelab on purpose.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { DnsTwin } from "./dns";
import type { TechnitiumTwin } from "./technitium";
import { kubeFetch } from "./kube/https-fetch";
import { PUBLIC_IP, setPublicIp } from "./dns/public";

interface Toggle {
  id: string;
  group: string;
  label: string;
  on(): Promise<void>;
  off(): Promise<void>;
}

export interface PanelDeps {
  kubeUrl: string;
  kubeAdminToken: string;
  technitium: TechnitiumTwin;
  dns: DnsTwin;
}

export function panelToggles(d: PanelDeps): Toggle[] {
  const kubeFault = (id: string, fault: object): Pick<Toggle, "on" | "off"> => ({
    on: async () => {
      await kubeFetch(`${d.kubeUrl}/_twin/faults`, { method: "POST", headers: { "x-twin-admin": d.kubeAdminToken, "content-type": "application/json" }, body: JSON.stringify({ id, ...fault }) });
    },
    off: async () => {
      await kubeFetch(`${d.kubeUrl}/_twin/faults?id=${id}`, { method: "DELETE", headers: { "x-twin-admin": d.kubeAdminToken } });
    },
  });
  const tech = (instance: "primary" | "secondary" | "tertiary", fault: object): Pick<Toggle, "on" | "off"> => ({
    on: () => d.technitium.setFault(instance, fault),
    off: () => d.technitium.setFault(instance, null),
  });
  const hop = (name: string, fault: object): Pick<Toggle, "on" | "off"> => ({
    on: async () => d.dns.setFault(name, fault),
    off: async () => d.dns.setFault(name, null),
  });
  return [
    { id: "node3-notready", group: "Kubernetes", label: "k8s-node3 NotReady", ...kubeFault("panel-node3", { kind: "nodeNotReady", node: "k8s-node3" }) },
    { id: "nodecache-pull", group: "Kubernetes", label: "node-cache image never pulls", ...kubeFault("panel-pull", { kind: "imagePull", image: "k8s-dns-node-cache" }) },
    // the stack's CronJobs run alpine: a Job started now stays unfinished (ImagePullBackOff) until this is switched off
    { id: "cronjob-pull", group: "Kubernetes", label: "CronJob image (alpine) never pulls", ...kubeFault("panel-cronjob-pull", { kind: "imagePull", image: "alpine:" }) },
    { id: "api-500-ds", group: "Kubernetes", label: "API 500 on DaemonSet writes", ...kubeFault("panel-500", { kind: "api", path: "/daemonsets", method: "PATCH", status: 500 }) },
    { id: "api-429-cm", group: "Kubernetes", label: "API 429 on ConfigMaps", ...kubeFault("panel-429", { kind: "api", path: "/configmaps", status: 429, retryAfter: 2 }) },
    { id: "tech-secondary-down", group: "Technitium", label: "secondary down", ...tech("secondary", { down: true }) },
    { id: "tech-tertiary-slow", group: "Technitium", label: "tertiary slow (4 s)", ...tech("tertiary", { delayMs: 4000 }) },
    { id: "tech-tertiary-errors", group: "Technitium", label: "tertiary zone API errors", ...tech("tertiary", { errorPath: "zones/", errorMessage: "Simulated failure from the twin." }) },
    { id: "tech-primary-token", group: "Technitium", label: "primary refuses tokens", ...tech("primary", { tokenInvalid: true }) },
    { id: "isp-new-public-ip", group: "DNS", label: "ISP changed the public IP (176.12.22.99)", on: async () => setPublicIp("176.12.22.99"), off: async () => setPublicIp(PUBLIC_IP) },
    { id: "dns-upstream-drop", group: "DNS", label: "public upstream drops packets", ...hop("upstream", { drop: true }) },
    { id: "dns-pfsense-drop", group: "DNS", label: "pfSense drops packets", ...hop("pfsense", { drop: true }) },
    { id: "dns-coredns-slow", group: "DNS", label: "CoreDNS pods slow (800 ms)", ...hop("coredns", { delayMs: 800 }) },
    { id: "dns-tech-internal-drop", group: "DNS", label: "Technitium ClusterIP drops packets", ...hop("technitium-internal", { drop: true }) },
    { id: "dns-nodelocal-node2-drop", group: "DNS", label: "NodeLocal on k8s-node2 drops packets", ...hop("nodelocal:k8s-node2", { drop: true }) },
  ];
}

export async function startPanel(d: PanelDeps, port = 0): Promise<{ url: string; stop(): Promise<void> }> {
  const toggles = panelToggles(d);
  const active = new Set<string>();
  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? "/", "http://panel");
    if (req.method === "POST" && u.pathname === "/toggle") {
      const t = toggles.find((x) => x.id === u.searchParams.get("id"));
      if (t) {
        if (active.has(t.id)) {
          await t.off();
          active.delete(t.id);
        } else {
          await t.on();
          active.add(t.id);
        }
      }
      res.writeHead(303, { location: "/" }).end();
      return;
    }
    if (req.method === "POST" && u.pathname === "/clear") {
      for (const t of toggles) if (active.has(t.id)) await t.off();
      active.clear();
      res.writeHead(303, { location: "/" }).end();
      return;
    }
    if (u.pathname === "/api/faults") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(toggles.map((t) => ({ id: t.id, group: t.group, label: t.label, active: active.has(t.id) }))));
      return;
    }
    const groups = [...new Set(toggles.map((t) => t.group))];
    const html = `<!doctype html><meta charset="utf-8"><title>twin faults</title>
<style>body{font:14px system-ui;background:#0f1419;color:#e3e8ef;margin:24px}h1{font-size:18px}fieldset{border:1px solid #2a3441;border-radius:8px;margin:0 0 12px;padding:10px 14px}
button{font:inherit;border-radius:6px;border:1px solid #2a3441;background:#1d2530;color:#e3e8ef;padding:5px 10px;margin:3px;cursor:pointer}button.on{background:#5c1f1f;border-color:#883030}</style>
<h1>Homelab twin — faults on demand</h1><p>Break the twin on purpose and watch dnsdeck notice. Red = active.</p>
${groups
  .map(
    (g) =>
      `<fieldset><legend>${g}</legend>${toggles
        .filter((t) => t.group === g)
        .map((t) => `<form method="post" action="/toggle?id=${t.id}" style="display:inline"><button class="${active.has(t.id) ? "on" : ""}">${t.label}</button></form>`)
        .join("")}</fieldset>`,
  )
  .join("")}
<form method="post" action="/clear"><button>Clear every fault</button></form>`;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
