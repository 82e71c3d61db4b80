"use client";
import type { RecordView } from "@/server/records/model";
import type { RecordsView } from "@/server/records/list";
import type { ZoneRow, ZonesView } from "@/server/records/zones";

export type { RecordView, RecordsView, ZoneRow, ZonesView };
export { OWNER_LABEL, OWNER_WARNING } from "@/server/records/model";
export { ApiError, api } from "@/app/_components/api-client";
