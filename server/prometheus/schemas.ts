import { z } from "zod";
import { RANGES, type RangeName } from "./range";

/**
 * One range input for the metrics and the timeline: `range` (15m … 7d, ending now) or explicit `from`/`to` (ISO-8601,
 * at most 7 days apart, not in the future by more than a minute). Default: the last hour.
 */
const iso = z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO-8601 time such as 2026-12-03T10:00:00Z");
const MAX_SPAN = RANGES["7d"] * 1000;

export const rangeSchema = z
  .object({
    range: z.enum(Object.keys(RANGES) as [RangeName, ...RangeName[]]).optional(),
    from: iso.optional(),
    to: iso.optional(),
  })
  .transform((v, ctx) => {
    const now = Date.now();
    const to = v.to ? new Date(v.to) : new Date(now);
    const from = v.from ? new Date(v.from) : new Date(to.getTime() - RANGES[v.range ?? "1h"] * 1000);
    if (from >= to) ctx.addIssue({ code: "custom", path: ["from"], message: "must be before 'to'" });
    if (to.getTime() - from.getTime() > MAX_SPAN) ctx.addIssue({ code: "custom", path: ["from"], message: "the range may span at most 7 days" });
    if (to.getTime() > now + 60_000) ctx.addIssue({ code: "custom", path: ["to"], message: "must not be in the future" });
    return { from, to, range: v.range ?? null };
  });
export type RangeInput = z.output<typeof rangeSchema>;
