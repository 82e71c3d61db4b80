// HTTP layer of the Kubernetes API twin: routing, auth, discovery, list/watch, logs, admin endpoints, API faults.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { Api } from "./api";
import { badRequest, expired, forbidden, methodNotAllowed, notFound, pathNotFound, StatusError, unauthorized } from "./errors";
import type { Faults } from "./faults";
import { apiGroupList, apiResourceList, findResource, gv, res, storeKey, type ResourceDef } from "./resources";
import { checkFieldSelector, matchFields, matchLabels, matchSelectorObj, parseFieldSelector, parseLabelSelector } from "./selectors";
import type { HistEvent } from "./store";
import { toTable, wantsTable } from "./tables";
import { parseFieldValidation } from "./fields";
import { openapiDocument, openapiIndex } from "./openapi";
import { clone, type Obj } from "./util";

export interface LogSource {
  /** Lines for a container; throws StatusError (400/404) like the kubelet would. */
  logLines(ns: string, pod: string, container: string | undefined, previous: boolean): { lines: { t: number; text: string }[]; follow?: (cb: (l: { t: number; text: string }) => void, end: () => void) => () => void };
}

export interface ServerCtx {
  /** Serving certificate and key (PEM): the API server speaks HTTPS only, like kube-apiserver. */
  tls: { cert: string; key: string };
  api: Api;
  faults: Faults;
  token: string;
  adminToken: string;
  logs: LogSource;
  speed: number;
  admin?: (path: string, method: string, body: unknown) => unknown;
}

const VERSION = {
  major: "1", minor: "32", gitVersion: "v1.32.4", gitCommit: "59526cd4867447956156ae3a602fcbac10a2c335", gitTreeState: "clean",
  buildDate: "2025-04-22T16:02:27Z", goVersion: "go1.23.6", compiler: "gc", platform: "linux/amd64",
};

export function createKubeServer(ctx: ServerCtx): Server {
  const openStreams = new Set<ServerResponse>();
  const server = createServer({ cert: ctx.tls.cert, key: ctx.tls.key }, (req, resp) => {
    handle(ctx, req, resp, openStreams).catch((e) => {
      const se = e instanceof StatusError ? e : new StatusError(500, "InternalError", `Internal error occurred: ${(e as Error).message}`, { causes: [{ reason: "UnexpectedServerError", message: String((e as Error).stack ?? e) }] });
      if (!resp.headersSent) sendStatus(resp, se);
      else resp.end();
    });
  });
  server.on("close", () => { for (const s of openStreams) s.end(); });
  (server as Server & { closeStreams?: () => void }).closeStreams = () => { for (const s of openStreams) s.destroy(); };
  return server as unknown as Server;
}

