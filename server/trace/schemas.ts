import { z } from "zod";
import { k8sName } from "@/k8s/schemas";
import { CLIENT_CLASS_IDS } from "@/server/architecture/paths";

/** A DNS name: 1–253 characters, labels of 1–63 letters, digits, '-' or '_' (not starting/ending with '-'). */
export const dnsName = z
  .string()
  .trim()
  .min(1, "type a DNS name, e.g. idrac.viktorbarzin.lan")
  .max(254, "a DNS name is at most 253 characters")
  .refine((s) => {
    const n = s.replace(/\.$/, "");
    return n.length > 0 && n.length <= 253 && n.split(".").every((l) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(l));
  }, "not a valid DNS name: use labels of letters, digits, '-' or '_' (1–63 characters each) separated by dots");

export const traceInputSchema = z.object({
  name: dnsName,
  clientClass: z.enum(CLIENT_CLASS_IDS, { error: `unknown client class; use one of ${CLIENT_CLASS_IDS.join(", ")}` }),
  node: k8sName.optional(),
  type: z.enum(["A", "AAAA", "CNAME", "TXT", "MX"]).default("A"),
});

export type TraceInput = z.infer<typeof traceInputSchema>;
