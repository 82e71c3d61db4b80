"use server";
import { action } from "@/server/http/guard";
import { checkForeignOwners as checkForeignOwnersVerb, saveStackConfig as saveStackConfigVerb } from "./config-verbs";

/**
 * Save a new revision of the desired stack config (admin) — the same verb and schema as POST /api/v1/stack/config.
 * Invalid input → `{ok:false, error:{code:"bad_request", fields:{"nodelocal.linkLocalIp": "…"}}}`; nothing is saved.
 * Also used by the CoreDNS page.
 */
export const saveStackConfig = action(saveStackConfigVerb);

/** Before saving: the objects this draft would change that another manager owns (dry run; nothing saved). */
export const checkForeignOwners = action(checkForeignOwnersVerb);
