// Production entry point: `node server/start.mjs` (the Docker image runs this beside the standalone build).
//
// Next.js keeps a client-supplied X-Forwarded-For, so it cannot tell who really connected. Before Next sees a
// request, this wrapper records the TCP peer address in x-dnsdeck-peer, overwriting anything a client sent; the
// identity check trusts Authentik's headers only when that peer is in TRUSTED_PROXY_CIDRS.
import http from "node:http";
import path from "node:path";
import { existsSync } from "node:fs";

const createServer = http.createServer;
http.createServer = function patchedCreateServer(...args) {
  const server = createServer.apply(this, args);
  server.prependListener("request", (req) => {
    req.headers["x-dnsdeck-peer"] = req.socket.remoteAddress ?? "";
  });
  return server;
};

const root = process.env.DNSDECK_ROOT ?? path.resolve(import.meta.dirname, "..");
const dist = process.env.NEXT_DIST_DIR || ".next";
const standalone = [path.join(root, dist, "standalone", "server.js"), path.join(root, "server.js")].find((p) => existsSync(p));
if (!standalone) {
  console.error("dnsdeck: no standalone build found; run `npm run build` first");
  process.exit(1);
}
process.env.HOSTNAME ??= "0.0.0.0";
await import(standalone);
