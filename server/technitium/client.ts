/**
 * The one door to Technitium (issue 18): connection settings (`instances.ts`), the wire with its timeouts and retries
 * (`transport.ts`), what differs between 14.x and 15.x (`versions.ts`), typed calls (`api.ts`) checked against models of what dnsdeck reads (`models.ts`), and one typed
 * error (`errors.ts`, mapped to HTTP in server/error-map.ts by kind/reason). Import from here.
 */
export { TechnitiumError, refusalOf, type TechnitiumErrorKind, type TechnitiumRefusal } from "./errors";
export { TechnitiumClient, type TechnitiumInstance, type CallOptions } from "./transport";
export { TechnitiumApi, recordParams, stripSecrets, type RecordMeta } from "./api";
export type { SafeSettings, TechnitiumApp, TechnitiumRecord, TechnitiumRecords, TechnitiumSessionInfo, TechnitiumZone, TechnitiumZoneOptions } from "./models";
export { primaryApi, technitiumApi, technitiumApis } from "./instances";
export { features, parseVersion, type TechnitiumFeatures, type TechnitiumVersion } from "./versions";