function sendJson(resp: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) {
  const data = JSON.stringify(body);
  resp.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data), "Cache-Control": "no-cache, private", "Audit-Id": crypto.randomUUID(), ...headers });
  resp.end(data);
}
function sendStatus(resp: ServerResponse, e: StatusError) {
  sendJson(resp, e.code, e.toStatus(), e.headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function handle(ctx: ServerCtx, req: IncomingMessage, resp: ServerResponse, streams: Set<ServerResponse>) {
  const url = new URL(req.url ?? "/", "http://twin");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const method = (req.method ?? "GET").toUpperCase();
  const q = url.searchParams;

  // ---- admin endpoints (own token) ----
  if (path.startsWith("/_twin")) {
    if (req.headers["x-twin-admin"] !== ctx.adminToken) return sendStatus(resp, unauthorized());
    const raw = await readBody(req);
    let body: unknown;
    try { body = raw ? JSON.parse(raw) : undefined; } catch { return sendStatus(resp, badRequest("invalid JSON")); }
    if (path === "/_twin/faults") {
      if (method === "GET") return sendJson(resp, 200, { faults: ctx.faults.list });
      if (method === "POST") {
        try {
          const list = Array.isArray(body) ? body : [body];
          const added = list.map((f) => ctx.faults.add(f as never));
          return sendJson(resp, 201, { faults: added });
        } catch (e) { return sendStatus(resp, badRequest((e as Error).message)); }
      }
      if (method === "DELETE") { ctx.faults.remove(q.get("id") ?? undefined); return sendJson(resp, 200, { faults: ctx.faults.list }); }
      return sendStatus(resp, methodNotAllowed());
    }
    if (path.startsWith("/_twin/faults/") && method === "DELETE") { ctx.faults.remove(decodeURIComponent(path.slice("/_twin/faults/".length))); return sendJson(resp, 200, { faults: ctx.faults.list }); }
    if (path === "/_twin/compact" && method === "POST") { ctx.api.store.compact(); return sendJson(resp, 200, { compactedResourceVersion: String(ctx.api.store.compactedRv) }); }
    if (ctx.admin) {
      const out = ctx.admin(path, method, body);
      if (out !== undefined) return sendJson(resp, 200, out);
    }
    return sendStatus(resp, pathNotFound());
  }

  // ---- health endpoints are anonymous on a kubeadm cluster ----
  if (["/healthz", "/livez", "/readyz"].includes(path)) { resp.writeHead(200, { "Content-Type": "text/plain" }); return resp.end("ok"); }

  // ---- authentication ----
  const auth = req.headers.authorization ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(auth);
  if (!m || (m[1] !== ctx.token && m[1] !== ctx.adminToken)) return sendStatus(resp, unauthorized());

  // ---- injected API faults ----
  const f = ctx.faults.apiFault(method, url.pathname + url.search);
  if (f && f.kind === "api") {
    if (f.status === "timeout") {
      await new Promise<void>((r) => { const t = setTimeout(r, f.delayMs ?? 60000); req.socket.once("close", () => { clearTimeout(t); r(); }); });
      if (resp.destroyed || req.socket.destroyed) return;
      return sendStatus(resp, new StatusError(504, "Timeout", "Timeout: request did not complete within requested timeout - context deadline exceeded", { retryAfterSeconds: 1 } as never));
    }
    if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
    if (f.status === 429) return sendStatus(resp, new StatusError(429, "TooManyRequests", f.message ?? "Too many requests, please try again later.", { retryAfterSeconds: f.retryAfter ?? 1 } as never, { "Retry-After": String(f.retryAfter ?? 1) }));
    if (f.status === 503) return sendStatus(resp, new StatusError(503, "ServiceUnavailable", f.message ?? "the server is currently unable to handle the request"));
    if (f.status === 403) {
      const r = routeResource(path);
      if (r) return sendStatus(resp, forbidden(r.r, r.name ?? "", verbOf(method, q, r.name), r.ns));
      return sendStatus(resp, new StatusError(403, "Forbidden", f.message ?? "forbidden"));
    }
    return sendStatus(resp, new StatusError(500, "InternalError", f.message ?? "Internal error occurred: etcdserver: request timed out", { causes: [{ reason: "UnexpectedServerError", message: "etcdserver: request timed out" }] } as never));
  }

  // ---- discovery ----
  if (path === "/version") return sendJson(resp, 200, VERSION);
  if (path === "/openapi/v3") return sendJson(resp, 200, openapiIndex());
  if (path.startsWith("/openapi/v3/")) {
    const doc = openapiDocument(path.slice("/openapi/v3/".length));
    return doc ? sendJson(resp, 200, doc) : sendStatus(resp, pathNotFound());
  }
  if (path === "/api") return sendJson(resp, 200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: req.headers.host ?? "127.0.0.1" }] });
  if (path === "/apis") return sendJson(resp, 200, apiGroupList());
  if (path === "/api/v1") return sendJson(resp, 200, apiResourceList("", "v1"));
  const gm = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (gm) {
    const l = apiResourceList(gm[1], gm[2]);
    if (!l.resources.length) return sendStatus(resp, pathNotFound());
    return sendJson(resp, 200, l);
  }
  const gOnly = /^\/apis\/([^/]+)$/.exec(path);
  if (gOnly) {
    const g = apiGroupList().groups.find((x) => x.name === gOnly[1]);
    if (!g) return sendStatus(resp, pathNotFound());
    return sendJson(resp, 200, { kind: "APIGroup", apiVersion: "v1", ...g });
  }

  // ---- resources ----
  const route = routeResource(path);
  if (!route) return sendStatus(resp, pathNotFound());
  const { r, ns, name, sub } = route;
  const dryRun = q.get("dryRun");
  if (dryRun && dryRun !== "All") return sendStatus(resp, badRequest(`Invalid dry run value: ${dryRun}`));
  const fv = parseFieldValidation(q.get("fieldValidation"));
  if (typeof fv === "object") return sendStatus(resp, badRequest(fv.error));
  const warnings: string[] = [];
  const wopts = {
    fieldValidation: fv,
    warnings,
    dryRun: dryRun === "All",
    fieldManager: q.get("fieldManager") ?? undefined,
    force: q.has("force") ? q.get("force") === "true" : undefined,
    userAgent: req.headers["user-agent"],
    subresource: sub === "status" || sub === "scale" ? sub : undefined,
  } as const;
  if (sub && !(sub === "status" && r.status) && !((sub === "log" || sub === "eviction") && r.plural === "pods") && !(sub === "scale" && (r.subresources ?? []).includes("scale"))) return sendStatus(resp, pathNotFound());
  if (wopts.fieldManager !== undefined && (wopts.fieldManager.length > 128 || /[^\x20-\x7e]/.test(wopts.fieldManager)))
    return sendStatus(resp, new StatusError(422, "Invalid", `fieldManager: Invalid value: ${JSON.stringify(wopts.fieldManager)}: must be no more than 128 characters`));

  if (sub === "log") {
    if (method !== "GET") return sendStatus(resp, methodNotAllowed());
    return streamLogs(ctx, req, resp, ns!, name!, q, streams);
  }
  if (sub === "eviction") {
    if (method !== "POST") return sendStatus(resp, methodNotAllowed());
    return evict(ctx, resp, ns!, name!, await readBody(req), wopts.dryRun);
  }
  if (sub === "scale") return handleScale(ctx, resp, method, r, ns, name!, await readBody(req), wopts);

  const table = wantsTable(req.headers.accept) ? { includeObject: q.get("includeObject") ?? undefined } : undefined;
  if (method === "GET" && name) {
    const o = ctx.api.get(r, ns, name);
    return sendJson(resp, 200, table ? toTable(r, [o], String(o.metadata.resourceVersion ?? ctx.api.store.rv), table) : o);
  }
  if (method === "GET") {
    const ls = parseLabelSelector(q.get("labelSelector"));
    const fs = parseFieldSelector(q.get("fieldSelector"));
    checkFieldSelector(fs, r.plural);
    if (ns) { const n = ctx.api.store.get(res("namespaces"), undefined, ns); void n; }
    if (q.get("watch") === "true" || q.get("watch") === "1") return watch(ctx, req, resp, r, ns, ls, fs, q, streams, table);
    let items = ctx.api.store.list(r, ns).filter((o) => matchLabels(ls, o.metadata.labels) && matchFields(fs, o));
    const limit = Number(q.get("limit") ?? 0);
    let cont: string | undefined;
    let remaining: number | undefined;
    const start = q.get("continue") ? decodeContinue(q.get("continue")!, ctx) : 0;
    items = items.slice(start);
    if (limit > 0 && items.length > limit) {
      remaining = items.length - limit;
      items = items.slice(0, limit);
      cont = Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: ctx.api.store.rv, start: start + limit })).toString("base64");
    }
    if (table) return sendJson(resp, 200, toTable(r, items, String(ctx.api.store.rv), { ...table, continueToken: cont }));
    return sendJson(resp, 200, {
      kind: `${r.kind}List`,
      apiVersion: gv(r),
      metadata: { resourceVersion: String(ctx.api.store.rv), ...(cont ? { continue: cont, remainingItemCount: remaining } : {}) },
      items: items.map((o) => { const c = clone(o); delete c.apiVersion; delete c.kind; return c; }),
    });
  }
  // unknown fields dropped under fieldValidation=Warn come back as Warning headers (kubectl prints "Warning: …")
  const warn = (): Record<string, string> => (warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ") } : {});
  const raw = await readBody(req);
  const parse = () => { try { return raw ? JSON.parse(raw) : {}; } catch (e) { throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`); } };
  if (method === "POST" && !name) {
    const out = ctx.api.create(r, ns, parse(), wopts);
    return sendJson(resp, 201, out, warn());
  }
  if (method === "PUT" && name) {
    const out = ctx.api.update(r, ns, name, parse(), wopts);
    return sendJson(resp, 200, out, warn());
  }
  if (method === "PATCH" && name) {
    const existed = !!ctx.api.store.get(r, ns, name);
    const out = ctx.api.patch(r, ns, name, String(req.headers["content-type"] ?? ""), raw, wopts);
    return sendJson(resp, existed ? 200 : 201, out, warn());
  }
  if (method === "DELETE" && name) {
    const opts = raw ? parse() : {};
    const out = ctx.api.delete(r, ns, name, {
      dryRun: wopts.dryRun || (opts.dryRun ?? []).includes("All"),
      propagationPolicy: q.get("propagationPolicy") ?? opts.propagationPolicy,
      gracePeriodSeconds: q.has("gracePeriodSeconds") ? Number(q.get("gracePeriodSeconds")) : opts.gracePeriodSeconds,
      preconditions: opts.preconditions,
      orphanDependents: q.get("orphanDependents") === "true" || opts.orphanDependents,
    });
    return sendJson(resp, out.kind === "Status" ? 200 : out.metadata?.finalizers?.includes("foregroundDeletion") ? 202 : 200, out);
  }
  if (method === "DELETE" && !name) {
    const ls = parseLabelSelector(q.get("labelSelector"));
    const fs = parseFieldSelector(q.get("fieldSelector"));
    const items = ctx.api.store.list(r, ns).filter((o) => matchLabels(ls, o.metadata.labels) && matchFields(fs, o));
    if (!wopts.dryRun) for (const o of items) ctx.api.delete(r, o.metadata.namespace, o.metadata.name, { propagationPolicy: q.get("propagationPolicy") ?? undefined });
    return sendJson(resp, 200, { kind: `${r.kind}List`, apiVersion: gv(r), metadata: { resourceVersion: String(ctx.api.store.rv) }, items });
  }
  return sendStatus(resp, methodNotAllowed());
}

function verbOf(method: string, q: URLSearchParams, name?: string) {
  if (method === "GET") return name ? "get" : q.get("watch") ? "watch" : "list";
  return ({ POST: "create", PUT: "update", PATCH: "patch", DELETE: name ? "delete" : "deletecollection" } as Record<string, string>)[method] ?? method.toLowerCase();
}

function decodeContinue(tok: string, ctx: ServerCtx): number {
  try {
    const d = JSON.parse(Buffer.from(tok, "base64").toString("utf8"));
    if (d.rv < ctx.api.store.compactedRv) throw expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
    return Number(d.start) || 0;
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw badRequest("continue key is not valid: illegal base64 data");
  }
}

export function routeResource(path: string): { r: ResourceDef; ns?: string; name?: string; sub?: string } | undefined {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  let group = "", version: string, rest: string[];
  if (parts[0] === "api") { version = parts[1]; rest = parts.slice(2); }
  else if (parts[0] === "apis") { group = parts[1]; version = parts[2]; rest = parts.slice(3); }
  else return undefined;
  if (!version) return undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const r = findResource(group, version, rest[2]);
    if (r && r.namespaced) return rest.length > 5 ? undefined : { r, ns: rest[1], name: rest[3], sub: rest[4] };
  }
  const r = findResource(group, version, rest[0]);
  if (!r) return undefined;
  if (r.namespaced && rest.length > 1) return undefined;
  if (rest.length > 3) return undefined;
  return { r, name: rest[1], sub: rest[2] };
}

// ---------------------------------------------------------------------------------------------------- watch
function watch(ctx: ServerCtx, req: IncomingMessage, resp: ServerResponse, r: ResourceDef, ns: string | undefined, ls: ReturnType<typeof parseLabelSelector>, fs: ReturnType<typeof parseFieldSelector>, q: URLSearchParams, streams: Set<ServerResponse>, table?: { includeObject?: string }) {
  const store = ctx.api.store;
  const rvParam = q.get("resourceVersion");
  resp.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  resp.flushHeaders();
  streams.add(resp);
  let first = true;
  const write = (type: string, obj: Obj) => {
    if (resp.writableEnded) return;
    // kubectl get -w asks for Tables: each event carries a one-row Table (column definitions on the first only)
    const out = table && type !== "ERROR" && type !== "BOOKMARK" ? toTable(r, [obj], String(obj.metadata?.resourceVersion ?? store.rv), { ...table, withColumns: first }) : obj;
    if (out !== obj) first = false;
    resp.write(JSON.stringify({ type, object: out }) + "\n");
  };
  const matches = (o: Obj | undefined) => !!o && matchLabels(ls, o.metadata.labels) && matchFields(fs, o);
  const deliver = (ev: HistEvent) => {
    const now = matches(ev.obj), before = matches(ev.prev);
    if (ev.type === "ADDED") { if (now) write("ADDED", ev.obj); return; }
    if (ev.type === "DELETED") { if (now) write("DELETED", ev.obj); return; }
    if (now && before) write("MODIFIED", ev.obj);
    else if (now && !before) write("ADDED", ev.obj);
    else if (!now && before) write("DELETED", ev.obj);
  };
  let lastRv = store.rv;
  if (!rvParam || rvParam === "0") {
    for (const o of store.list(r, ns)) if (matches(o)) write("ADDED", o);
  } else {
    const n = Number(rvParam);
    if (!Number.isFinite(n)) { write("ERROR", new StatusError(400, "BadRequest", `invalid resource version: ${rvParam}`).toStatus()); streams.delete(resp); return resp.end(); }
    if (n < store.compactedRv) {
      write("ERROR", expired(`too old resource version: ${n} (${store.compactedRv + 1})`).toStatus());
      streams.delete(resp);
      return resp.end();
    }
    for (const ev of store.eventsSince(storeKey(r), n, ns)) deliver(ev);
  }
  const w = { key: storeKey(r), ns, fn: (ev: HistEvent) => { lastRv = ev.rv; deliver(ev); } };
  store.watchers.add(w);
  let bm: NodeJS.Timeout | undefined;
  if (q.get("allowWatchBookmarks") === "true") {
    bm = setInterval(() => write("BOOKMARK", { kind: r.kind, apiVersion: gv(r), metadata: { resourceVersion: String(Math.max(lastRv, store.rv)) } }), Math.max(200, 10000 / ctx.speed));
  }
  const ts = Number(q.get("timeoutSeconds") ?? 0);
  const timer = ts > 0 ? setTimeout(() => done(), ts * 1000) : undefined;
  const done = () => {
    store.watchers.delete(w);
    if (bm) clearInterval(bm);
    if (timer) clearTimeout(timer);
    streams.delete(resp);
    if (!resp.writableEnded) resp.end();
  };
  req.on("close", done);
  resp.on("close", done);
}

// ---------------------------------------------------------------------------------------------------- logs
function streamLogs(ctx: ServerCtx, req: IncomingMessage, resp: ServerResponse, ns: string, name: string, q: URLSearchParams, streams: Set<ServerResponse>) {
  const pod = ctx.api.store.get(res("pods"), ns, name);
  if (!pod) throw notFound(res("pods"), name);
  const { lines, follow } = ctx.logs.logLines(ns, name, q.get("container") ?? undefined, q.get("previous") === "true");
  const timestamps = q.get("timestamps") === "true";
  const fmt = (l: { t: number; text: string }) => (timestamps ? new Date(l.t).toISOString().replace("Z", "000000Z").replace(/\.(\d{3})000000Z$/, ".$1000000Z") + " " : "") + l.text + "\n";
  let sel = lines;
  if (q.get("sinceSeconds")) { const since = Date.now() - Number(q.get("sinceSeconds")) * 1000; sel = sel.filter((l) => l.t >= since); }
  if (q.get("sinceTime")) { const since = Date.parse(q.get("sinceTime")!); sel = sel.filter((l) => l.t >= since); }
  if (q.get("tailLines")) sel = sel.slice(-Math.max(0, Number(q.get("tailLines"))));
  let out = sel.map(fmt).join("");
  if (q.get("limitBytes")) out = out.slice(0, Number(q.get("limitBytes")));
  resp.writeHead(200, { "Content-Type": "text/plain", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  resp.write(out);
  if (q.get("follow") !== "true" || !follow) return resp.end();
  streams.add(resp);
  const stop = follow((l) => { if (!resp.writableEnded) resp.write(fmt(l)); }, () => { streams.delete(resp); if (!resp.writableEnded) resp.end(); });
  req.on("close", () => { stop(); streams.delete(resp); });
}

// ---------------------------------------------------------------------------------------------------- scale
function handleScale(ctx: ServerCtx, resp: ServerResponse, method: string, r: ResourceDef, ns: string | undefined, name: string, raw: string, wopts: { dryRun: boolean; fieldManager?: string }) {
  const o = ctx.api.get(r, ns, name);
  const scale = (x: Obj) => ({
    kind: "Scale", apiVersion: "autoscaling/v1",
    metadata: { name, namespace: ns, uid: x.metadata.uid, resourceVersion: x.metadata.resourceVersion, creationTimestamp: x.metadata.creationTimestamp },
    spec: { replicas: x.spec.replicas }, status: { replicas: x.status?.replicas ?? 0, selector: Object.entries(x.spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",") },
  });
  if (method === "GET") return sendJson(resp, 200, scale(o));
  if (method === "PUT" || method === "PATCH") {
    const body = raw ? JSON.parse(raw) : {};
    const replicas = body.spec?.replicas;
    if (typeof replicas !== "number") throw badRequest("spec.replicas is required");
    const out = ctx.api.patch(r, ns, name, "application/merge-patch+json", { spec: { replicas } }, { dryRun: wopts.dryRun, fieldManager: wopts.fieldManager });
    return sendJson(resp, 200, scale(out));
  }
  throw methodNotAllowed();
}

// ---------------------------------------------------------------------------------------------------- eviction
function evict(ctx: ServerCtx, resp: ServerResponse, ns: string, name: string, raw: string, dryRun: boolean) {
  const pod = ctx.api.get(res("pods"), ns, name);
  let body: Obj = {};
  try { body = raw ? JSON.parse(raw) : {}; } catch { throw badRequest("invalid Eviction body"); }
  const healthy = (pod.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");
  const pdbR = res("poddisruptionbudgets", "policy");
  const pdbs = ctx.api.store.list(pdbR, ns).filter((p) => matchSelectorObj(p.spec?.selector ?? {}, pod.metadata.labels));
  if (pdbs.length > 1) throw new StatusError(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
  const pdb = pdbs[0];
  if (pdb && healthy && !pod.metadata.deletionTimestamp) {
    const allowed = pdb.status?.disruptionsAllowed ?? 0;
    if (allowed <= 0) {
      throw new StatusError(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.", {
        causes: [{ reason: "DisruptionBudget", message: `The disruption budget ${pdb.metadata.name} needs ${pdb.status?.desiredHealthy ?? 0} healthy pods and has ${pdb.status?.currentHealthy ?? 0} currently` }],
      });
    }
    if (!dryRun) ctx.api.writeStatus(pdbR, pdb, { ...pdb.status, disruptionsAllowed: allowed - 1, disruptedPods: { ...(pdb.status?.disruptedPods ?? {}), [name]: new Date().toISOString().replace(/\.\d+Z$/, "Z") } }, "kube-apiserver");
  }
  if (!dryRun) ctx.api.delete(res("pods"), ns, name, { gracePeriodSeconds: body.deleteOptions?.gracePeriodSeconds, preconditions: body.deleteOptions?.preconditions });
  return sendJson(resp, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
}
