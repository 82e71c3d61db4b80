import "server-only";
import { verb } from "@/server/verb";

/** The caller's identity as dnsdeck resolved it. */
export const whoami = verb({ name: "whoami", role: "viewer" }, async (ctx) => ({ user: ctx.identity.user, groups: [...ctx.identity.groups], role: ctx.identity.role }));
