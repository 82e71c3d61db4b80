// Kubernetes Status errors, shaped as kube-apiserver writes them (apimachinery pkg/api/errors).
import { groupResource, kindGroup, type ResourceDef } from "./resources";

export interface StatusCause { reason: string; message: string; field?: string }

export class StatusError extends Error {
  constructor(public code: number, public reason: string, message: string, public details?: Record<string, unknown>, public headers: Record<string, string> = {}) {
    super(message);
  }
  toStatus() {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

const det = (r: ResourceDef, name?: string) => ({ ...(name !== undefined ? { name } : {}), ...(r.group ? { group: r.group } : {}), kind: r.plural });

export const notFound = (r: ResourceDef, name: string) => new StatusError(404, "NotFound", `${groupResource(r)} "${name}" not found`, det(r, name));
export const alreadyExists = (r: ResourceDef, name: string) => new StatusError(409, "AlreadyExists", `${groupResource(r)} "${name}" already exists`, det(r, name));
export const conflict = (r: ResourceDef, name: string, why = "the object has been modified; please apply your changes to the latest version and try again") =>
  new StatusError(409, "Conflict", `Operation cannot be fulfilled on ${groupResource(r)} "${name}": ${why}`, det(r, name));
export const badRequest = (msg: string) => new StatusError(400, "BadRequest", msg);
export const unsupportedMedia = (ct: string) => new StatusError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${ct})`);
export const methodNotAllowed = () => new StatusError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
export const pathNotFound = () => new StatusError(404, "NotFound", "the server could not find the requested resource");
export const unauthorized = () => new StatusError(401, "Unauthorized", "Unauthorized");
export const forbidden = (r: ResourceDef, name: string, verb: string, ns?: string, user = "system:serviceaccount:dnsdeck:dnsdeck") =>
  new StatusError(403, "Forbidden", `${groupResource(r)}${name ? ` "${name}"` : ""} is forbidden: User "${user}" cannot ${verb} resource "${r.plural}" in API group "${r.group}"${ns ? ` in the namespace "${ns}"` : " at the cluster scope"}`, det(r, name));
export const expired = (msg: string) => new StatusError(410, "Expired", msg);

/** 422 Invalid; `causes` are (type, field, detail) and message is built like field.ErrorList.ToAggregate(). */
export function invalid(r: ResourceDef, name: string, errs: { type: string; field: string; detail: string; value?: unknown }[]) {
  const fmt = (e: (typeof errs)[number]) => {
    const label = CAUSE_LABEL[e.type] ?? e.type;
    const v = e.value === undefined ? "" : ` ${goValue(e.value)}`;
    return `${label}:${v}${e.detail ? (v || label ? ": " : "") + e.detail : ""}`;
  };
  const parts = errs.map((e) => `${e.field}: ${fmt(e)}`);
  const msg = `${kindGroup(r)} "${name}" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`}`;
  return new StatusError(422, "Invalid", msg, {
    name,
    ...(r.group ? { group: r.group } : {}),
    kind: r.kind,
    causes: errs.map((e) => ({ reason: e.type, message: fmt(e), field: e.field })),
  });
}
const CAUSE_LABEL: Record<string, string> = {
  FieldValueInvalid: "Invalid value",
  FieldValueRequired: "Required value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueNotSupported: "Unsupported value",
  FieldValueDuplicate: "Duplicate value",
};
function goValue(v: unknown): string {
  if (Array.isArray(v)) return `[]string{${v.map((x) => JSON.stringify(x)).join(", ")}}`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}
