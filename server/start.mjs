// Production entry point: `npm start` = `node server/start.mjs` (the Docker image runs this beside the standalone build).
//
// Next.js keeps a client-supplied X-Forwarded-For and any header a client sends, so it cannot tell who really
// connected. Before Next sees a request this wrapper:
//   1. deletes every client-sent `x-dnsdeck-*` header, then records the TCP peer in `x-dnsdeck-peer` together with
//      `x-dnsdeck-peer-proof`, a secret made fresh for this process (also put in DNSDECK_PEER_PROOF before Next
//      loads). The identity check trusts a peer only with that proof, so under any other start path — or with a
//      copied header — nobody is trusted (401), and Authentik's headers count only from TRUSTED_PROXY_CIDRS;
//   2. refuses a body over DNSDECK_MAX_BODY_BYTES (default 1 MiB) with 413 before Next buffers it: at once for a
//      declared Content-Length, and while streaming for a chunked body;
//   3. refuses posts to pages that are cross-site, not server actions, or malformed (bad Next-Action id, a body that
//      is not plain JSON arguments) with a clear 403/400 and an audit row — they are rerouted to /api/v1/refused —
//      where Next would answer a bare 500. A server action's body is held (bounded), checked, then handed on whole.
import http from "node:http";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";

const PROOF = randomBytes(32).toString("hex");
process.env.DNSDECK_PEER_PROOF = PROOF;
const configured = Number(process.env.DNSDECK_MAX_BODY_BYTES);
const LIMIT = Number.isInteger(configured) && configured > 0 ? configured : 1_048_576;
const REFUSED_PATH = "/api/v1/refused";

function stripOwnHeaders(req) {
  for (const name of Object.keys(req.headers)) if (name.startsWith("x-dnsdeck-")) delete req.headers[name];
  const raw = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (!req.rawHeaders[i].toLowerCase().startsWith("x-dnsdeck-")) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  req.rawHeaders.splice(0, req.rawHeaders.length, ...raw);
}

function setHeader(req, name, value) {
  req.headers[name] = value;
  req.rawHeaders.push(name, value);
}

/** Answer ourselves and make Next's later writes to this response no-ops (it may still be running). */
function answer(res, status, message) {
  if (!res.headersSent) {
    const body = JSON.stringify({ error: { code: status === 413 ? "payload_too_large" : "bad_request", message } });
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close", "cache-control": "no-store" });
    res.end(body);
  }
  for (const m of ["writeHead", "setHeader", "removeHeader", "appendHeader", "write", "end", "flushHeaders", "writeContinue", "writeEarlyHints"]) {
    res[m] = function noop(...args) {
      const cb = args.find((a) => typeof a === "function");
      if (cb) process.nextTick(cb);
      return m === "write" ? true : this;
    };
  }
}

const tooLarge = `the request body is larger than ${Math.round(LIMIT / 1024)} KiB; nothing was read or done`;

/** Count a streamed body as it arrives; past the limit, answer 413 and drop the connection before Next reads more. */
function boundStreamedBody(req, res) {
  let seen = 0;
  const push = req.push;
  req.push = function boundedPush(chunk, ...rest) {
    if (chunk) {
      seen += chunk.length;
      if (seen > LIMIT) {
        req.push = () => false;
        answer(res, 413, tooLarge);
        req.destroy(Object.assign(new Error("request body over the limit"), { code: "DNSDECK_BODY_LIMIT" }));
        return false;
      }
    }
    return push.call(this, chunk, ...rest);
  };
}

function crossSite(req) {
  if (req.headers["sec-fetch-site"] === "cross-site") return "cross-site request refused";
  const origin = req.headers.origin;
  if (!origin) return null;
  if (origin === "null") return "cross-site request refused (opaque origin)";
  try {
    return new URL(origin).host === (req.headers["x-forwarded-host"] ?? req.headers.host) ? null : `cross-site request refused: origin ${origin} is not this site`;
  } catch {
    return "cross-site request refused: bad Origin header";
  }
}

/**
 * A post to a page Next would fail with a bare 500 (cross-site, malformed action id, a body its decoder chokes on):
 * the reason, or null to let Next handle it. dnsdeck's pages post only server actions from their own scripts
 * (Next-Action header, text/plain JSON); plain form posts are refused too.
 */
