import "server-only";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { TechnitiumApi } from "./api";
import { resolveEndpoint } from "./endpoint";
import { TechnitiumClient } from "./transport";

/**
 * The door's connection settings, read once per call from the validated environment: which instances exist
 * (TECHNITIUM_INSTANCES, the first is the zone primary), each one's token (TECHNITIUM_TOKEN_<NAME>, never logged) and
 * the per-call timeout (TECHNITIUM_TIMEOUT_MS). Everything in dnsdeck that talks to Technitium starts here.
 */
export function technitiumApis(): TechnitiumApi[] {
  const e = env();
  return e.TECHNITIUM_INSTANCES.map((i, idx) => new TechnitiumApi(new TechnitiumClient({ ...i, primary: idx === 0 }, e.technitiumTokens.get(i.name)!, e.TECHNITIUM_TIMEOUT_MS, fetch, (url) => resolveEndpoint(url))));
}

/** The zone primary (the first configured instance). */
export function primaryApi(): TechnitiumApi {
  const [p] = technitiumApis();
  if (!p) throw new AppError("unavailable", "no Technitium instances are configured (TECHNITIUM_INSTANCES)");
  return p;
}

export function technitiumApi(name: string): TechnitiumApi {
  const a = technitiumApis().find((x) => x.name === name);
  if (!a) throw new AppError("not_found", `no Technitium instance named "${name}"`);
  return a;
}
