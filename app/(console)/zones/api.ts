"use client";
import type { RecordView } from "@/server/records/model";
import type { RecordsView } from "@/server/records/list";
import type { ZoneRow, ZonesView } from "@/server/records/zones";

import type { Finding, Fix, ConsistencyReport } from "@/server/records/consistency";
import type { HorizonConfigChange, HorizonReport } from "@/server/records/horizon";

export type { RecordView, RecordsView, ZoneRow, ZonesView, Finding, Fix, ConsistencyReport, HorizonConfigChange, HorizonReport };
type Part<T> = { ok: true; value: T } | { ok: false; error: string };
/** GET /api/v1/consistency */
export type ConsistencyView = { records: Part<ConsistencyReport>; splitHorizon: Part<HorizonReport> };
export { OWNER_LABEL, OWNER_WARNING } from "@/server/records/model";
export { ApiError, api } from "@/app/_components/api-client";