function badPagePost(req) {
  if (req.method !== "POST" || req.url?.startsWith("/api/")) return null;
  const site = crossSite(req);
  if (site) return { status: 403, reason: `server action: ${site}` };
  const id = req.headers["next-action"];
  if (id === undefined) return { status: 400, reason: "dnsdeck's pages accept only server actions posted by their own scripts; reload the page and try again" };
  if (!/^[0-9a-f]{2,128}$/i.test(String(id))) return { status: 400, reason: "server action: malformed Next-Action header; reload the page and try again" };
  const type = String(req.headers["content-type"] ?? "");
  if (!/^text\/plain\b/i.test(type)) return { status: 400, reason: `server action: unsupported content type ${type.slice(0, 60) || "(none)"}; reload the page and try again` };
  return null;
}

/** Strings React's reply decoder would treat as references (a `$` prefix other than escapes and plain values). */
const PLAIN_DOLLAR = /^\$(\$|undefined$|NaN$|Infinity$|-Infinity$|-0$|D|n-?\d+$)/;
function plainReply(value, depth = 0) {
  if (depth > 64) return false;
  if (typeof value === "string") return !value.startsWith("$") || PLAIN_DOLLAR.test(value);
  if (Array.isArray(value)) return value.every((v) => plainReply(v, depth + 1));
  if (value && typeof value === "object") return Object.values(value).every((v) => plainReply(v, depth + 1));
  return true;
}

function badActionBody(body) {
  let args;
  try {
    args = JSON.parse(body.toString("utf8"));
  } catch {
    return "server action: the body is not the JSON a page sends; reload the page and try again";
  }
  return Array.isArray(args) && plainReply(args) ? null : "server action: the arguments are not plain values; reload the page and try again";
}

function refuse(req, bad) {
  // Next answers; the internal route writes the audit row (with the caller's identity when it has one).
  delete req.headers["next-action"];
  req.url = REFUSED_PATH;
  setHeader(req, "x-dnsdeck-refusal", JSON.stringify(bad));
}

/**
 * Hold a server action's body (bounded) before Next sees any of it, check it, then hand it on whole — or refuse.
 * The body is captured where the HTTP parser pushes it, so Next later reads an untouched stream.
 */
function holdActionBody(req, res, next) {
  const chunks = [];
  let size = 0;
  const push = req.push;
  req.push = function heldPush(chunk, ...rest) {
    if (chunk === null) {
      req.push = push;
      const bad = badActionBody(Buffer.concat(chunks));
      if (bad) refuse(req, { status: 400, reason: bad });
      for (const c of chunks) push.call(req, c);
      push.call(req, null, ...rest);
      next(req, res);
      return false;
    }
    size += chunk.length;
    if (size > LIMIT) {
      req.push = () => false;
      answer(res, 413, tooLarge);
      req.destroy();
      return false;
    }
    chunks.push(Buffer.from(chunk));
    return true;
  };
}

function guard(req, res, next) {
  stripOwnHeaders(req);
  setHeader(req, "x-dnsdeck-peer", req.socket.remoteAddress ?? "");
  setHeader(req, "x-dnsdeck-peer-proof", PROOF);
  const declared = req.headers["content-length"];
  if (declared !== undefined && !(Number(declared) <= LIMIT)) {
    answer(res, 413, tooLarge);
    req.resume();
    return;
  }
  const bad = badPagePost(req);
  if (bad) refuse(req, bad);
  else if (req.method === "POST" && req.headers["next-action"] !== undefined && !req.url?.startsWith("/api/")) return holdActionBody(req, res, next);
  if (req.headers["transfer-encoding"]) boundStreamedBody(req, res);
  return next(req, res);
}

const createServer = http.createServer;
http.createServer = function patchedCreateServer(...args) {
  const i = args.findIndex((a) => typeof a === "function");
  if (i >= 0) {
    const listener = args[i];
    args[i] = (req, res) => guard(req, res, listener);
  }
  return createServer.apply(this, args);
};

const root = process.env.DNSDECK_ROOT ?? path.resolve(import.meta.dirname, "..");
const dist = process.env.NEXT_DIST_DIR || ".next";
const standalone = [path.join(root, dist, "standalone", "server.js"), path.join(root, "server.js")].find((p) => existsSync(p));
if (!standalone) {
  console.error("dnsdeck: no build found; run `npm run build` first, then `npm start`");
  process.exit(1);
}
process.env.HOSTNAME ??= "0.0.0.0";
await import(standalone);
