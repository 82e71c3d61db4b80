import { z } from "zod";
import { isZoneName, parseValue, RECORD_TYPES, relativeNameProblem, TTL_MAX, TTL_MIN } from "@/k8s/records";
import { safeText } from "@/k8s/schemas";

/**
 * The bounded inputs of the record verbs (pure, so the form can share it): a bad name, TTL, address or type is a 400
 * naming the field, before anything is read or written.
 */
export const zoneName = z.string().min(1).max(253).refine(isZoneName, "must be a zone name such as viktorbarzin.lan");

const base = z.object({
    zone: zoneName,
    op: z.enum(["add", "update", "delete"]),
    name: z.string().min(1).max(253),
    type: z.enum(RECORD_TYPES),
    ttl: z.coerce.number().int().min(TTL_MIN).max(TTL_MAX).default(3600),
    /** add/update: the new value; delete: the value to remove. */
    value: z.string().min(1).max(4096),
    /** update: the record's value as the editor last saw it (409 when it changed since). */
    current: z.string().min(1).max(4096).optional(),
    /** A/AAAA: also set (add/update) the PTR in the closest reverse zone on the primary. */
    ptr: z.boolean().optional(),
    /** Change a record another writer (Kea DDNS, phpIPAM) owns, knowing it may be written back. */
    force: z.boolean().optional(),
    wait: z.boolean().optional(),
    comments: safeText(200).optional(),
  });

function check(v: z.output<typeof base>, ctx: z.RefinementCtx): void {
    const nameProblem = relativeNameProblem(v.name, v.zone);
    if (nameProblem) ctx.addIssue({ code: "custom", path: ["name"], message: nameProblem });
    const value = parseValue(v.type, v.value);
    if (!value.ok) ctx.addIssue({ code: "custom", path: ["value"], message: value.error });
    if (v.current !== undefined) {
      const cur = parseValue(v.type, v.current);
      if (!cur.ok) ctx.addIssue({ code: "custom", path: ["current"], message: cur.error });
    }
    if (v.op === "update" && v.current === undefined) ctx.addIssue({ code: "custom", path: ["current"], message: "give the record's current value, so a change made by someone else in the meantime is not overwritten" });
    if (v.type === "CNAME" && v.name.trim() === "@") ctx.addIssue({ code: "custom", path: ["name"], message: "a CNAME cannot sit at the zone apex (it would hide the zone's SOA and NS)" });
    if (v.ptr && v.type !== "A" && v.type !== "AAAA") ctx.addIssue({ code: "custom", path: ["ptr"], message: "only A and AAAA records have a PTR to pair" });
}

export const recordChange = base.superRefine(check);
export type RecordChangeInput = z.output<typeof base>;

/**
 * The same input with the operation fixed (the REST routes: POST adds, PUT updates, DELETE removes). DELETE takes the
 * record's value as `value` or `current`.
 */
export const recordChangeFor = (op: RecordChangeInput["op"]) =>
  z.preprocess(
    (raw) => {
      if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
      const o: Record<string, unknown> = { ...(raw as Record<string, unknown>), op };
      if (op === "delete" && o.value === undefined && o.current !== undefined) o.value = o.current;
      return o;
    },
    base.extend({ op: z.literal(op) }).superRefine(check),
  );
