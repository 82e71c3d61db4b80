/** Request schemas for the query-log API (pure; the page parses its search params with the same ones). */
import { z } from "zod";
import { INT32_MAX } from "@/k8s/schemas";
import { filterFields, toFilter } from "./filters";
import { BUCKETS, type Bucket, type StatsPart } from "./stats";
import type { TopWhich } from "./top";

/** dns_logs.dlid is a 32-bit serial: a cursor past 2^31-1 cannot exist. */
const rowId = (message: string) =>
  z
    .string()
    // abort: a value that is not digits says so once, not again for the range check
    .regex(/^\d{1,10}$/, { message, abort: true })
    .refine((s) => Number(s) <= INT32_MAX, message);
const cursor = rowId("must be a row id as returned in nextCursor").optional();

/** More buckets than a chart can draw is a request to refuse, not to compute. */
export const MAX_BUCKETS = 5000;

export const listSchema = z
  .object({
    ...filterFields,
    cursor,
    after: rowId("must be a row id (the newest id you have)").optional(),
    limit: z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(500, "must be at most 500").optional(),
    count: z.enum(["none", "fast", "exact"], { message: "must be none, fast or exact" }).optional(),
    /** `ahead=1`: the page after this one comes in the same answer (`ahead`), so "Older →" is drawn from memory. */
    ahead: z.enum(["0", "1"], { message: "must be 0 or 1" }).optional(),
  })
  .transform((raw, ctx) => ({
    filter: toFilter(raw, ctx),
    cursor: raw.cursor ? Number(raw.cursor) : null,
    after: raw.after ? Number(raw.after) : null,
    limit: raw.limit ?? 50,
    count: raw.count ?? (raw.cursor ? "none" : "fast"),
    ahead: raw.ahead === "1",
  }));

export const statsSchema = z
  .object({
    ...filterFields,
    bucket: z.enum(Object.keys(BUCKETS) as [Bucket, ...Bucket[]], { message: `must be one of ${Object.keys(BUCKETS).join(", ")}` }).optional(),
    parts: z
      .string()
      .regex(/^(series|top|rtt)(,(series|top|rtt))*$/, "must be a comma-separated list of series, top, rtt")
      .optional(),
    /** Which top lists to read (default all three); a list not asked for comes back empty. */
    lists: z
      .string()
      .regex(/^(names|clients|blocked)(,(names|clients|blocked))*$/, "must be a comma-separated list of names, clients, blocked")
      .optional(),
  })
  .transform((raw, ctx) => {
    const filter = toFilter(raw, ctx);
    if (raw.bucket) {
      const buckets = Math.ceil((filter.to.getTime() - filter.from.getTime()) / 1000 / BUCKETS[raw.bucket]);
      if (buckets > MAX_BUCKETS) ctx.addIssue({ code: "custom", path: ["bucket"], message: `${raw.bucket} buckets over this range make ${buckets} points (at most ${MAX_BUCKETS}); choose a larger bucket or a shorter range` });
    }
    return { filter, bucket: raw.bucket, parts: raw.parts?.split(",") as StatsPart[] | undefined, lists: raw.lists?.split(",") as TopWhich[] | undefined };
  });

export const exportSchema = z
  .object({ ...filterFields, format: z.enum(["csv", "ndjson"], { message: "must be csv or ndjson" }).optional() })
  .transform((raw, ctx) => ({ filter: toFilter(raw, ctx), format: raw.format ?? "csv" }));
