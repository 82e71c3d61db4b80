import "server-only";
import { AppError } from "@/server/errors";
import type { SyncContext } from "@/server/sync/context";
import { type RecordView, recordKey, toView } from "./model";

/**
 * The records of one zone as the primary holds them (with their owners), each marked with whether every other
 * instance serves it too — read from each instance's own copy (records/get works on Secondary zones). Search matches
 * the relative name or the value; `name` is an exact relative name.
 */
export interface RecordsQuery {
  zone: string;
  name?: string;
  type?: string;
  q?: string;
}

export interface RecordsView {
  zone: string;
  zoneType: string;
  soaSerial?: number;
  instances: { name: string; up: boolean; error?: string }[];
  records: RecordView[];
}

const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function listRecords(ctx: SyncContext, q: RecordsQuery): Promise<RecordsView> {
  const zone = q.zone.toLowerCase().replace(/\.$/, "");
  const copies = await Promise.all(
    ctx.apis.map(async (api) => {
      try {
        const r = await api.getRecords(zone, zone, { listZone: true });
        return { api, data: r, keys: new Set(r.records.map((x) => recordKey(toView(x, zone)))) };
      } catch (err) {
        return { api, data: null, keys: null, error: errMsg(err) };
      }
    }),
  );
  const [primary] = copies;
  if (!primary?.data) throw new AppError("unavailable", `the primary cannot list ${zone}: ${primary?.error ?? "no instances configured"}`);
  const needle = q.q?.toLowerCase().trim();
  const records = primary.data.records
    .map((r) => toView(r, zone))
    .filter((v) => (q.name ? v.name === q.name.toLowerCase() : true))
    .filter((v) => (q.type ? v.type === q.type : true))
    .filter((v) => (needle ? v.name.includes(needle) || v.value.toLowerCase().includes(needle) : true))
    .map((v) => ({ ...v, instances: Object.fromEntries(copies.map((c) => [c.api.name, c.keys ? c.keys.has(recordKey(v)) : false])) }));
  return {
    zone,
    zoneType: primary.data.zone.type,
    soaSerial: primary.data.zone.soaSerial,
    instances: copies.map((c) => ({ name: c.api.name, up: c.data !== null, error: c.error })),
    records,
  };
}
