import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * A refusal handed from proxy.ts to /api/v1/refused in the rewritten URL, signed with the per-process secret
 * server/start.mjs made (DNSDECK_PEER_PROOF): a client calling /api/v1/refused itself cannot invent one.
 */
export interface Refusal {
  status: 400 | 401 | 403;
  reason: string;
  page?: string;
}

const sign = (payload: string, secret: string) => createHmac("sha256", secret).update(payload).digest("base64url");

export function sealRefusal(r: Refusal, secret = process.env.DNSDECK_PEER_PROOF ?? ""): string {
  const payload = Buffer.from(JSON.stringify(r)).toString("base64url");
  return `${payload}.${sign(payload, secret)}`;
}

export function openRefusal(token: string | null, secret = process.env.DNSDECK_PEER_PROOF ?? ""): unknown {
  if (!token || !secret) return null;
  const [payload, sig] = token.split(".");
  if (!payload || !sig) return null;
  const want = Buffer.from(sign(payload, secret));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
}
