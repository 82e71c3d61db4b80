import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiException } from "@kubernetes/client-node";
import { PrismaClientKnownRequestError } from "@prisma/client/runtime/client";
import pg from "pg";
import { z } from "zod";
import { AppError, toAppError } from "@/server/errors";

// One map from every error dnsdeck raises or receives to a status and a message saying what to do. The errors are
// built with the real classes of each library (pg, Prisma, the Kubernetes client, zod) and dnsdeck's own doors.

const pgError = (code: string) => Object.assign(new pg.DatabaseError("boom", 10, "error"), { code, severity: "ERROR" });
const prisma = (code: string, originalCode?: string, kind?: string) =>
  new PrismaClientKnownRequestError("boom", { code, clientVersion: "7", meta: originalCode || kind ? { driverAdapterError: { cause: { originalCode, kind } } } : undefined });

test("each door's errors map to a status and an actionable message; unknown ones to 500 with a reference", async () => {
  const { TechnitiumError } = await import("@/server/technitium/client");
  const { DnsTimeoutError, DnsQueryError } = await import("@/server/dns/client");
  const { KubeError, toKubeError } = await import("@/server/kube/error");
  // what the Kubernetes client throws, turned into the door's KubeError exactly as server/kube/client.ts does
  const kube = (err: unknown) => toKubeError(err, "reading ConfigMap kube-system/coredns", 15000);
  const zodError = z.object({ a: z.number() }).safeParse({ a: "x" }).error;
  const cases: [string, unknown, number, RegExp?][] = [
    ["AppError", new AppError("locked", "held by bob"), 423, /bob/],
    ["zod", zodError, 400],
    ["JSON", (() => { try { JSON.parse("{"); } catch (e) { return e; } })(), 400, /not valid JSON/],
    ["kube 404", kube(new ApiException(404, "nf", JSON.stringify({ kind: "Status", code: 404, reason: "NotFound", message: "configmaps \"x\" not found" }), {})), 404, /not found/],
    ["kube 409", kube(new ApiException(409, "c", JSON.stringify({ kind: "Status", code: 409, reason: "Conflict", message: "conflict" }), {})), 409],
    ["kube 422", kube(new ApiException(422, "i", JSON.stringify({ kind: "Status", code: 422, reason: "Invalid", message: "bad field" }), {})), 400, /Fix the config/],
    ["kube 403 (RBAC)", kube(new ApiException(403, "f", JSON.stringify({ kind: "Status", code: 403, reason: "Forbidden", message: "no" }), {})), 502, /service account/],
    ["kube 500", kube(new ApiException(500, "e", "oops", {})), 502, /^reading ConfigMap kube-system\/coredns: .*HTTP 500: oops/],
    ["kube timeout", kube(Object.assign(new Error("This operation was aborted"), { name: "AbortError" })), 504, /reading ConfigMap kube-system\/coredns.*15000 ms/],
    ["kube unreachable", kube(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" })), 503, /reachable/],
    ["kube not configured", new KubeError("connecting to Kubernetes", { code: 0, reason: "NotConfigured", message: "no Kubernetes API is configured: set KUBECONFIG" }), 503, /KUBECONFIG/],
    ["technitium down", new TechnitiumError("primary", "unreachable", "cannot reach"), 503, /instance is up/],
    ["technitium timeout", new TechnitiumError("primary", "timeout", "no answer"), 504],
    ["technitium token", new TechnitiumError("primary", "invalid-token", "token refused"), 502, /TECHNITIUM_TOKEN/],
    ["dns timeout", new DnsTimeoutError("10.0.0.1:53", 1500), 504],
    ["dns unreachable", new DnsQueryError("unreachable", "10.0.0.1:53", "ECONNREFUSED"), 503],
    ["pg 57014", pgError("57014"), 504, /too long/],
    ["pg 08006", pgError("08006"), 503, /unreachable/],
    ["pg 57P01", pgError("57P01"), 503],
    ["pg 22021 (NUL)", pgError("22021"), 400, /control character/],
    ["pg 22003", pgError("22003"), 400, /32 bits/],
    ["pg 23505", pgError("23505"), 409],
    ["pg 42P01", pgError("42P01"), 503, /migrations/],
    ["prisma P1001", prisma("P1001", undefined, "DatabaseNotReachable"), 503, /unreachable/],
    ["prisma P2002", prisma("P2002", "23505"), 409],
    ["prisma P2025", prisma("P2025"), 404],
    ["prisma P2020", prisma("P2020", "22003"), 400, /32-bit/],
    ["prisma P2039 + 22P05", prisma("P2039", "22P05"), 400],
    ["prisma P2010 + 42P01", prisma("P2010", "42P01"), 503],
    ["socket", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }), 503],
  ];
  for (const [label, err, status, message] of cases) {
    const e = toAppError(err, "ref123");
    assert.equal(e.status, status, `${label}: ${e.code} ${e.message}`);
    if (message) assert.match(e.message, message, label);
  }
  const unknown = toAppError(new TypeError("secret detail at /srv/x.js:1"), "ref123");
  assert.equal(unknown.status, 500);
  assert.match(unknown.message, /reference ref123/);
  assert.doesNotMatch(unknown.message, /secret detail/);
});
