import type { TechnitiumFeatures, TechnitiumVersion } from "./versions";
import { z } from "zod";

/**
 * What dnsdeck reads from Technitium, checked at the door (reference technitium.md §2, §6): a shape the server does not
 * answer with becomes a `bad-response` TechnitiumError naming the call, never an undefined deep in a page. Objects are
 * loose (Technitium adds fields between releases; unknown ones pass through untouched).
 */

const zoneType = z.string();

/** One `zones/list` entry (fields present depend on the zone type, §2.4). */
export const zoneSchema = z.looseObject({
  name: z.string(),
  type: zoneType,
  soaSerial: z.number().optional(),
  internal: z.boolean().optional(),
  disabled: z.boolean().optional(),
  isExpired: z.boolean().optional(),
  syncFailed: z.boolean().optional(),
  notifyFailed: z.boolean().optional(),
  notifyFailedFor: z.array(z.string()).optional(),
  expiry: z.string().optional(),
  lastModified: z.string().optional(),
});
export type TechnitiumZone = z.infer<typeof zoneSchema>;

export const zonesListSchema = z.looseObject({ zones: z.array(zoneSchema) });

export const sessionSchema = z.looseObject({
  info: z.looseObject({ version: z.string().optional(), dnsServerDomain: z.string().optional(), uptimestamp: z.string().optional(), defaultRecordTtl: z.number().optional() }).optional(),
});

export interface TechnitiumSessionInfo extends TechnitiumVersion {
  features: TechnitiumFeatures;
  dnsServerDomain?: string;
  uptimestamp?: string;
}

/** `rData` of the record types dnsdeck edits; other types keep their raw object. */
export const rDataSchema = z.looseObject({
  ipAddress: z.string().optional(),
  cname: z.string().optional(),
  ptrName: z.string().optional(),
  nameServer: z.string().optional(),
  text: z.string().optional(),
  splitText: z.boolean().optional(),
  characterStrings: z.array(z.string()).optional(),
  preference: z.number().optional(),
  exchange: z.string().optional(),
  priority: z.number().optional(),
  weight: z.number().optional(),
  port: z.number().optional(),
  target: z.string().optional(),
  serial: z.number().optional(),
  expire: z.number().optional(),
});

/** One `records/get` record (§6.2): `comments` only when non-empty; `lastUsedOn` per instance, in memory only. */
export const recordSchema = z.looseObject({
  name: z.string(),
  type: z.string(),
  ttl: z.number(),
  disabled: z.boolean().optional(),
  comments: z.string().optional(),
  rData: rDataSchema,
  lastUsedOn: z.string().optional(),
  lastModified: z.string().optional(),
  expiryTtl: z.number().optional(),
});
export type TechnitiumRecord = z.infer<typeof recordSchema>;

export const recordsGetSchema = z.looseObject({ zone: zoneSchema, records: z.array(recordSchema) });
export type TechnitiumRecords = z.infer<typeof recordsGetSchema>;

export const recordAddedSchema = z.looseObject({ zone: z.looseObject({ soaSerial: z.number().optional() }).optional(), addedRecord: recordSchema.optional() });
export const recordUpdatedSchema = z.looseObject({ zone: z.looseObject({ soaSerial: z.number().optional() }).optional(), updatedRecord: recordSchema.optional() });

/** `zones/options/get` (§2.7, §6.8): transfer, notify and dynamic-update settings. Needs Zones: Modify. */
export const zoneOptionsSchema = z.looseObject({
  name: z.string(),
  type: zoneType,
  disabled: z.boolean().optional(),
  zoneTransfer: z.string().optional(),
  zoneTransferNetworkACL: z.array(z.string()).optional(),
  zoneTransferTsigKeyNames: z.array(z.string()).optional(),
  notify: z.string().optional(),
  notifyNameServers: z.array(z.string()).optional(),
  notifyFailed: z.boolean().optional(),
  notifyFailedFor: z.array(z.string()).optional(),
  update: z.string().optional(),
  updateNetworkACL: z.array(z.string()).optional(),
  primaryNameServerAddresses: z.array(z.string()).optional(),
});
export type TechnitiumZoneOptions = z.infer<typeof zoneOptionsSchema>;

export const appSchema = z.looseObject({ name: z.string(), version: z.string().optional(), dnsApps: z.array(z.looseObject({ classPath: z.string() })).default([]) });
export type TechnitiumApp = z.infer<typeof appSchema>;
export const appsListSchema = z.looseObject({ apps: z.array(appSchema) });
export const appConfigSchema = z.looseObject({ config: z.string().nullable().optional() });

export const settingsSchema = z.record(z.string(), z.unknown());
/** Settings with secrets removed (§2.11, §5.10): safe to show in a browser. */
export type SafeSettings = Record<string, unknown>;

export const dashboardSchema = z.looseObject({ stats: z.record(z.string(), z.unknown()).optional() });
