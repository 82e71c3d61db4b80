// Label and field selectors as the API server parses them (k8s.io/apimachinery/pkg/labels, fields).
import { badRequest } from "./errors";
import type { Obj } from "./util";

type Req = { key: string; op: "=" | "!=" | "in" | "notin" | "exists" | "!exists"; values: string[] };

export function parseLabelSelector(s: string | null | undefined): Req[] {
  if (!s) return [];
  const reqs: Req[] = [];
  // split on commas not inside parentheses
  const parts: string[] = [];
  let depth = 0, cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) { parts.push(cur); cur = ""; } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p))) reqs.push({ key: m[1], op: m[2] as "in", values: m[3].split(",").map((x) => x.trim()).filter((x) => x !== "" || true) });
    else if ((m = /^([\w./-]+)\s*!=\s*([\w./-]*)$/.exec(p))) reqs.push({ key: m[1], op: "!=", values: [m[2]] });
    else if ((m = /^([\w./-]+)\s*==?\s*([\w./-]*)$/.exec(p))) reqs.push({ key: m[1], op: "=", values: [m[2]] });
    else if ((m = /^!([\w./-]+)$/.exec(p))) reqs.push({ key: m[1], op: "!exists", values: [] });
    else if ((m = /^([\w./-]+)$/.exec(p))) reqs.push({ key: m[1], op: "exists", values: [] });
    else throw badRequest(`unable to parse requirement: found '${p}', expected: identifier`);
  }
  return reqs;
}

export function matchLabels(reqs: Req[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case "=": return has && l[r.key] === r.values[0];
      case "!=": return !has || l[r.key] !== r.values[0];
      case "in": return has && r.values.includes(l[r.key]);
      case "notin": return !has || !r.values.includes(l[r.key]);
      case "exists": return has;
      case "!exists": return !has;
    }
  });
}

/** metav1.LabelSelector (matchLabels + matchExpressions) against labels. Empty selector matches everything. */
export function matchSelectorObj(sel: Obj | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = k(e.key);
    const vals: string[] = e.values ?? [];
    if (e.operator === "In" && !(has && vals.includes(l[e.key]))) return false;
    if (e.operator === "NotIn" && has && vals.includes(l[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
  function k(key: string) { return Object.prototype.hasOwnProperty.call(l, key); }
}

export function matchMapSelector(sel: Record<string, string> | undefined, labels: Record<string, string> | undefined) {
  if (!sel || Object.keys(sel).length === 0) return false;
  return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

type FReq = { path: string; neg: boolean; value: string };
export function parseFieldSelector(s: string | null | undefined): FReq[] {
  if (!s) return [];
  return s.split(",").filter(Boolean).map((p) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(p.trim());
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${p}'`);
    return { path: m[1], neg: m[2] === "!=", value: m[3] };
  });
}
const FIELD_GETTERS: Record<string, (o: Obj) => unknown> = {
  "metadata.name": (o) => o.metadata?.name,
  "metadata.namespace": (o) => o.metadata?.namespace,
  "spec.nodeName": (o) => o.spec?.nodeName ?? "",
  "status.phase": (o) => o.status?.phase,
  "involvedObject.name": (o) => o.involvedObject?.name,
  "involvedObject.kind": (o) => o.involvedObject?.kind,
  "involvedObject.namespace": (o) => o.involvedObject?.namespace,
  "involvedObject.uid": (o) => o.involvedObject?.uid,
  "regarding.name": (o) => o.regarding?.name,
  "regarding.kind": (o) => o.regarding?.kind,
  "reason": (o) => o.reason,
  "type": (o) => o.type,
  "spec.unschedulable": (o) => String(!!o.spec?.unschedulable),
};
export function checkFieldSelector(reqs: FReq[], plural: string) {
  for (const r of reqs) if (!FIELD_GETTERS[r.path]) throw badRequest(`field label not supported: ${r.path}`);
  void plural;
}
export function matchFields(reqs: FReq[], o: Obj): boolean {
  return reqs.every((r) => {
    const v = String(FIELD_GETTERS[r.path]?.(o) ?? "");
    return r.neg ? v !== r.value : v === r.value;
  });
}
