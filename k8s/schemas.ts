import { z } from "zod";
import { isCidr, isIPv4, isNetwork } from "./net";

/**
 * Bounded zod primitives shared by the server's verbs and the browser's forms (pure). Every string a person or a
 * program sends is bounded and free of control characters; every id fits its column; IPs go through ipaddr.js.
 */

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f]/;

/** One line of text: no NUL, no control characters, at most `max` characters. */
export const safeText = (max = 500) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL_OR_NEWLINE.test(s), "must not contain control characters (NUL, newlines, escapes)");

/** Multi-line text such as a Corefile: tabs and newlines allowed, no other control characters. */
export const safeMultiline = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), "must not contain control characters other than tabs and newlines");

/** A Kubernetes object name (RFC 1123 subdomain): the one regex for names across dnsdeck. */
export const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
export const k8sName = z.string().min(1).max(253).regex(K8S_NAME, "must be lower-case letters, digits, '-' or '.', starting and ending alphanumeric");
/** A namespace or label-like name (RFC 1123 label, at most 63). */
export const k8sLabelName = z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be lower-case letters, digits and '-' (at most 63), starting and ending alphanumeric");

export const ipv4 = z.string().refine(isIPv4, "must be an IPv4 address like 10.96.0.10");
export const ipOrCidr = z.string().max(64).refine(isCidr, "must be an IP address or a CIDR such as 192.168.1.0/24");
export const network = z.string().max(64).refine(isNetwork, "must be a CIDR like 192.168.1.0/24");

export const INT32_MAX = 2_147_483_647;
/** A positive id of a 32-bit column (given as a number, or digits in a URL). */
export const int32Id = z
  .union([z.number(), z.string().regex(/^\d{1,10}$/, "must be a whole number").transform(Number)])
  .pipe(z.number().int("must be a whole number").min(1, "must be at least 1").max(INT32_MAX, `must be at most ${INT32_MAX}`));
/** A page size or similar small count. */
export const count = (min: number, max: number) =>
  z.union([z.number(), z.string().regex(/^\d{1,6}$/, "must be a whole number").transform(Number)]).pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const INT64_MAX = 9_223_372_036_854_775_807n;
/** A positive id of a 64-bit column (audit rows), as digits. */
export const int64Id = z
  .string()
  .regex(/^\d{1,19}$/, "must be a row id as returned by the list")
  .transform((s) => BigInt(s))
  .refine((n) => n >= 1n && n <= INT64_MAX, "must be a row id as returned by the list");

/** A strict calendar date (YYYY-MM-DD): 2026-02-30 is refused, not rolled over to March. */
export function isRealDate(y: number, m: number, d: number): boolean {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d); // not Date.UTC: it reads years 0–99 as 1900–1999, so 0001-01-01 would be "not real"
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}
