import "server-only";
import { cookies, headers } from "next/headers";
import { identityConfig } from "./config";
import { DEMO_ROLE_COOKIE, type IdentityResult, resolveIdentity } from "./identity";

/** The identity of the request being rendered (server components and server actions). */
export async function currentIdentity(): Promise<IdentityResult> {
  const h = await headers();
  const c = await cookies();
  return resolveIdentity(h, c.get(DEMO_ROLE_COOKIE)?.value, identityConfig());
}
